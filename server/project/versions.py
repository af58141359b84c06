"""Dataset versions: each build's date, counts and content hash, its dump, and the diff to the last.

Layout under ``dist/versions/``: ``index.json`` (every version, oldest first), ``v<N>.json`` (one
version with its entity-level diff) and ``v<N>.nt.gz`` (that version's sorted N-Triples), so a
harvester can fetch the change list and sync incrementally. A build whose content hash equals
the last version's records nothing new. DCAT versioning: https://www.w3.org/TR/vocab-dcat-3/#version-info
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
import json
import shutil
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import RDF

from server import dist
from server.config import DATA_NS

VERSIONS_DIR = dist.VERSIONS
INDEX_FILE = "index.json"


@dataclass(frozen=True)
class Version:
    """One recorded version of the dataset."""

    number: int
    date: str                      # ISO 8601, UTC
    sha256: str                    # of the sorted N-Triples (dump file ``v<N>.nt.gz``)
    triples: int
    entities: int
    classes: dict[str, int]        # instances per class
    previous: int | None
    added: list[str] = field(default_factory=list)     # entity IRIs
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def dump_name(self) -> str:
        """The file name of this version's dump, inside ``versions/``."""
        return f"v{self.number}.nt.gz"


RDF_TYPE = f"<{RDF.type}>"


def sorted_ntriples(graph: Graph) -> list[str]:
    """The graph as sorted N-Triples lines (give it canonical blank nodes for a stable hash)."""
    return sorted(line + "\n" for line in graph.serialize(format="nt").splitlines()
                  if line.strip())


def _entities(lines: list[str]) -> dict[str, set[str]]:
    """Statement lines grouped by their ``kg:`` subject (other subjects are not entities)."""
    grouped: dict[str, set[str]] = defaultdict(set)
    prefix = f"<{DATA_NS}"
    for line in lines:
        if line.startswith(prefix):
            grouped[line[1:line.index(">")]].add(line)
    return grouped


def diff(old_lines: list[str], new_lines: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Entities added, changed and removed between two sorted N-Triples dumps."""
    old, new = _entities(old_lines), _entities(new_lines)
    added = sorted(new.keys() - old.keys())
    removed = sorted(old.keys() - new.keys())
    changed = sorted(k for k in old.keys() & new.keys() if old[k] != new[k])
    return added, changed, removed


def history(dist_dir: Path) -> list[Version]:
    """Every version recorded in ``dist_dir`` (oldest first); empty if none."""
    index = dist_dir / VERSIONS_DIR / INDEX_FILE
    if not index.exists():
        return []
    return [Version(**entry) for entry in json.loads(index.read_text(encoding="utf-8"))]


def _dump_lines(folder: Path, version: Version) -> list[str]:
    with gzip.open(folder / version.dump_name, "rt", encoding="utf-8") as handle:
        return handle.read().splitlines(keepends=True)


def record_version(dist_dir: Path, lines: list[str], history_from: Path | None = None,
                   now: datetime.datetime | None = None) -> Version:
    """Record the graph of the sorted N-Triples ``lines`` as the next version in
    ``dist_dir/versions`` and return it.

    ``history_from`` is the previous ``dist/`` when ``dist_dir`` is a fresh staging folder: its
    versions are carried over first. Unchanged content (same hash) returns the last version.
    """
    folder = dist_dir / VERSIONS_DIR
    if history_from is not None and (history_from / VERSIONS_DIR).is_dir() \
            and history_from.resolve() != dist_dir.resolve():
        shutil.copytree(history_from / VERSIONS_DIR, folder, dirs_exist_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    versions = history(dist_dir)
    digest = content_hash(lines)
    last = versions[-1] if versions else None
    if last is not None and last.sha256 == digest:
        return last
    added, changed, removed = diff(_dump_lines(folder, last) if last else [], lines)
    classes, entities = type_counts(lines)
    version = Version(
        number=(last.number + 1) if last else 1,
        date=(now or datetime.datetime.now(datetime.UTC)).isoformat(timespec="seconds"),
        sha256=digest,
        triples=len(lines),
        entities=entities,
        classes=dict(sorted(classes.items())),
        previous=last.number if last else None,
        added=added, changed=changed, removed=removed,
    )
    with gzip.open(folder / version.dump_name, "wt", encoding="utf-8") as handle:
        handle.writelines(lines)
    (folder / f"v{version.number}.json").write_text(
        json.dumps(asdict(version), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (folder / INDEX_FILE).write_text(json.dumps([asdict(v) for v in [*versions, version]],
                                                ensure_ascii=False, indent=2) + "\n",
                                     encoding="utf-8")
    return version


def content_hash(lines: list[str]) -> str:
    """SHA-256 of the sorted N-Triples text: the build's identity (``dist.graph_version``)."""
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.encode("utf-8"))
    return digest.hexdigest()


def type_counts(lines: list[str]) -> tuple[Counter, int]:
    """(instances per class, number of entities: typed subjects under ``DATA_NS``) of the
    N-Triples ``lines``."""
    classes: Counter = Counter()
    entities = set()
    marker = f" {RDF_TYPE} "
    for line in lines:
        subject, found, rest = line.partition(marker)
        obj = rest.rstrip(" .\n")
        # A subject holds no space: a marker further on is inside a literal.
        if found and " " not in subject and obj.startswith("<"):
            classes[obj[1:-1]] += 1
            if subject.startswith(f"<{DATA_NS}"):
                entities.add(subject)
    return classes, len(entities)


def changes(dist_dir: Path, since: int = 0) -> list[dict]:
    """The change feed's entries, newest first: per version after ``since``, what changed.

    Each entry: number, date, sha256, previous, dump (path relative to dist/), and the entity
    IRIs ``added`` / ``changed`` / ``removed`` (the first version lists everything as added).
    """
    return [
        {"number": v.number, "date": v.date, "sha256": v.sha256, "previous": v.previous,
         "dump": f"{VERSIONS_DIR}/{v.dump_name}", "added": v.added, "changed": v.changed,
         "removed": v.removed}
        for v in reversed(history(dist_dir)) if v.number > since
    ]
