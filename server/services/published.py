"""What ``cnc-kg build`` published in ``dist/``: the build record, the dumps, the versions, the
validation report, the ontology and the shapes as built.

The only service that reads ``dist/`` (its file names: ``server.dist``). A build replaces the
whole folder at once, so each file is re-read when its stamp (inode, mtime) changes.
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
import json
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from rdflib import Graph

from server import dist
from server.namespaces import bind_prefixes
from server.project.versions import changes

T = TypeVar("T")


@dataclass(frozen=True)
class Dump:
    """One downloadable file of the whole graph."""

    name: str              # file name under /dumps/
    source: str            # file of dist/ it is made from
    media_type: str
    label: str
    gzipped: bool = False  # served as the gzip of ``source``


DUMPS: tuple[Dump, ...] = (
    Dump(dist.TURTLE, dist.TURTLE, "text/turtle", "Turtle"),
    Dump(dist.NTRIPLES + ".gz", dist.NTRIPLES, "application/n-triples", "N-Triples (gzip)",
         gzipped=True),
    Dump(dist.JSONLD, dist.JSONLD, "application/ld+json", "JSON-LD"),
    Dump(dist.JSONLD_CONTEXT, dist.JSONLD_CONTEXT, "application/ld+json", "JSON-LD context"),
)

# A per-version dump as ``server.project.versions`` names it.
VERSION_DUMP = re.compile(r"^v([1-9][0-9]*)\.nt\.gz$")


@dataclass(frozen=True)
class DumpFile:
    """A dump as it is on disk right now."""

    dump: Dump
    body: bytes
    modified: datetime.datetime
    sha256: str            # of the bytes served (the gzip for a gzipped dump)

    @property
    def size(self) -> int:
        return len(self.body)


_lock = threading.Lock()
_cache: dict[tuple[str, str], tuple[tuple[int, int], object]] = {}


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    return info.st_ino, info.st_mtime_ns


def _cached(path: Path, kind: str, make: Callable[[Path], T]) -> T | None:
    """``make(path)``, computed again only when the file changes; ``None`` if it is missing.
    Only the newest result per (file, kind) is kept."""
    stamp = _stamp(path)
    if stamp is None:
        return None
    key = (str(path), kind)
    with _lock:
        cached = _cache.get(key)
        if cached is None or cached[0] != stamp:
            cached = _cache[key] = (stamp, make(path))
        return cached[1]  # type: ignore[return-value]


def _turtle(path: Path) -> Graph:
    graph = bind_prefixes(Graph())
    graph.parse(path, format="turtle")
    return graph


class Published:
    """The files of one ``dist/`` folder."""

    def __init__(self, folder: Path):
        self.folder = folder

    def build_record(self) -> dict | None:
        """What ``cnc-kg build`` recorded (``build.json``: date, version, SHA-256, counts)."""
        return _cached(self.folder / dist.BUILD_RECORD, "json",
                       lambda p: json.loads(p.read_text("utf-8")))

    def build_date(self) -> datetime.datetime | None:
        """When dist/ was built (``build.json``), else the N-Triples file's time, else ``None``.

        Every page asks (Last-Modified): the file is read again only when its stamp changes.
        """
        record = self.build_record()
        if record is not None:
            return datetime.datetime.fromisoformat(record["date"])
        stamp = _stamp(self.folder / dist.NTRIPLES)
        return None if stamp is None else datetime.datetime.fromtimestamp(stamp[1] / 1e9,
                                                                          datetime.UTC)

    def dump_file(self, name: str, decoded: bool = False) -> DumpFile | None:
        """The dump called ``name`` if it is declared and present; with ``decoded``, a gzipped
        dump's bytes before compression (for a client that reads N-Triples, not gzip)."""
        dump = next((d for d in DUMPS if d.name == name), None)
        if dump is None:
            return None
        path = self.folder / dump.source
        gzipped = dump.gzipped and not decoded
        # mtime 0: the gzip bytes (and so the ETag) are the same in every worker.
        body = _cached(path, "gzip" if gzipped else "bytes",
                       (lambda p: gzip.compress(p.read_bytes(), compresslevel=9, mtime=0))
                       if gzipped else Path.read_bytes)
        if body is None:
            return None
        digest = _cached(path, "sha256-gzip" if dump.gzipped else "sha256",
                         lambda _: hashlib.sha256(body).hexdigest())
        modified = datetime.datetime.fromtimestamp(int(path.stat().st_mtime), datetime.UTC)
        return DumpFile(dump, body, modified, digest or "")

    def dumps(self) -> list[DumpFile]:
        """Every declared dump present."""
        return [f for f in (self.dump_file(d.name) for d in DUMPS) if f is not None]

    def versions(self, since: int = 0) -> list[dict]:
        """The recorded versions after ``since``, newest first (``server.project.versions``)."""
        return changes(self.folder, since)

    def version_dump(self, name: str) -> Path | None:
        """The file of the per-version dump called ``name`` (``v<N>.nt.gz``), if recorded."""
        if not VERSION_DUMP.match(name):
            return None
        path = self.folder / dist.VERSIONS / name
        return path if path.is_file() else None

    def validation_report(self) -> dict | None:
        """The build's validation report (JSON), if present."""
        return _cached(self.folder / dist.REPORT_JSON, "json",
                       lambda p: json.loads(p.read_text("utf-8")))

    def quality(self) -> dict | None:
        """The curators' dashboard the build computed (``server.project.quality``), if any."""
        return _cached(self.folder / dist.QUALITY, "json",
                       lambda p: json.loads(p.read_text("utf-8")))

    def ontology(self) -> Graph:
        """The ontology as built (core + alignments); empty if absent."""
        return _cached(self.folder / dist.ONTOLOGY, "turtle", _turtle) or bind_prefixes(Graph())

    def shapes(self) -> Graph:
        """Every SHACL shape as built; empty if absent."""
        return _cached(self.folder / dist.SHAPES, "turtle", _turtle) or bind_prefixes(Graph())
