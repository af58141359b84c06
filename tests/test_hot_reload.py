"""Hot reload: ``cnc-kg build`` under load publishes the new graph to the running server with no
failed request and no request seeing a mix of old and new; an invalid build is refused with its
file and line, ``dist/`` stays as it was and the server keeps serving the graph it had.

The edit adds two names to the CNC at once, so every answer must hold both or neither.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pyoxigraph as ox
import pytest
from http_calls import http
from rdflib import Graph, URIRef
from rdflib.namespace import SKOS
from server_status import status

from server.config import DATA_NS
from server.project.build import Sources, publish

CNC_KG = str(Path(sys.executable).parent / "cnc-kg")
BROKEN = Path(__file__).resolve().parent / "broken"
CLIENTS = 4
RELOAD_CHECK = "0.2"            # seconds between the server's checks of dist/
WORKERS = ("--workers", "2")
PATIENCE = 60.0                 # seconds the new graph may take to appear on a loaded machine
PROBES = ("reload probe A", "reload probe B")
EDIT = '\nkg:cnc skos:altLabel "reload probe A"@en , "reload probe B"@en .\n'
PROBE_QUERY = ("SELECT ?name WHERE { <https://w3id.org/cnc-kg/id/cnc> "
               "<http://www.w3.org/2004/02/skos/core#altLabel> ?name "
               'FILTER(STRSTARTS(STR(?name), "reload probe")) }')


@pytest.fixture
def project(built_root: Path, tmp_path: Path) -> Path:
    """A built copy of the project that this test may rebuild."""
    for name in ("ontology", "shapes", "data", "queries", "dist"):
        shutil.copytree(built_root / name, tmp_path / name)
    return tmp_path


def _get(url: str, accept: str, headers: dict[str, str] | None = None) -> bytes:
    """The body of a 200 answer; any other raises OSError (as urlopen's HTTPError did), which
    the clients under ``Load`` count as a failure."""
    code, _, body = http(url, accept=accept, headers=headers)
    if code != 200:
        raise OSError(f"{url}: HTTP {code} {body[:200]!r}")
    return body


def probes_in_query(base: str) -> frozenset[str]:
    """The probe names one SPARQL query sees."""
    url = base + "sparql?" + urllib.parse.urlencode({"query": PROBE_QUERY})
    lines = _get(url, "text/csv").decode("utf-8").splitlines()[1:]
    return frozenset(line.strip() for line in lines if line.strip())


def probes_in_document(base: str) -> frozenset[str]:
    """The probe names the CNC's RDF document carries."""
    graph = Graph().parse(data=_get(base + "id/cnc.nt", "application/n-triples"), format="nt")
    names = graph.objects(URIRef(DATA_NS + "cnc"), SKOS.altLabel)
    return frozenset(str(n) for n in names if str(n) in PROBES)


def probes_in_page(base: str) -> frozenset[str]:
    """The probe names the CNC's HTML page shows (built from several queries in one request);
    asked the same way each time, so that the worker sends its finished answer again until a
    build lands (``replayed``)."""
    page = _get(base + "id/cnc", "text/html", {"Accept-Language": "en"}).decode("utf-8")
    return frozenset(p for p in PROBES if p in page)


def build(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([CNC_KG, "--root", str(root), "build", "--no-reasoner",
                           "--no-shapes-check"], capture_output=True, text=True, timeout=300)


def dist_state(root: Path) -> dict[str, bytes]:
    dist = root / "dist"
    return {str(p.relative_to(dist)): p.read_bytes() for p in sorted(dist.rglob("*"))
            if p.is_file()}


class Load:
    """Clients reading the probes in a loop; records every answer and every failure."""

    def __init__(self, base: str):
        self.base = base
        self.seen: list[frozenset[str]] = []
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._client, args=(i,))
                         for i in range(CLIENTS)]

    def _client(self, i: int) -> None:
        reads = (probes_in_query, probes_in_document, probes_in_page)
        while not self._stop.is_set():
            read = reads[i % len(reads)]
            i += 1
            try:
                self.seen.append(read(self.base))
            except (OSError, ValueError) as error:
                self.failures.append(f"{read.__name__}: {error!r}")

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()


def replace_file(path: Path, content: bytes) -> None:
    """Give ``path`` new ``content`` in one rename, as a build would."""
    staged = path.with_name(path.name + ".new")
    staged.write_bytes(content)
    staged.replace(path)


def version_of(dist_files: dict[str, bytes]) -> str:
    """The graph version of a dist/ (as ``dist_state`` read it) that the server reports."""
    return json.loads(dist_files["build.json"])["sha256"][:16]


def checks_per_worker(base: str, beyond: dict[int, int] | None = None,
                      until_version: str | None = None) -> dict[int, dict]:
    """The status of each web worker, once every one has done more reload checks than
    ``beyond`` says for it, or serves ``until_version`` (when given)."""
    seen: dict[int, dict] = {}
    deadline = time.monotonic() + PATIENCE
    while len(seen) < int(WORKERS[1]) or (beyond is not None and any(
            s["reload"]["checks"] < beyond.get(pid, 0) for pid, s in seen.items())) or (
            until_version is not None and any(
                s["version"] != until_version for s in seen.values())):
        assert time.monotonic() < deadline, f"workers never checked dist/ again: {seen}"
        current = status(base)
        seen[current["worker"]] = current
    return seen


def test_build_under_load_swaps_graph_atomically(project, server_starter):
    new = frozenset(PROBES)
    with server_starter(project, *WORKERS, env={"CNC_KG_RELOAD_CHECK": RELOAD_CHECK}) as base:
        assert probes_in_query(base) == frozenset()
        with Load(base) as load:
            with (project / "data" / "cnc.ttl").open("a", encoding="utf-8") as data:
                data.write(EDIT)
            done = build(project)
            assert done.returncode == 0, done.stdout + done.stderr
            deadline = time.monotonic() + PATIENCE
            # Every gunicorn worker reloads on its own: wait until several answers in a row
            # are new (each client also keeps checking meanwhile).
            while len(load.seen) < 20 or any(s != new for s in load.seen[-20:]):
                assert time.monotonic() < deadline, "the new graph never became visible"
                time.sleep(0.1)
        assert load.failures == []
        assert set(load.seen) <= {frozenset(), new}, "an answer mixed old and new"
        assert frozenset() in load.seen and new in load.seen

        # An unreadable file: refused with file and line, dist/ and the served graph unchanged.
        published = dist_state(project)
        shutil.copy(BROKEN / "syntax-error" / "nodes.ttl", project / "data" / "zz-broken.ttl")
        with Load(base) as load:
            before = checks_per_worker(base)
            refused = build(project)
            # Every worker has checked dist/ at least twice since the refused build ended.
            after = checks_per_worker(base, beyond={pid: s["reload"]["checks"] + 2
                                                    for pid, s in before.items()})
        assert refused.returncode == 2
        assert {s["version"] for s in after.values()} == {version_of(published)}
        assert "data/zz-broken.ttl:9:31: Turtle syntax error" in refused.stderr
        assert dist_state(project) == published
        assert [p.name for p in project.iterdir() if p.name.startswith(".dist")] == []
        assert load.failures == []
        assert set(load.seen) == {new}
        assert probes_in_query(base) == new


def test_unloadable_dist_keeps_the_served_graph(project, server_starter, server_pid):
    """A published build the server cannot open (hand-edited dist/) is not swapped in; a
    worker started meanwhile answers 503 saying why instead of stopping the server, and the
    next good build is served by every worker."""
    with server_starter(project, *WORKERS, env={"CNC_KG_RELOAD_CHECK": RELOAD_CHECK}) as base:
        count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        url = base + "sparql?" + urllib.parse.urlencode({"query": count})
        before = _get(url, "text/csv")
        workers = checks_per_worker(base)        # every worker has opened the good build
        dist = project / "dist"
        replace_file(dist / "pages.sqlite", b"not an index")
        record = json.loads((dist / "build.json").read_text("utf-8"))
        record["sha256"] = "f" * 64                     # claims to be another build
        replace_file(dist / "build.json", json.dumps(record).encode())
        log = project / f"serve-{urllib.parse.urlsplit(base).port}.log"
        deadline = time.monotonic() + PATIENCE
        with Load(base) as load:
            while "not reloaded, still serving the previous graph" not in log.read_text():
                assert time.monotonic() < deadline, "the server never tried the new file"
                time.sleep(0.1)
        assert load.failures == []
        assert _get(url, "text/csv") == before

        # A worker replaced now (killed here; a crash or a recycle in production) cannot open
        # the build: it says so with a 503 while the other keeps serving, and the server stays.
        os.kill(min(workers), signal.SIGKILL)
        refusal, deadline = None, time.monotonic() + PATIENCE
        while refusal is None:
            assert time.monotonic() < deadline, "no worker ever refused the damaged build"
            answer = http(url, accept="text/csv")
            if answer.status == 503:
                refusal = answer
            else:
                assert answer.status == 200 and answer.body == before
        assert b"the published build cannot be opened: file is not a database" in refusal.body
        assert refusal.headers["Retry-After"] == "5"
        os.kill(server_pid(base), 0)                     # the main process is alive

        done = build(project)                            # the next good build: every worker
        assert done.returncode == 0, done.stdout + done.stderr
        deadline = time.monotonic() + PATIENCE
        answers = []
        while len(answers) < 20 or any(a != (200, before) for a in answers[-20:]):
            assert time.monotonic() < deadline, answers[-5:]
            answer = http(url, accept="text/csv")
            answers.append((answer.status, answer.body))


SWAPS = 20


def test_twenty_builds_swapped_in_under_load_fail_no_request(project, server_starter, figure):
    """Builds published one after the other while clients read: every answer is whole (old or
    new graph, never a mix), no request fails, and each build is served in its turn."""
    def ntriples(text: str) -> bytes:        # as pyoxigraph writes it, which publish reads
        return ox.serialize(ox.parse(text, format=ox.RdfFormat.N_TRIPLES),
                            format=ox.RdfFormat.N_TRIPLES)

    dist = project / "dist"
    sources = Sources(Graph().parse(dist / "ontology.ttl"), Graph().parse(dist / "shapes.ttl"))
    plain = (dist / "cnc-kg.nt").read_text("utf-8")
    probed = plain + "".join(f'<{DATA_NS}cnc> <{SKOS.altLabel}> "{name}"@en .\n'
                             for name in PROBES)
    with server_starter(project, *WORKERS, env={"CNC_KG_RELOAD_CHECK": RELOAD_CHECK}) as base:
        with Load(base) as load:
            for turn in range(SWAPS):
                version = publish(dist, ntriples(probed if turn % 2 == 0 else plain),
                                  sources).sha256[:16]
                checks_per_worker(base, until_version=version)
        assert load.failures == []
        assert set(load.seen) == {frozenset(), frozenset(PROBES)}, "an answer mixed old and new"
        figure("builds swapped in under load", SWAPS)
        figure("answers read meanwhile, none mixing two builds", len(load.seen))
        figure("requests failed", len(load.failures))
