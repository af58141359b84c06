"""The build: validate, then publish ``dist/`` atomically (a failed build never replaces it).

Outputs: Turtle, N-Triples, JSON-LD (https://www.w3.org/TR/json-ld11/) with its context document,
the shapes, the validation report (JSON and text), ``build.json`` (counts and content hash) and
``versions/`` (each version and its difference to the previous one: server/project/versions.py).
"""

from __future__ import annotations

import ctypes
import datetime
import errno
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, Graph, URIRef
from rdflib.compare import to_canonical_graph

from server import dist
from server.config import DATA_NS, Settings
from server.namespaces import PREFIXES, bind_prefixes
from server.project.freshness import RECORD_KEY, input_hashes
from server.project.validation import ValidationRun, validate_project
from server.project.versions import record_version, sorted_ntriples


class InvalidGraph(Exception):
    """The graph has violations; nothing was written."""

    def __init__(self, run: ValidationRun):
        self.run = run
        super().__init__(f"{run.report.violations} violation(s): dist/ left untouched")


@dataclass(frozen=True)
class BuildResult:
    """What a successful build wrote."""

    dist: Path
    triples: int
    entities: int
    sha256: str
    version: int       # the dataset version this build is (unchanged content: the last one)
    run: ValidationRun


def build_graph(settings: Settings, reasoner: bool = True,
                shapes_check: bool = True) -> BuildResult:
    """Validate the project and, if valid, replace ``settings.dist_dir`` with a fresh build.

    Raises ``ProjectError`` (unreadable input) or ``InvalidGraph`` (violations); in both cases
    the previous ``dist/`` is left as it was.
    """
    inputs = input_hashes(settings)  # before reading: an edit made meanwhile shows next time
    run = validate_project(settings, reasoner=reasoner, shapes_check=shapes_check)
    if not run.report.conforms:
        raise InvalidGraph(run)
    started = time.perf_counter()
    # Canonical blank-node labels: the same sources give the same N-Triples and the same hash.
    graph = bind_prefixes(Graph())
    graph += to_canonical_graph(run.project.published())
    ntriples = sorted_ntriples(graph)
    entities = len({s for s in graph.subjects(RDF.type) if isinstance(s, URIRef)
                    and str(s).startswith(DATA_NS)})
    settings.root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".dist-new-", dir=settings.root))
    staging.chmod(0o755)  # mkdtemp makes it private; dist/ is for everyone to read
    try:
        _write_outputs(staging, graph, ntriples, run)
        # The history is carried over from the live dist/ into the staging folder, so it
        # survives the swap and a refused build leaves it as it was.
        version = record_version(staging, graph, history_from=settings.dist_dir)
        run.durations["write"] = time.perf_counter() - started
        (staging / dist.BUILD_RECORD).write_text(json.dumps({
            "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "triples": len(graph),
            "entities": entities,
            "sha256": version.sha256,
            "version": version.number,
            "sha256_of": "sorted N-Triples of cnc-kg.nt (canonical blank nodes)",
            "files": [str(p.relative_to(settings.root)) for p in run.project.files],
            "durations_s": {k: round(v, 3) for k, v in run.durations.items()},
            RECORD_KEY: inputs,
        }, indent=2) + "\n", encoding="utf-8")
        _swap_into_place(staging, settings.dist_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return BuildResult(settings.dist_dir, len(graph), entities, version.sha256, version.number,
                       run)


def jsonld_context() -> dict:
    """The JSON-LD context document: every project prefix."""
    return {"@context": {prefix: str(ns) for prefix, ns in PREFIXES.items()}}


def _write_outputs(folder: Path, graph: Graph, ntriples: str, run: ValidationRun) -> None:
    """Every published file, written into ``folder`` (a staging folder)."""
    (folder / dist.NTRIPLES).write_text(ntriples, encoding="utf-8")
    graph.serialize(folder / dist.TURTLE, format="turtle", encoding="utf-8")
    context = jsonld_context()
    (folder / dist.JSONLD_CONTEXT).write_text(json.dumps(context, indent=2) + "\n",
                                              encoding="utf-8")
    document = json.loads(graph.serialize(format="json-ld", context=context["@context"]))
    # Point at the context document instead of repeating it; it sits next to this file.
    document["@context"] = dist.JSONLD_CONTEXT
    (folder / dist.JSONLD).write_text(
        json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for name, source in ((dist.SHAPES, run.project.shapes), (dist.ONTOLOGY, run.project.ontology)):
        bind_prefixes(bind_prefixes(Graph()) + source).serialize(folder / name, format="turtle",
                                                                 encoding="utf-8")
    (folder / dist.REPORT_JSON).write_text(run.report.to_json_text(), encoding="utf-8")
    (folder / dist.REPORT_TEXT).write_text(run.report.to_text(), encoding="utf-8")


def _swap_into_place(staging: Path, dist: Path) -> None:
    """Replace ``dist`` by ``staging``: one atomic exchange where the OS has it, else two renames.

    With the exchange, a reader (the server reloading ``dist/cnc-kg.nt``) always finds a
    complete ``dist/``, old or new; with two renames there is a moment without one.
    """
    if not dist.exists():
        os.rename(staging, dist)
    elif _exchange(staging, dist):
        shutil.rmtree(staging)  # it now holds the previous build
    else:
        retired = Path(tempfile.mkdtemp(prefix=".dist-old-", dir=dist.parent))
        os.rename(dist, retired / "dist")
        try:
            os.rename(staging, dist)
        except OSError:
            os.rename(retired / "dist", dist)  # put the previous build back
            retired.rmdir()
            raise
        shutil.rmtree(retired)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2  # renameat2(2) flag, Linux >= 3.15


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically with Linux ``renameat2``; False where it is not available."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second),
                 _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL):  # kernel or file system without the flag
        return False
    raise OSError(code, os.strerror(code), str(second))
