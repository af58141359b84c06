"""Everything a clone holds can be followed from the clone: no file tracked by git names a path
of the machine it was written on (a home or work folder, a temporary folder, a sibling folder of
the repository), and every relative link of the Markdown documentation resolves to a file of
the repository (with its heading, when the link names one). Sources are cited by public URL.
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# An absolute path into a machine's home, work or temporary folders, or the sibling folder of a
# build machine's shared material. (Relative links are checked apart, below: they must resolve
# inside the repository; a test's own path-traversal inputs are no pointer.)
OUTSIDE = re.compile(r"(^|[\s(`'\"=:,\[])/(work|home|tmp|root|Users|mnt)/"
                     r"|(^|[^.\w])\.\./shared\b")
# .gitignore's patterns are relative to the repository by definition (its "/tmp/" is ./tmp/);
# this file holds what the scan forbids, as examples.
NOT_SCANNED = {".gitignore", "tests/test_repository_links.py"}
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+\"[^\"]*\")?\s*$", re.MULTILINE)
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def tracked_files() -> list[Path]:
    done = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True)
    if done.returncode != 0:
        pytest.skip("not a git work tree (the scan lists the files git tracks)")
    return [REPO / name for name in done.stdout.decode("utf-8").split("\0") if name]


def text_of(path: Path) -> str | None:
    data = path.read_bytes()
    if b"\0" in data[:8192]:
        return None                      # binary (pictures)
    return data.decode("utf-8", errors="replace")


def test_no_tracked_file_points_outside_the_repository():
    found = []
    for path in tracked_files():
        name = path.relative_to(REPO).as_posix()
        text = text_of(path) if name not in NOT_SCANNED and path.is_file() else None
        for number, line in enumerate((text or "").splitlines(), start=1):
            if OUTSIDE.search(line):
                found.append(f"{name}:{number}: {line.strip()[:120]}")
    assert found == []


@pytest.mark.parametrize("line", [
    "see /work/shared/guide/engines.md", "(`../shared/facts/x.yaml`)", "cd /tmp/fresh && make",
    "mkdir -p /home/me/cnc", "see ../shared/guide/style.md",
])
def test_the_scan_finds_what_it_forbids(line):
    assert OUTSIDE.search(line)


@pytest.mark.parametrize("line", [
    "https://w3id.org/cnc-kg/id/cnc", "/etc/nginx/conf.d/cnc-kg.conf", "/usr/sbin/nginx",
    "[model](../ontology/README.md)", "/srv/cnc-kg/.venv/bin/cnc-kg serve",
    "http://127.0.0.1:8000/sparql", "data/../shapes",
])
def test_the_scan_lets_legitimate_paths_through(line):
    assert not OUTSIDE.search(line)


def anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    text = "".join(c for c in text if c in " -" or unicodedata.category(c)[0] in "LN")
    return text.replace(" ", "-")


def markdown_files() -> list[Path]:
    return [p for p in tracked_files() if p.suffix == ".md"]


def links(path: Path) -> list[str]:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    text = re.sub(r"`[^`\n]*`", "", text)          # code spans are not links
    return LINK.findall(text) + REFERENCE.findall(text)


def test_the_documentation_is_found():
    names = {str(p.relative_to(REPO)) for p in markdown_files()}
    assert {"README.md", "docs/http.md", "docs/curating.md", "docs/operating.md"} <= names


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_relative_links_resolve_inside_the_repository(path: Path):
    broken = []
    for target in links(path):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
            continue                     # https:, mailto: …: public addresses
        file_part, _, fragment = target.partition("#")
        resolved = (path.parent / file_part).resolve() if file_part else path
        if not resolved.is_relative_to(REPO):
            broken.append(f"{target}: outside the repository")
        elif not resolved.exists():
            broken.append(f"{target}: no such file")
        elif fragment and resolved.suffix == ".md" and fragment not in {
                anchor(h) for h in HEADING.findall(FENCE.sub("", resolved.read_text("utf-8")))}:
            broken.append(f"{target}: no heading #{fragment} in {resolved.name}")
    assert broken == []
