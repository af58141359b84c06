"""``cnc-kg build --if-changed`` (what ``make serve`` runs): it builds when an input of the build
changed since ``dist/build.json`` was written, names that input, and otherwise leaves ``dist/``
as it is; and what a build says to a newcomer: where its warnings are, and ``--no-reasoner``
when Java is missing.

Each test works on a copy of the repository's project folders (never the real ``dist/``), with
the installed console script, as ``make serve`` runs it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from server.config import load_settings
from server.project.freshness import RECORD_KEY, freshness, input_hashes

REPO = Path(__file__).resolve().parent.parent
CNC_KG = str(Path(sys.executable).parent / "cnc-kg")
QUICK = ["--no-reasoner", "--no-shapes-check"]     # the slow checks have their own tests


def copy_project(destination: Path) -> Path:
    for name in ("ontology", "shapes", "data", "queries"):
        shutil.copytree(REPO / name, destination / name)
    return destination


def cnc_kg(root: Path, *args: str, env: dict[str, str] | None = None):
    return subprocess.run([CNC_KG, *args], cwd=root, capture_output=True, text=True,
                          timeout=600, env={**os.environ, **(env or {})})


def test_builds_once_then_keeps_dist_until_an_input_changes(tmp_path):
    root = copy_project(tmp_path)
    settings = load_settings(root=root)
    assert freshness(settings) == freshness(settings)
    assert not freshness(settings).fresh and freshness(settings).reason == "no build yet"

    first = cnc_kg(root, "build", "--if-changed", *QUICK)
    assert first.returncode == 0, first.stderr
    assert "building dist/: no build yet" in first.stdout
    record = json.loads((root / "dist" / "build.json").read_text(encoding="utf-8"))
    assert record[RECORD_KEY] == input_hashes(settings)
    assert set(record[RECORD_KEY]) == {"ontology/", "shapes/", "data/", "queries/",
                                       "the build code"}

    before = (root / "dist" / "build.json").read_bytes()
    second = cnc_kg(root, "build", "--if-changed", *QUICK)
    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith("dist/ is up to date (nothing changed since the build of ")
    assert (root / "dist" / "build.json").read_bytes() == before

    # A hidden file (an editor's swap file) is no input; a new Turtle file is.
    (root / "data" / ".cnc.ttl.swp").write_bytes(b"\0")
    assert freshness(settings).fresh
    (root / "queries" / "cq-99-extra.rq").write_text("SELECT * WHERE { ?s ?p ?o } LIMIT 1\n",
                                                     encoding="utf-8")
    state = freshness(settings)
    assert not state.fresh and state.reason.startswith("queries/ changed since the build of ")

    third = cnc_kg(root, "build", "--if-changed", *QUICK)
    assert third.returncode == 0, third.stderr
    assert "building dist/: queries/ changed" in third.stdout
    assert freshness(settings).fresh


def test_a_build_without_the_input_record_is_rebuilt(tmp_path):
    root = copy_project(tmp_path)
    assert cnc_kg(root, "build", *QUICK).returncode == 0
    path = root / "dist" / "build.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    del record[RECORD_KEY]                       # as written before the record existed
    path.write_text(json.dumps(record), encoding="utf-8")
    state = freshness(load_settings(root=root))
    assert not state.fresh and "records no input hashes" in state.reason


def test_a_clean_build_points_at_its_warnings(tmp_path):
    root = copy_project(tmp_path)
    done = cnc_kg(root, "build", *QUICK)
    assert done.returncode == 0, done.stderr
    report = json.loads((root / "dist" / "validation-report.json").read_text(encoding="utf-8"))
    assert f"{report['warnings']} warning(s); wrote " in done.stdout
    pointers = ("dist/validation-report.txt", "http://127.0.0.1:8000/quality", "most frequent: ")
    # Without warnings there is nothing to point at.
    assert all((p in done.stdout) == (report["warnings"] > 0) for p in pointers), done.stdout


def test_without_java_the_build_suggests_no_reasoner(tmp_path):
    root = copy_project(tmp_path)
    # A PATH holding only the virtual environment's scripts: no java on it.
    no_java = {"PATH": str(Path(CNC_KG).parent)}
    assert shutil.which("java", path=no_java["PATH"]) is None
    done = cnc_kg(root, "build", env=no_java)
    assert done.returncode == 2
    assert "needs Java" in done.stderr
    assert "hint: add --no-reasoner to skip the OWL reasoner" in done.stderr
    assert not (root / "dist").exists()
    quick = cnc_kg(root, "build", "--no-reasoner", "--no-shapes-check", env=no_java)
    assert quick.returncode == 0, quick.stderr
