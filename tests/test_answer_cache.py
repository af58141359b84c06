"""Answers kept per build (``server/store/answers.py``): a query asked again is answered without
an engine process, with the same bytes; answers that may change from one evaluation to the next
are never kept. That a new build never serves an old build's answers is
``test_hot_reload.py``'s check (the same query text before and after each swap)."""

from __future__ import annotations

import os
import signal
import urllib.error
import urllib.parse
import urllib.request

import pytest
from process_memory import engine_pids
from server_status import status

from server.store.answers import AnswerCache, cacheable

LABELS = ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
          "SELECT ?s ?label WHERE { ?s rdfs:label ?label } ORDER BY ?s ?label LIMIT 5")
VOLATILE = "SELECT (STRUUID() AS ?u) (RAND() AS ?r) WHERE {}"


def _ask(base: str, query: str, accept: str = "application/sparql-results+json") -> bytes:
    request = urllib.request.Request(base + "sparql?" + urllib.parse.urlencode({"query": query}),
                                     headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        return response.read()


def test_a_query_asked_again_is_answered_without_an_engine(one_worker_server, server_pid):
    """The second answer is a hit, byte for byte the first, and comes while every engine
    process of the worker is stopped (SIGSTOP): no engine took part in it."""
    base, pid = one_worker_server, server_pid(one_worker_server)
    before = status(base)["answers"]
    first = _ask(base, LABELS)
    engines = engine_pids(pid)
    assert engines
    for engine in engines:
        os.kill(engine, signal.SIGSTOP)
    try:
        again = _ask(base, LABELS)
    finally:
        for engine in engines:
            os.kill(engine, signal.SIGCONT)
    after = status(base)["answers"]
    assert again == first and b'"label"' in first
    assert after["hits"] == before["hits"] + 1
    assert after["misses"] == before["misses"] + 1
    assert after["entries"] == before["entries"] + 1


def test_each_format_is_its_own_answer(one_worker_server):
    """The same query in another format is another answer, computed by an engine."""
    base = one_worker_server
    before = status(base)["answers"]
    as_json = _ask(base, LABELS + " # formats")
    as_xml = _ask(base, LABELS + " # formats", "application/sparql-results+xml")
    assert as_json.startswith(b"{") and as_xml.lstrip().startswith(b"<?xml")
    after = status(base)["answers"]
    assert after["misses"] == before["misses"] + 2 and after["hits"] == before["hits"]


def test_answers_that_change_per_evaluation_are_never_kept(one_worker_server):
    """RAND and STRUUID give a new value at each evaluation, and so does every answer."""
    base = one_worker_server
    before = status(base)["answers"]
    answers = {_ask(base, VOLATILE) for _ in range(3)}
    assert len(answers) == 3
    after = status(base)["answers"]
    assert (after["hits"], after["misses"], after["entries"]) == (
        before["hits"], before["misses"], before["entries"])


def test_errors_are_not_kept(one_worker_server):
    """A query the engine refuses (a syntax error, which only the engine's parser sees) is
    refused again by the engine, not from memory."""
    base = one_worker_server
    query = "SELECT * WHERE { ?s ?p }"
    before = status(base)["answers"]
    for _ in range(2):
        with pytest.raises(urllib.error.HTTPError) as refused:
            _ask(base, query)
        assert refused.value.code == 400
    after = status(base)["answers"]
    assert after["hits"] == before["hits"] and after["entries"] == before["entries"]


@pytest.mark.parametrize("query", [
    "SELECT (NOW() AS ?t) {}", "SELECT (rand() AS ?r) {}", "SELECT (UUID() AS ?u) {}",
    "SELECT (STRUUID() AS ?u) {}", "SELECT (BNODE() AS ?b) {}",
    "SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * { ?s ?p ?o } # a comment naming RandomWords keeps it out too"])
def test_volatile_queries_are_recognised(query):
    assert not cacheable(query)


def test_a_query_of_the_graph_alone_is_kept():
    assert cacheable("SELECT ?s WHERE { ?s a <http://example.org/C> } LIMIT 3")


def test_the_least_recently_used_answers_go_first_and_large_ones_never_come_in():
    cache = AnswerCache(max_bytes=1600)
    for n in range(3):
        cache.put(n, {"n": n}, b"x" * 90, key_bytes=10)     # 100 bytes each
    assert cache.get(0) == ({"n": 0}, b"x" * 90)            # 0 is now the most recent
    for n in range(3, 17):
        cache.put(n, {"n": n}, b"x" * 90, key_bytes=10)
    assert cache.get(0) is not None and cache.get(1) is None   # 1 was the least recent
    assert cache.status()["bytes"] <= 1600
    cache.put("large", {}, b"x" * 101, key_bytes=0)          # over 1/16 of the cache
    assert cache.get("large") is None
