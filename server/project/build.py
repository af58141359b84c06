"""The build: validate, then publish ``dist/`` atomically (a failed build never replaces it).

Outputs: the graph as sorted N-Triples (the content hash and version come from it), Turtle,
JSON-LD (https://www.w3.org/TR/json-ld11/) with its context document, an on-disk Oxigraph store
and the page index the server opens, the quality dashboard, the ontology and the shapes, the
validation report (JSON and text), ``build.json`` (counts, content hash, durations) and
``versions/`` (each version and its difference to the previous one: server/project/versions.py).
Everything is written with pyoxigraph or streamed line by line: a million triples take seconds.
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
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from server import dist
from server.config import DATASET_IRI, Settings
from server.namespaces import PREFIXES, bind_prefixes
from server.project.freshness import RECORD_KEY, input_hashes
from server.project.jsonld import write_jsonld
from server.project.quality import quality_report
from server.project.report import Report
from server.project.validation import ValidationRun, validate_project
from server.project.versions import record_version, type_counts
from server.store import page_index
from server.store.local import LocalStore

PREFIX_IRIS = {prefix: str(ns) for prefix, ns in PREFIXES.items()}


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
    run: ValidationRun | None = None


@dataclass
class Sources:
    """What the graph was built from, published beside it."""

    ontology: Graph = field(default_factory=Graph)
    shapes: Graph = field(default_factory=Graph)
    report: Report | None = None           # the validation report, when it was validated
    files: list[str] = field(default_factory=list)
    durations: dict[str, float] = field(default_factory=dict)
    inputs: dict[str, str] = field(default_factory=dict)   # hash of each input (freshness.py)


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
    sources = Sources(run.project.ontology, run.project.shapes, run.report,
                      [str(p.relative_to(settings.root)) for p in run.project.files],
                      run.durations, inputs)
    published = ox.parse(run.project.ntriples("ontology", "data"), format=ox.RdfFormat.N_TRIPLES)
    result = publish(settings.dist_dir, (ox.Triple(q.subject, q.predicate, q.object)
                                         for q in published), sources)
    return BuildResult(result.dist, result.triples, result.entities, result.sha256,
                       result.version, run)


def canonical_lines(triples: Iterable[ox.Triple]) -> list[str]:
    """Sorted N-Triples lines with canonical blank-node labels (RDFC-1.0): the same graph
    always gives the same lines, so the same content hash. Without blank nodes the lines are
    canonical as they are (the canonicalising dataset would cost 6 s a million triples)."""
    found: Iterable = list(triples)
    if any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)
           for t in found):
        dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in found)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        found = dataset
    return sorted({f"{t.subject} {t.predicate} {t.object} .\n" for t in found})


def publish(folder: Path, triples: Iterable[ox.Triple], sources: Sources) -> BuildResult:
    """Write the graph of ``triples`` and everything served beside it into a staging folder,
    then put it in the place of ``folder`` at once (``dist/``; its versions carried over).

    Validation is the caller's job: ``build_graph`` validates first; the benchmark and some
    tests publish graphs as they are.
    """
    durations = sources.durations
    started = time.perf_counter()
    lines = canonical_lines(triples)
    durations["canonical"] = time.perf_counter() - started
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".dist-new-", dir=folder.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; dist/ is for everyone to read
    try:
        started = time.perf_counter()
        with (staging / dist.NTRIPLES).open("w", encoding="utf-8", newline="\n") as out:
            out.writelines(lines)
        # The history is carried over from the live dist/ into the staging folder, so it
        # survives the swap and a refused build leaves it as it was.
        version = record_version(staging, lines, history_from=folder)
        _, entities = type_counts(lines)
        durations["write"] = time.perf_counter() - started
        started = time.perf_counter()
        date = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
        _write_store(staging, dist.graph_version(version.sha256), len(lines), date, sources)
        durations["store"] = time.perf_counter() - started
        (staging / dist.BUILD_RECORD).write_text(json.dumps({
            "date": date,
            "triples": len(lines),
            "entities": entities,
            "sha256": version.sha256,
            "version": version.number,
            "sha256_of": f"sorted N-Triples of {dist.NTRIPLES} (canonical blank nodes)",
            "files": sources.files,
            "durations_s": {k: round(v, 3) for k, v in durations.items()},
            RECORD_KEY: sources.inputs,
        }, indent=2) + "\n", encoding="utf-8")
        _swap_into_place(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return BuildResult(folder, len(lines), entities, version.sha256, version.number)


def jsonld_context() -> dict:
    """The JSON-LD context document: every project prefix."""
    return {"@context": {prefix: str(ns) for prefix, ns in PREFIXES.items()}}


def _write_store(folder: Path, version: str, triples: int, date: str,
                 sources: Sources) -> None:
    """From the N-Triples file just written into ``folder``: the on-disk store the server
    opens, the Turtle and JSON-LD dumps, the page index and the quality dashboard, the
    ontology, shapes and validation report."""
    graph = ox.NamedNode(DATASET_IRI)
    # The JSON-LD dump is written by another process while this one writes the rest (it is
    # Python work: a thread would wait for this one's lock).
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as helper:
        jsonld = helper.submit(_write_jsonld_dump, folder)
        store = ox.Store(str(folder / dist.STORE))
        store.bulk_load(path=str(folder / dist.NTRIPLES), format=ox.RdfFormat.N_TRIPLES,
                        to_graph=graph)
        store.optimize()
        store.dump(str(folder / dist.TURTLE), format=ox.RdfFormat.TURTLE, from_graph=graph,
                   prefixes=PREFIX_IRIS)
        _write_served_files(folder, store, version, triples, date, sources)
        jsonld.result()
    store.flush()


def _write_jsonld_dump(folder: Path) -> None:
    """The JSON-LD dump of the N-Triples file of ``folder``, and its context beside it."""
    (folder / dist.JSONLD_CONTEXT).write_text(json.dumps(jsonld_context(), indent=2) + "\n",
                                              encoding="utf-8")
    with (folder / dist.JSONLD).open("w", encoding="utf-8") as out:
        # Its context is the document beside it, which holds the same prefixes.
        write_jsonld(out, (ox.Triple(q.subject, q.predicate, q.object)
                           for q in ox.parse(path=str(folder / dist.NTRIPLES),
                                             format=ox.RdfFormat.N_TRIPLES)),
                     PREFIX_IRIS, dist.JSONLD_CONTEXT)


def _write_served_files(folder: Path, store: ox.Store, version: str, triples: int, date: str,
                        sources: Sources) -> None:
    """The ontology, shapes and validation report, the page index and the quality dashboard."""
    for name, source in ((dist.SHAPES, sources.shapes), (dist.ONTOLOGY, sources.ontology)):
        bind_prefixes(bind_prefixes(Graph()) + source).serialize(folder / name, format="turtle",
                                                                 encoding="utf-8")
    report = None
    if sources.report is not None:
        report = json.loads(sources.report.to_json_text())
        (folder / dist.REPORT_JSON).write_text(sources.report.to_json_text(), encoding="utf-8")
        (folder / dist.REPORT_TEXT).write_text(sources.report.to_text(), encoding="utf-8")
    page_index.write(folder / dist.PAGES, store, DATASET_IRI, version, triples, date)
    (folder / dist.QUALITY).write_text(
        json.dumps(quality_report(LocalStore(store, DATASET_IRI), report), ensure_ascii=False,
                   indent=1) + "\n", encoding="utf-8")


def _swap_into_place(staging: Path, target: Path) -> None:
    """Replace ``target`` by ``staging``: one atomic exchange where the OS has it, else two renames.

    With the exchange, a reader (the server reopening ``dist/``) always finds a
    complete ``target/``, old or new; with two renames there is a moment without one.
    """
    if not target.exists():
        os.rename(staging, target)
    elif _exchange(staging, target):
        shutil.rmtree(staging)  # it now holds the previous build
    else:
        retired = Path(tempfile.mkdtemp(prefix=".dist-old-", dir=target.parent))
        os.rename(target, retired / "target")
        try:
            os.rename(staging, target)
        except OSError:
            os.rename(retired / "target", target)  # put the previous build back
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
