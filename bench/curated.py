"""The curated graph for the start-up target: a built copy of the project (never its dist/)."""

from __future__ import annotations

import shutil
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

from bench.processes import BIN

PROJECT_FOLDERS = ("ontology", "shapes", "data", "queries")
# Pages tried in turn for the curated entity page: the network itself, then a country.
PAGE_CANDIDATES = ("/id/cnc", "/id/france")


def built_copy(repo: Path, work: Path) -> Path:
    """Copy the project's sources to ``work/curated`` and run ``cnc-kg build`` there."""
    folder = work / "curated"
    shutil.rmtree(folder, ignore_errors=True)
    for name in PROJECT_FOLDERS:
        if (repo / name).is_dir():
            shutil.copytree(repo / name, folder / name)
    done = subprocess.run([str(BIN / "cnc-kg"), "--root", str(folder), "build", "--no-reasoner"],
                          capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"cnc-kg build of the curated data failed:\n{done.stdout}{done.stderr}")
    return folder


def page_entity(base: str) -> str | None:
    """The first candidate entity page that the server answers with 200."""
    for path in PAGE_CANDIDATES:
        try:
            with urllib.request.urlopen(base + path, timeout=30) as response:
                if response.status == 200:
                    return path
        except urllib.error.URLError:
            continue
    return None
