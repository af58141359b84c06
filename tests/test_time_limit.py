"""The per-query time limit really stops the work, and other clients are answered meanwhile.

No wall-clock figure is asserted: only the order of events (the cheap query completes before the
explosive one is cut) and that the server keeps answering after the cut. The cheap query is sent
once the server reports the explosive one running in an engine process (``/status``), so its
answering first proves the two ran side by side.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from server_status import wait_for

LIMIT = "3"   # seconds, for this test's own server
# Four-way cross product of the whole graph: far beyond any limit on any non-trivial graph.
EXPLOSIVE = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }")
CHEAP = "ASK { ?s ?p ?o }"


@pytest.fixture(scope="module")
def limited_server(built_root, server_starter):
    # One web worker: /status then reports on the engines that run the explosive query.
    with server_starter(built_root, "--workers", "1",
                        env={"CNC_KG_QUERY_TIMEOUT": LIMIT}) as base:
        yield base


@pytest.fixture(scope="module")
def limited_endpoint(limited_server):
    return limited_server + "sparql"


def ask(endpoint: str, query: str) -> tuple[int, bytes, float]:
    """(status, body, monotonic time the answer arrived)."""
    url = endpoint + "?" + urllib.parse.urlencode({"query": query})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read(), time.monotonic()
    except urllib.error.HTTPError as error:
        return error.code, error.read(), time.monotonic()


def test_explosive_query_cut_while_cheap_one_answers(limited_server, limited_endpoint):
    outcome: dict[str, tuple[int, bytes, float]] = {}
    explosive = threading.Thread(
        target=lambda: outcome.__setitem__("explosive", ask(limited_endpoint, EXPLOSIVE)))
    explosive.start()
    wait_for(limited_server, lambda s: s["busy"] >= 1, "the explosive query in an engine")
    outcome["cheap"] = ask(limited_endpoint, CHEAP)
    explosive.join()

    status, body, cut_at = outcome["explosive"]
    assert status == 503, body
    assert b"time limit" in body
    cheap_status, cheap_body, cheap_at = outcome["cheap"]
    assert cheap_status == 200 and json.loads(cheap_body)["boolean"] is True
    assert cheap_at < cut_at, "the cheap query waited for the explosive one"


def test_server_answers_after_cuts(limited_endpoint):
    for _ in range(2):                   # more cuts than one gunicorn worker has query workers
        status, _, _ = ask(limited_endpoint, EXPLOSIVE)
        assert status == 503
    status, body, _ = ask(limited_endpoint, CHEAP)
    assert status == 200 and json.loads(body)["boolean"] is True
