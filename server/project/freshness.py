"""Whether ``dist/`` is up to date: a hash of each input of the build (``ontology/``,
``shapes/``, ``data/``, ``queries/`` and the build's own code) compared with the hashes the last
build recorded in ``dist/build.json``.

``make serve`` asks this before building, so a second start skips the reasoner and SHACL
(seconds) when nothing changed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from server import dist
from server.config import Settings

# The key of build.json holding the hashes; one hash per input, so a change can be named.
RECORD_KEY = "inputs_sha256"
# The code whose changes may change what the build writes (its checks, the store and page
# index it writes, their names): the whole package but the parts that only read dist/.
_SERVER = Path(__file__).resolve().parent.parent
_NOT_BUILD_CODE = {"cli", "web", "templates", "static"}


def _inputs(settings: Settings) -> dict[str, list[Path]]:
    """Each input of the build by the name a message shows, with the paths it covers."""
    return {"ontology/": [settings.ontology_dir], "shapes/": [settings.shapes_dir],
            f"{settings.data_dir}/": [settings.data_path], "queries/": [settings.queries_dir],
            "the build code": sorted(p for p in _SERVER.iterdir()
                                     if p.name not in _NOT_BUILD_CODE
                                     and not p.name.startswith((".", "__pycache__")))}


def _files(path: Path) -> list[Path]:
    """The files under ``path`` (or ``path`` itself), hidden entries and byte code left out."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        return []
    return sorted(p for p in path.rglob("*") if p.is_file()
                  and not any(part.startswith(".") or part == "__pycache__"
                              for part in p.relative_to(path).parts)
                  and p.suffix != ".pyc")


def _hash(paths: list[Path]) -> str:
    """SHA-256 over the names and contents of every file under ``paths``."""
    digest = hashlib.sha256()
    for top in paths:
        for file in _files(top):
            name = top.name + "/" + file.relative_to(top).as_posix() if top.is_dir() else \
                file.name
            content = file.read_bytes()
            digest.update(f"{name}\0{len(content)}\0".encode())
            digest.update(content)
    return digest.hexdigest()


def input_hashes(settings: Settings) -> dict[str, str]:
    """The hash of each input of the build, as ``build.json`` records it."""
    return {name: _hash(paths) for name, paths in _inputs(settings).items()}


@dataclass(frozen=True)
class Freshness:
    """Whether ``dist/`` was built from the inputs as they are now, and why (one line)."""

    fresh: bool
    reason: str


def freshness(settings: Settings) -> Freshness:
    """Compare the inputs with what ``dist/build.json`` records."""
    record_path = settings.dist_dir / dist.BUILD_RECORD
    if not (settings.dist_dir / dist.NTRIPLES).is_file() or not record_path.is_file():
        return Freshness(False, "no build yet")
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Freshness(False, f"{dist.BUILD_RECORD} is unreadable")
    recorded = record.get(RECORD_KEY) if isinstance(record, dict) else None
    if not isinstance(recorded, dict):
        return Freshness(False, f"{dist.BUILD_RECORD} records no input hashes (an older build)")
    changed = [name for name, value in input_hashes(settings).items()
               if recorded.get(name) != value]
    built = f"the build of {record.get('date', '?')}, version {record.get('version', '?')}"
    if changed:
        return Freshness(False, f"{', '.join(changed)} changed since {built}")
    return Freshness(True, f"nothing changed since {built}")
