"""Runaway queries: several explosive queries at once are all cut (at the time limit, or at the
engine's memory ceiling), cheap
requests are answered while they run, and the server's memory comes back to its level after.

Only the order of events is asserted (every cheap answer arrives before the first cut), never a
wall-clock figure. The server runs with ``QUERY_WORKERS`` short-lane engine processes and room
in the long lane for every explosive query sent at once: each moves there once it has run past
the short-lane budget, and its short-lane process is replaced, so cheap queries find one free.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse

import pytest
import server_status
from http_calls import http
from process_memory import tree_memory_mib
from server_status import wait_for

# Seconds, for this test's own server: short, yet long enough for a few cheap requests on a
# loaded 2-core machine where the explosive queries take every core.
LIMIT = "2.5"
QUERY_WORKERS = "4"       # engine processes of the one gunicorn worker
EXPLOSIVE_AT_ONCE = 3
MEMORY_RETURN_MIB = 32    # after the cuts, within this much of the level before
EXPLOSIVE = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }",
    "SELECT ?a ?d ?g WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i",
    "SELECT (GROUP_CONCAT(STR(?c)) AS ?all) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
]


@pytest.fixture(scope="module")
def limited_server(built_root, server_starter):
    env = {"CNC_KG_QUERY_TIMEOUT": LIMIT, "CNC_KG_QUERY_WORKERS": QUERY_WORKERS,
           "CNC_KG_LONG_QUERIES": str(EXPLOSIVE_AT_ONCE)}
    # One web worker: /status reports on the engines that run the explosive queries.
    with server_starter(built_root, "--workers", "1", env=env) as base:
        yield base


def get(url: str, accept: str = "application/sparql-results+json") -> tuple[int, bytes, float]:
    """(status, body, monotonic time the answer arrived)."""
    status, _, body = http(url, accept=accept, timeout=120)
    return status, body, time.monotonic()


def sparql_url(base: str, query: str) -> str:
    return base + "sparql?" + urllib.parse.urlencode({"query": query})


def cheap_requests(base: str) -> list[tuple[str, str]]:
    """(URL, Accept) of requests that each take milliseconds."""
    return [(sparql_url(base, "ASK { ?s ?p ?o }"), "application/sparql-results+json"),
            (base + "id/cnc.ttl", "text/turtle"),
            (base + "api/search?q=carbon", "application/json")]


def test_explosive_queries_cut_cheap_ones_answered_memory_returns(limited_server, server_pid,
                                                                  figure):
    """Queries whose answers explode (cross products), sent at once: each is cut with a 503
    at the time limit, cheap requests are answered meanwhile, and the memory they took returns."""
    cheap = cheap_requests(limited_server)
    for url, accept in cheap:                    # warm caches (the page index) before measuring
        assert get(url, accept)[0] == 200
    pid = server_pid(limited_server)
    before = tree_memory_mib(pid)

    cuts: list[tuple[int, bytes, float]] = []
    explosive = [threading.Thread(target=lambda q=q: cuts.append(get(sparql_url(limited_server,
                                                                                 q))))
                 for q in EXPLOSIVE[:EXPLOSIVE_AT_ONCE]]
    for thread in explosive:
        thread.start()
    wait_for(limited_server, lambda s: s["busy"] >= EXPLOSIVE_AT_ONCE,
             "every explosive query running in an engine")
    answers = [get(url, accept) for url, accept in cheap]
    for thread in explosive:
        thread.join()

    assert len(cuts) == EXPLOSIVE_AT_ONCE
    for status, body, _ in cuts:
        assert status == 503, body[:300]
        # Cut at the time limit, or sooner at the engine's memory ceiling (ORDER BY holds rows).
        assert b"time limit" in body or b"more memory than an engine process" in body
    first_cut = min(at for _, _, at in cuts)
    for (url, _), (status, body, at) in zip(cheap, answers, strict=True):
        assert status == 200, (url, body[:300])
        assert at < first_cut, f"{url} waited for the explosive queries"
    assert json.loads(answers[0][1])["boolean"] is True

    for url, accept in cheap:                    # replaced engine processes answer again
        assert get(url, accept)[0] == 200
    after = tree_memory_mib(pid)
    assert after - before < MEMORY_RETURN_MIB, f"{before:.1f} -> {after:.1f} MiB"
    figure("explosive queries at once, each cut (503)", EXPLOSIVE_AT_ONCE)
    figure("cheap requests answered before the first cut", len(answers))
    figure("memory kept after the cuts (MiB)", round(after - before, 1))


@pytest.fixture(scope="module")
def lanes_server(built_root, server_starter):
    """Two short-lane engines and room for two long queries in the one web worker."""
    env = {"CNC_KG_QUERY_TIMEOUT": LIMIT, "CNC_KG_QUERY_WORKERS": "2",
           "CNC_KG_LONG_QUERIES": "2", "CNC_KG_SHORT_QUERY_SECONDS": "0.3"}
    with server_starter(built_root, "--workers", "1", env=env) as base:
        yield base


def test_runaway_loops_leave_cheap_requests_their_capacity(lanes_server, figure):
    """As many clients re-sending runaway queries as there are engine processes: every cheap
    request (a page, ASK, a selective SELECT) is answered, none refused, while they run."""
    stop = threading.Event()
    cuts: list[int] = []

    def runaway_loop(query: str) -> None:
        while not stop.is_set():
            cuts.append(get(sparql_url(lanes_server, query))[0])

    loops = [threading.Thread(target=runaway_loop, args=(q,)) for q in EXPLOSIVE[:2]]
    for thread in loops:
        thread.start()
    try:
        wait_for(lanes_server, lambda s: s["long"] >= 2, "both runaway queries in the long lane")
        answers = [get(url, accept) for _ in range(10) for url, accept in
                   cheap_requests(lanes_server)]
        during = server_status.status(lanes_server)["busy"]
    finally:
        stop.set()
        for thread in loops:
            thread.join()
    assert [code for code, _, _ in answers] == [200] * len(answers)
    assert during >= 2, "the runaway queries were over before the cheap requests ended"
    assert cuts and set(cuts) <= {503}
    figure("runaway queries cut while they ran", len(cuts))
    figure("cheap requests answered (all 200)", len(answers))
