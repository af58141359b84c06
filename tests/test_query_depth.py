"""Deep queries cost a 400, never an engine process (issue 15): nesting of every kind is
checked before the engine sees the query (``guard.check_depth``), and the deepest query the
guard lets through, of every kind measured by ``bench.engine_depth``, is answered by a
real engine process behind ``cnc-kg serve``.

pyoxigraph builds and evaluates its algebra recursively; the issue's 12,000 ``!``, 10,000-step
path and 20,000-term ``&&`` chain each killed an engine process with SIGSEGV.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable

import pytest

from bench.engine_depth import CONSTRUCTS, P
from server.store.base import QuerySyntaxError
from server.store.guard import MAX_DEPTH, MAX_NESTING, check_query

SHORT_LIMIT = "3"   # seconds
# The inputs of issue 15 that killed an engine process.
ISSUE_INPUTS = {
    "12,000 !": P + "ASK { FILTER(" + "!" * 12_000 + "true) }",
    "10,000-step path": P + "SELECT * WHERE { ?s " + "/".join([":p"] * 10_000) + " ?o }",
    "20,000-term && chain": P + "ASK { FILTER(" + "&&".join(["1"] * 20_000) + ") }",
}


def accepted(query: str) -> bool:
    try:
        check_query(query)
    except QuerySyntaxError as error:
        assert "nested too deeply" in str(error) or "nests brackets" in str(error), error
        return False
    return True


def largest_accepted(make: Callable[[int], str]) -> int:
    """The largest n whose query the guard accepts (depth grows with n)."""
    good, bad = 1, 2
    while accepted(make(bad)):
        good, bad = bad, bad * 2
    while bad - good > 1:
        middle = (good + bad) // 2
        good, bad = (middle, bad) if accepted(make(middle)) else (good, middle)
    return good


def ask(base: str, query: str) -> tuple[int, bytes]:
    call = urllib.request.Request(
        base + "sparql", data=urllib.parse.urlencode({"query": query}).encode(),
        headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(call, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.mark.parametrize("name", ISSUE_INPUTS)
def test_issue_inputs_are_400_and_the_server_keeps_answering(live_server, name):
    status, body = ask(live_server, ISSUE_INPUTS[name])
    assert status == 400, body[:300]
    assert b"nested too deeply" in body
    assert ask(live_server, "ASK { ?s ?p ?o }")[0] == 200


@pytest.fixture(scope="module")
def short_limit_server(built_root, server_starter):
    """Its own server with a short time limit: some queries at the depth limit are hundreds of
    triple patterns, which pyoxigraph's join planner takes seconds to order (not a crash)."""
    with server_starter(built_root, "--workers", "1",
                        env={"CNC_KG_QUERY_TIMEOUT": SHORT_LIMIT}) as base:
        yield base


@pytest.mark.parametrize("name", CONSTRUCTS)
def test_deepest_accepted_query_is_answered_and_one_more_level_refused(short_limit_server, name):
    """At the guard's limit the engine process survives (it has a fourfold stack margin there):
    it answers, or is cut at the time limit; one step further the guard answers 400 itself."""
    make = CONSTRUCTS[name]
    n = largest_accepted(make)
    assert n >= 2, "the limit refuses even tiny queries of this kind"
    status, body = ask(short_limit_server, make(n))
    assert status == 200 or (status == 503 and b"time limit" in body), (n, body[:300])
    status, body = ask(short_limit_server, make(n + 1))
    assert status == 400, (n + 1, body[:300])


def test_limits_leave_room_for_real_queries():
    """Hand-written queries nest a few levels; generated ones hold long VALUES blocks and IN
    lists, which add no depth."""
    assert MAX_NESTING < MAX_DEPTH
    values = " ".join(f"<http://x/{i}>" for i in range(5_000))
    assert accepted(f"SELECT * WHERE {{ VALUES ?x {{ {values} }} ?x ?p ?o }}")
    rows = " ".join(f"(<http://x/{i}> {i})" for i in range(3_000))
    assert accepted(f"SELECT * WHERE {{ VALUES (?x ?n) {{ {rows} }} }}")
    members = ", ".join(f"<http://x/{i}>" for i in range(3_000))
    assert accepted(f"SELECT * WHERE {{ ?s ?p ?o FILTER(?o IN ({members})) }}")
    triples = " ".join(f"?s{i} <http://x/p> ?o{i} ." for i in range(1_000))
    assert accepted(f"SELECT * WHERE {{ {triples} }}")
