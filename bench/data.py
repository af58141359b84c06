"""The graphs the benchmark measures: the curated project grown by synthetic data of each size,
built by ``cnc-kg build`` with its full validation, as a curator's build would be.

The curated data is part of every size, so the catalogue queries answer their real rows at every
size instead of measuring empty answers.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from server import dist
from server.project.synthetic import COUNTRIES_FILE, generate_project

BIN = Path(sys.executable).parent
CURATED_FOLDER = "curated"        # under the synthetic project's data/


def synthetic_project(repo: Path, work: Path, triples: int, seed: int) -> Path:
    """A freshly generated folder of about ``triples`` synthetic triples plus the project's
    curated data (whose countries replace the generator's copy of them).

    Always regenerated (seconds even at 1M): the copied ontology and queries stay current.
    """
    folder = work / f"synthetic-{triples}"
    generate_project(repo, folder, triples, seed)
    (folder / "data" / COUNTRIES_FILE).unlink()
    shutil.copytree(repo / "data", folder / "data" / CURATED_FOLDER,
                    ignore=shutil.ignore_patterns("*.md"))
    return folder


def build(folder: Path, timeout: float, *flags: str, validated: bool = True) -> dict:
    """``cnc-kg build`` of ``folder`` (validation included unless ``flags`` skip parts), or,
    not ``validated``, ``bench.publish``: wall-clock seconds, the build's own durations per
    step, triples and disk sizes."""
    command = ([str(BIN / "cnc-kg"), "--root", str(folder), "build", *flags] if validated
               else [sys.executable, "-m", "bench.publish", str(folder)])
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[-3:])} failed:\n{done.stdout[-3000:]}"
                           f"{done.stderr[-3000:]}")
    record = json.loads((folder / "dist" / dist.BUILD_RECORD).read_text("utf-8"))
    return {"seconds": seconds, "validated": validated,
            "steps_s": record["durations_s"], "triples": record["triples"],
            "store_mb": _size(folder / "dist" / dist.STORE) / 2**20,
            "page_index_mb": _size(folder / "dist" / dist.PAGES) / 2**20}


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def published(folder: Path) -> Path:
    """The N-Triples file of the build (what the other engines load)."""
    return folder / "dist" / dist.NTRIPLES


def triple_count(path: Path) -> int:
    """Lines of an N-Triples file (one triple per line, as the build writes)."""
    with path.open("rb") as handle:
        return sum(1 for _ in handle)
