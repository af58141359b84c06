"""The graphs the benchmark measures: synthetic folders of each size, published as N-Triples.

The published file is what ``cnc-kg build`` would publish (ontology + data), written directly:
the build's SHACL step takes minutes at 1M triples and is not what the benchmark measures.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from server.generate import generate_project
from server.store.factory import DUMP_NAME


def synthetic_project(repo: Path, work: Path, triples: int, seed: int) -> Path:
    """A freshly generated folder of about ``triples`` data triples, published.

    Always regenerated (seconds even at 1M): the copied ontology and queries stay current.
    """
    folder = work / f"synthetic-{triples}"
    generate_project(repo, folder, triples, seed)
    publish(folder)
    return folder


def published(folder: Path) -> Path:
    """The N-Triples file every engine loads."""
    return folder / "dist" / DUMP_NAME


def publish(folder: Path) -> int:
    """Write ``dist/cnc-kg.nt`` = ontology + data, streamed; return the number of triples."""
    target = published(folder)
    target.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with target.open("wb") as out:
        for sub in ("ontology", "data"):
            for file in sorted((folder / sub).glob("*.ttl")):
                for quad in ox.parse(path=str(file), format=ox.RdfFormat.TURTLE):
                    out.write(f"{quad.subject} {quad.predicate} {quad.object} .\n".encode())
                    count += 1
    return count


def triple_count(path: Path) -> int:
    """Lines of an N-Triples file (one triple per line, as ``publish`` writes)."""
    with path.open("rb") as handle:
        return sum(1 for _ in handle)
