"""Load: parallel clients mixing SPARQL (urllib and SPARQLWrapper), entity pages and documents,
search, lists and dumps against the real server, for a bounded time — no failed request, and the
server's memory (PSS of its whole process tree) grows less than ``MEMORY_GROWTH_MIB``.

No timing is asserted: the run lasts ``DURATION`` seconds whatever the machine's speed.
"""

from __future__ import annotations

import gzip
import itertools
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable

from process_memory import tree_memory_mib
from rdflib import Graph
from SPARQLWrapper import JSON, POST, SPARQLWrapper

from server.config import DATA_NS

CLIENTS = 8
DURATION = 12.0            # seconds of load
MEMORY_GROWTH_MIB = 64     # stated in docs/operating.md
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
JOIN = ("SELECT ?s ?label WHERE { ?s a ?type ; <http://www.w3.org/2000/01/rdf-schema#label> "
        "?label } ORDER BY ?s LIMIT 50")
AGGREGATE = "SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type ORDER BY ?type"


def _fetch(url: str, *, data: bytes | None = None, headers: dict | None = None) -> bytes:
    """The body of a 200 answer; anything else raises (and is counted as a failure)."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    with urllib.request.urlopen(request, timeout=60) as response:
        if response.status != 200:
            raise AssertionError(f"{url}: HTTP {response.status}")
        return response.read()


def _entity_slugs(dump_path) -> list[str]:
    graph = Graph().parse(dump_path, format="nt")
    slugs = sorted({str(s)[len(DATA_NS):] for s in graph.subjects()
                    if str(s).startswith(DATA_NS) and "/" not in str(s)[len(DATA_NS):]})
    return slugs[:: max(1, len(slugs) // 12)]


def workload(base: str, slugs: list[str], triples: int) -> list[Callable[[], None]]:
    """One call per kind of request, each checking its answer."""
    sparql = base + "sparql"

    def count_get() -> None:
        url = sparql + "?" + urllib.parse.urlencode({"query": COUNT})
        body = _fetch(url, headers={"Accept": "application/sparql-results+json"})
        assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == triples

    def join_post() -> None:
        body = _fetch(sparql, data=urllib.parse.urlencode({"query": JOIN}).encode(),
                      headers={"Accept": "text/csv",
                               "Content-Type": "application/x-www-form-urlencoded"})
        assert body.startswith(b"s,label")

    def aggregate_wrapper() -> None:
        client = SPARQLWrapper(sparql)
        client.setMethod(POST)
        client.setQuery(AGGREGATE)
        client.setReturnFormat(JSON)
        assert client.queryAndConvert()["results"]["bindings"]

    def entity_page(slug: str) -> None:
        body = _fetch(f"{base}id/{slug}", headers={"Accept": "text/html",
                                                    "Accept-Language": "zh"})
        assert b"<html" in body

    def entity_turtle(slug: str) -> None:
        Graph().parse(data=_fetch(f"{base}id/{slug}.ttl"), format="turtle")

    def search() -> None:
        hits = json.loads(_fetch(base + "api/search?" + urllib.parse.urlencode({"q": "carbon"})))
        assert isinstance(hits, list | dict)

    def dump() -> None:
        assert gzip.decompress(_fetch(base + "dumps/cnc-kg.nt.gz")).count(b"\n") == triples

    def pages() -> None:
        for path in ("", "list/", "search?q=CNRS", ".well-known/void", "sitemap.xml"):
            _fetch(base + path)

    calls = [count_get, join_post, aggregate_wrapper, search, dump, pages]
    for slug in slugs:
        calls += [lambda s=slug: entity_page(s), lambda s=slug: entity_turtle(s)]
    return calls


def run_clients(calls: list[Callable[[], None]], spread: int) -> tuple[int, list[str]]:
    """``CLIENTS`` threads making ``calls`` in turn for ``DURATION`` seconds, client ``i``
    starting at call ``i * spread``; the calls answered and the failures."""
    failures: list[str] = []
    done = itertools.count()
    stop = time.monotonic() + DURATION

    def client(offset: int) -> None:
        for call in itertools.islice(itertools.cycle(calls), offset, None):
            if time.monotonic() > stop:
                return
            try:
                call()
                next(done)
            except (AssertionError, OSError, ValueError) as error:
                failures.append(f"{getattr(call, '__name__', call)}: {error!r}")

    threads = [threading.Thread(target=client, args=(i * spread,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return next(done), failures


def test_mixed_load_no_errors_bounded_memory(live_server, server_pid, dump_path, figure):
    """Pages, searches, downloads and SPARQL queries of every kind by parallel clients after
    every cache is warm: no failed request, and the server's memory grows by less than the bound."""
    with open(dump_path, "rb") as handle:
        triples = sum(1 for _ in handle)
    calls = workload(live_server, _entity_slugs(dump_path), triples)
    for call in calls:                  # warm every cache first: growth is measured after
        call()
    pid = server_pid(live_server)
    before = tree_memory_mib(pid)

    answered, failures = run_clients(calls, spread=3)
    after = tree_memory_mib(pid)
    assert failures == [], f"{len(failures)} failed of {answered + len(failures)}: {failures[:5]}"
    assert answered > len(calls)
    assert after - before < MEMORY_GROWTH_MIB, (
        f"server memory grew {after - before:.1f} MiB ({before:.1f} -> {after:.1f} MiB) "
        f"over {answered} requests")
    figure(f"requests answered by {CLIENTS} parallel clients in {DURATION:g} s", answered)
    figure("requests failed", len(failures))
    figure("memory growth (MiB)", round(after - before, 1))


HARVESTED = (("robots.txt", "text/plain"), ("sitemap.xml", "*/*"),
             (".well-known/void", "text/turtle"), ("dataset", "application/ld+json"),
             ("sparql", "text/turtle"), ("changes.atom", "*/*"), ("changes.json", "*/*"),
             ("changes.json?since=1", "*/*"))


def test_harvested_documents_under_mixed_load(live_server, dump_path, figure):
    """What harvesters poll (robots.txt, sitemap, VoID/DCAT, Service Description, feeds), mixed
    with pages and queries by parallel clients: no failed request, and each document has one
    ETag all along (one body per graph version, computed once and served like a page). JSON-LD
    is left out of that count: rdflib orders its output by hash, which differs between the two
    worker processes."""
    slugs = _entity_slugs(dump_path)
    ask = live_server + "sparql?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})
    tags: dict[str, set[str]] = {path: set() for path, _ in HARVESTED}
    lock = threading.Lock()

    def harvested(path: str, accept: str) -> None:
        request = urllib.request.Request(live_server + path, headers={"Accept": accept})
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            if "json-ld" not in response.headers["Content-Type"]:
                with lock:
                    tags[path].add(response.headers["ETag"])

    calls: list[Callable[[], None]] = [
        lambda p=path, a=accept: harvested(p, a) for path, accept in HARVESTED]
    calls += [lambda: _fetch(ask, headers={"Accept": "application/sparql-results+json"}),
              lambda: _fetch(live_server), lambda: _fetch(live_server + "list/")]
    calls += [lambda s=slug: _fetch(f"{live_server}id/{s}") for slug in slugs]

    answered, failures = run_clients(calls, spread=5)
    assert failures == [], f"{len(failures)} failed of {answered + len(failures)}: {failures[:5]}"
    assert answered > len(calls)
    del tags["dataset"]                  # JSON-LD, see above
    assert {path: len(seen) for path, seen in tags.items()} == {path: 1 for path in tags}
    figure(f"requests answered by {CLIENTS} parallel clients in {DURATION:g} s", answered)
    figure("requests failed", len(failures))
