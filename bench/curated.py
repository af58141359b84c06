"""The curated project for the start-up target: a copy of the project's sources."""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request
from pathlib import Path

PROJECT_FOLDERS = ("ontology", "shapes", "data", "queries")
# Pages tried in turn for the curated entity page: the network itself, then a country.
PAGE_CANDIDATES = ("/id/cnc", "/id/france")


def project_copy(repo: Path, work: Path) -> Path:
    """Copy the project's sources to ``work/curated`` (never its own dist/)."""
    folder = work / "curated"
    shutil.rmtree(folder, ignore_errors=True)
    for name in PROJECT_FOLDERS:
        if (repo / name).is_dir():
            shutil.copytree(repo / name, folder / name)
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
