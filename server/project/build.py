"""The build: validate, then publish ``dist/`` atomically (a failed build never replaces it).

Outputs: the graph as sorted N-Triples (the content hash and version come from it), Turtle,
JSON-LD (https://www.w3.org/TR/json-ld11/) with its context document, an on-disk Oxigraph store
and the page index the server opens, the quality dashboard, the ontology and the shapes, the
validation report (JSON and text), ``build.json`` (counts, content hash, durations) and
``versions/`` (each version and its difference to the previous one: server/project/versions.py).
Everything is written with pyoxigraph or streamed line by line: a million triples take seconds.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime
import errno
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
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
from server.project.validation import ValidationRun, checking
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
    with checking(settings, reasoner=reasoner, shapes_check=shapes_check) as check:
        project = check.project
        sources = Sources(project.ontology, project.shapes,
                          files=[str(p.relative_to(settings.root)) for p in project.files],
                          durations=check.durations, inputs=inputs)
        with contextlib.ExitStack() as stack:
            # The files are written while SHACL runs, unless a check has refused the graph.
            staging = (stack.enter_context(staged(settings.dist_dir, check.ntriples, sources))
                       if check.conforms_so_far() else None)
            run = check.result()
            if not run.report.conforms:
                raise InvalidGraph(run)
            assert staging is not None    # no violation before SHACL, so it was staged
            sources.report = run.report
            result = staging.publish()
    return BuildResult(result.dist, result.triples, result.entities, result.sha256,
                       result.version, run)


def canonical_lines(ntriples: bytes) -> list[str]:
    """The distinct lines of ``ntriples`` (N-Triples as pyoxigraph writes it: one triple a line,
    its escapes), sorted, with canonical blank-node labels (RDFC-1.0): the same graph always
    gives the same lines, so the same content hash.

    Only the lines that may hold a blank node go through the canonicalising dataset: RDFC-1.0
    labels a blank node from the triples that mention it, so the others cannot change a label,
    and the whole graph would cost 10 s a million triples. ("_:" inside a literal or an IRI
    only sends a line through the dataset, which gives it back as it was.)
    """
    plain: set[str] = set()
    blank: list[str] = []
    for line in ntriples.decode("utf-8").split("\n"):   # not splitlines: U+2028 is text here
        if "_:" in line:
            blank.append(line)
        elif line:
            plain.add(line + "\n")
    if blank:
        dataset = ox.Dataset(ox.parse("\n".join(blank), format=ox.RdfFormat.N_TRIPLES))
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        plain.update(f"{q.subject} {q.predicate} {q.object} .\n" for q in dataset)
    return sorted(plain)


def publish(folder: Path, ntriples: bytes, sources: Sources) -> BuildResult:
    """Write the graph ``ntriples`` (N-Triples as pyoxigraph serialises it) and everything
    served beside it into a staging folder, then put it in the place of ``folder`` at once
    (``dist/``; its versions carried over).

    Validation is the caller's job: ``build_graph`` validates meanwhile; the benchmark and some
    tests publish graphs as they are.
    """
    with staged(folder, ntriples, sources) as staging:
        return staging.publish()


@contextlib.contextmanager
def staged(folder: Path, ntriples: bytes, sources: Sources) -> Iterator[Staging]:
    """The graph ``ntriples`` written into a staging folder beside ``folder``, with all that
    does not depend on the validation report: N-Triples, version, store, dumps, page index.
    ``Staging.publish()`` adds the rest from ``sources`` and puts it in place; leaving the
    block without it throws the staging folder away."""
    durations = sources.durations
    started = time.perf_counter()
    lines = canonical_lines(ntriples)
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
        store = _write_store(staging, dist.graph_version(version.sha256), len(lines), date,
                             sources)
        durations["store"] = time.perf_counter() - started
        yield Staging(folder, staging, store, sources,
                      BuildResult(folder, len(lines), entities, version.sha256,
                                  version.number), date)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


class Staging:
    """A build written beside ``dist/`` but for its validation report (``staged``)."""

    def __init__(self, folder: Path, path: Path, store: ox.Store, sources: Sources,
                 result: BuildResult, date: str):
        self.folder, self.path, self._store, self.sources = folder, path, store, sources
        self.result, self.date = result, date

    def publish(self) -> BuildResult:
        """The validation report and the quality dashboard, ``build.json``, then the swap."""
        sources, result = self.sources, self.result
        started = time.perf_counter()
        _write_report(self.path, self._store, sources.report)
        self._store.flush()
        self._store = None              # closed before the server may open it
        sources.durations["store"] += time.perf_counter() - started
        (self.path / dist.BUILD_RECORD).write_text(json.dumps({
            "date": self.date,
            "triples": result.triples,
            "entities": result.entities,
            "sha256": result.sha256,
            "version": result.version,
            "sha256_of": f"sorted N-Triples of {dist.NTRIPLES} (canonical blank nodes)",
            "files": sources.files,
            "durations_s": {k: round(v, 3) for k, v in sources.durations.items()},
            RECORD_KEY: sources.inputs,
        }, indent=2) + "\n", encoding="utf-8")
        _swap_into_place(self.path, self.folder)
        return result


def jsonld_context() -> dict:
    """The JSON-LD context document: every project prefix."""
    return {"@context": {prefix: str(ns) for prefix, ns in PREFIXES.items()}}


def _write_store(folder: Path, version: str, triples: int, date: str,
                 sources: Sources) -> ox.Store:
    """From the N-Triples file just written into ``folder``: the on-disk store the server
    opens (returned, still open), the Turtle and JSON-LD dumps, the page index, the ontology
    and the shapes."""
    graph = ox.NamedNode(DATASET_IRI)
    # The JSON-LD dump is written by another process while this one writes the rest (it is
    # Python work: a thread would wait for this one's lock); the Turtle dump by a thread, as
    # pyoxigraph releases the lock while it writes (5 s at 1M triples, beside the page index).
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as helper, \
            ThreadPoolExecutor(max_workers=1) as writer:
        jsonld = helper.submit(_write_jsonld_dump, folder)
        store = ox.Store(str(folder / dist.STORE))
        store.bulk_load(path=str(folder / dist.NTRIPLES), format=ox.RdfFormat.N_TRIPLES,
                        to_graph=graph)
        store.optimize()
        turtle = writer.submit(store.dump, str(folder / dist.TURTLE),
                               format=ox.RdfFormat.TURTLE, from_graph=graph,
                               prefixes=PREFIX_IRIS)
        _write_served_files(folder, store, version, triples, date, sources)
        turtle.result()
        jsonld.result()
    return store


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
    """The ontology, the shapes and the page index."""
    for name, source in ((dist.SHAPES, sources.shapes), (dist.ONTOLOGY, sources.ontology)):
        bind_prefixes(bind_prefixes(Graph()) + source).serialize(folder / name, format="turtle",
                                                                 encoding="utf-8")
    page_index.write(folder / dist.PAGES, store, DATASET_IRI, version, triples, date)


def _write_report(folder: Path, store: ox.Store, report: Report | None) -> None:
    """The validation report (when the graph was validated) and the quality dashboard."""
    found = None
    if report is not None:
        found = json.loads(report.to_json_text())
        (folder / dist.REPORT_JSON).write_text(report.to_json_text(), encoding="utf-8")
        (folder / dist.REPORT_TEXT).write_text(report.to_text(), encoding="utf-8")
    (folder / dist.QUALITY).write_text(
        json.dumps(quality_report(LocalStore(store, DATASET_IRI), found), ensure_ascii=False,
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
