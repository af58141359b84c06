"""The graphs the benchmark measures: the curated graph grown by synthetic data of each size,
published as N-Triples.

The curated graph (as built, ontology included) is part of every size, so the catalogue queries
answer their real rows at every size instead of measuring empty answers. The rest is written
directly, as ``cnc-kg build`` would publish it: the build's SHACL step takes minutes at 1M
triples and is not what the benchmark measures.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox

from server import dist
from server.project.synthetic import COUNTRIES_FILE, generate_project


def synthetic_project(repo: Path, work: Path, triples: int, seed: int, curated: Path) -> Path:
    """A freshly generated folder of about ``triples`` data triples, published together with
    the ``curated`` graph (a built N-Triples file).

    Always regenerated (seconds even at 1M): the copied ontology and queries stay current.
    """
    folder = work / f"synthetic-{triples}"
    generate_project(repo, folder, triples, seed)
    publish(folder, curated)
    return folder


def published(folder: Path) -> Path:
    """The N-Triples file every engine loads."""
    return folder / "dist" / dist.NTRIPLES


def publish(folder: Path, curated: Path) -> int:
    """Write ``dist/cnc-kg.nt`` = the ``curated`` N-Triples file (ontology and curated data)
    + the synthetic data, streamed; return the number of triples."""
    target = published(folder)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        with curated.open("rb") as source:
            shutil.copyfileobj(source, out)
        count = triple_count(curated)
        for file in sorted((folder / "data").glob("*.ttl")):
            if file.name == COUNTRIES_FILE:     # the curated graph has the countries already
                continue
            for quad in ox.parse(path=str(file), format=ox.RdfFormat.TURTLE):
                out.write(f"{quad.subject} {quad.predicate} {quad.object} .\n".encode())
                count += 1
    return count


def triple_count(path: Path) -> int:
    """Lines of an N-Triples file (one triple per line, as ``publish`` writes)."""
    with path.open("rb") as handle:
        return sum(1 for _ in handle)
