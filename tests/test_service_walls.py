"""SERVICE reaches no host by any spelling (issue 15): the guard refuses every spelling that
pyoxigraph would execute (first wall), engine processes answering queries cannot open a network
socket even when the guard is skipped (second wall), and queries calling an allowed endpoint
reach that endpoint's port only.

All parts are real: pyoxigraph, forked engine processes behind their seccomp and Landlock
walls, ``cnc-kg serve`` on loopback, and TCP listeners (``loopback_listener``) that record every
connection: each test asserts that a listener saw none.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from loopback_listener import Listener, listening
from server_process import free_port
from service_spellings import GRAPH, engine_pool, engine_store, request, service_calls

from server.store.base import QueryRefused, QuerySyntaxError
from server.store.engine import NO_NETWORK
from server.store.guard import check_query
from server.store.sandbox import Confinement

SPELLINGS = settings(max_examples=150, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])
OVER_HTTP = settings(max_examples=40, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])
# What the query page asks for: results or a graph, whichever the query makes.
ACCEPT = "application/sparql-results+json, text/turtle;q=0.9"

# {url}: an endpoint on a listener. The two spellings of issue 15, then those found while
# fixing it; each reached the listener through the old guard.
KNOWN_SPELLINGS = [
    r"SELECT * WHERE {{ BIND(<http://x/#\u0041> AS ?a) SERVICE <{url}> {{ ?x ?y ?z }} }}",
    r"PREFIX ex: <http://x/> SELECT * WHERE {{ BIND(ex:a\#b AS ?a) SERVICE <{url}> "
    r"{{ ?x ?y ?z }} }}",
    "SELECT * WHERE {{ ?s ?p ?o SERVICESILENT<{url}>{{ ?x ?y ?z }} }}",
    "SELECT * WHERE {{ ?s ?p trueSERVICE<{url}>{{ ?x ?y ?z }} }}",
    "PREFIX bad: <http://[::1]> SELECT * WHERE {{ ?s ?p bad:SERVICE<{url}>{{ ?x ?y ?z }} }}",
    "SELECT * WHERE {{ FILTER(?a<1)SERVICE#>\n<{url}>{{ ?x ?y ?z }} }}",
    "PREFIX ex: <http://x/> SELECT * WHERE {{ ?s ?p ex:a.b.SERVICE<{url}>{{ ?x ?y ?z }} }}",
    "ASK {{ OPTIONAL {{ SERVICE SILENT <{url}> {{ ?x ?y ?z }} }} }}",
    "CONSTRUCT {{ ?x ?y ?z }} WHERE {{ MINUS {{ SERVICE <{url}> {{ ?x ?y ?z }} }} }}",
]


def spelling(template: str, listener: Listener) -> str:
    return template.format(url=listener.url())


@pytest.fixture(scope="module")
def listener():
    with listening() as found:
        yield found


@pytest.fixture
def fresh_listener():
    with listening() as found:
        yield found


def run_unconfined(query: str) -> None:
    """Run ``query`` in this (test) process's pyoxigraph, which has the network: no wall."""
    store = engine_store()
    graph = ox.NamedNode(GRAPH)
    try:
        answer = store.query(query, default_graph=graph, named_graphs=[graph])
        if not isinstance(answer, ox.QueryBoolean):
            list(answer)
    except (OSError, RuntimeError):
        pass                            # the listener's answer is no SPARQL result for CONSTRUCT


REFUSED = {"status": "error", "kind": "refused", "message": NO_NETWORK}


@pytest.fixture(scope="module")
def walled_engine(tmp_path_factory):
    """One engine process behind the no-network wall, guard skipped: requests go straight to
    it."""
    pool = engine_pool(tmp_path_factory.mktemp("walled") / "store", Confinement())
    yield pool
    pool.close()


def call(pool, sparql: str) -> tuple[dict, bytes]:
    return pool.call(request(sparql), timeout=30, wait=30)


def ask_server(base: str, query: str, method: str = "GET") -> tuple[int, bytes]:
    url = base + "sparql"
    if method == "GET":
        call = urllib.request.Request(url + "?" + urllib.parse.urlencode({"query": query}),
                                      headers={"Accept": ACCEPT})
    else:
        call = urllib.request.Request(url, data=query.encode(), method="POST",
                                      headers={"Accept": ACCEPT,
                                               "Content-Type": "application/sparql-query"})
    try:
        with urllib.request.urlopen(call, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


# --- the spellings are real attacks --------------------------------------------------------

@pytest.mark.parametrize("template", KNOWN_SPELLINGS)
def test_each_known_spelling_reaches_the_network_without_walls(template, fresh_listener):
    """Without either wall, pyoxigraph calls the listener: the tests below would see a leak."""
    run_unconfined(spelling(template, fresh_listener))
    assert fresh_listener.requests, "this spelling calls no SERVICE: it tests nothing"


# --- first wall: the guard -----------------------------------------------------------------

@pytest.mark.parametrize("template", KNOWN_SPELLINGS)
def test_guard_refuses_known_spellings(template, listener):
    with pytest.raises((QueryRefused, QuerySyntaxError), match="SERVICE|ambiguous '<'"):
        check_query(spelling(template, listener), ())


@SPELLINGS
@given(query=service_calls("http://127.0.0.1:9/sparql"))
def test_guard_refuses_every_generated_spelling(query):
    with pytest.raises((QueryRefused, QuerySyntaxError)):
        check_query(query, ())


def test_guard_refuses_spellings_of_an_allowed_endpoint_it_cannot_vouch_for():
    """Only the allowed IRI written out (escapes allowed) passes; a prefixed name, BASE or a
    variable naming the same endpoint does not."""
    allowed = "http://127.0.0.1:9/sparql"
    assert check_query(f"SELECT * WHERE {{ SERVICE <{allowed}> {{}} }}",
                       (allowed,)).services == {allowed}
    assert check_query(r"SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:9/sp\u0061rql> {} }",
                       (allowed,)).services == {allowed}
    for query in ("PREFIX p: <http://127.0.0.1:9/> SELECT * WHERE { SERVICE p:sparql {} }",
                  "BASE <http://127.0.0.1:9/> SELECT * WHERE { SERVICE <sparql> {} }",
                  f"SELECT * WHERE {{ BIND(<{allowed}> AS ?e) SERVICE ?e {{}} }}"):
        with pytest.raises(QueryRefused):
            check_query(query, (allowed,))


# --- second wall: engine processes have no network -----------------------------------------

@pytest.mark.parametrize("template", KNOWN_SPELLINGS)
def test_walled_engine_reaches_nothing_with_the_guard_skipped(template, listener, walled_engine):
    pid = walled_engine.pids()
    reply = call(walled_engine, spelling(template, listener))
    # SILENT (and MINUS, which swallows its right side's errors) turns the refusal into no rows.
    assert reply[0] == REFUSED or (reply[0]["status"] == "ok" and b"reached" not in reply[1]), \
        reply
    assert not listener.requests
    assert walled_engine.pids() == pid          # refused, not crashed


@SPELLINGS
@given(data=st.data())
def test_walled_engine_reaches_nothing_for_any_generated_spelling(data, listener, walled_engine):
    pid = walled_engine.pids()
    reply = walled_engine.call(request(data.draw(service_calls(listener.url()))),
                               timeout=30, wait=30)
    # Refused, SERVICE ?var unbound (a 400), or (SILENT, MINUS) no rows from the service.
    assert reply[0]["status"] == "error" or b"reached" not in reply[1], reply
    assert not listener.requests
    assert walled_engine.pids() == pid, "SERVICE killed the engine process"


def test_refusal_is_the_same_for_open_and_closed_ports(listener, walled_engine):
    """The error must not tell an open port from a closed one (the old one scanned ports)."""
    closed = f"http://127.0.0.1:{free_port()}/sparql"
    replies = {json.dumps(call(walled_engine, f"SELECT * WHERE {{ SERVICE <{url}> {{}} }}")[0])
               for url in (listener.url(), closed)}
    assert replies == {json.dumps(REFUSED)}
    assert not listener.requests


def test_unbound_service_variable_is_an_error_not_a_dead_engine(walled_engine):
    pid = walled_engine.pids()
    reply = walled_engine.call(request("SELECT * WHERE { SERVICE ?e { ?x ?y ?z } }"),
                               timeout=30, wait=30)
    assert (reply[0]["status"], reply[0]["kind"]) == ("error", "query")
    assert walled_engine.pids() == pid


# --- both walls through HTTP ---------------------------------------------------------------

@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("template", KNOWN_SPELLINGS)
def test_server_refuses_known_spellings(live_server, listener, template, method):
    status, body = ask_server(live_server, spelling(template, listener), method)
    assert status in (400, 403), body[:300]
    assert any(words in body for words in (b"service_allow", b"SERVICE keyword", b"ambiguous"))
    assert not listener.requests


@OVER_HTTP
@given(data=st.data(), method=st.sampled_from(["GET", "POST"]))
def test_server_refuses_generated_spellings(live_server, listener, data, method):
    status, body = ask_server(live_server, data.draw(service_calls(listener.url())), method)
    assert status in (400, 403), body[:300]
    assert not listener.requests


def test_server_refusal_is_the_same_for_open_and_closed_ports(live_server, listener):
    closed = free_port()
    bodies = set()
    for port in (listener.port, closed):
        status, body = ask_server(
            live_server, f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/x> {{}} }}")
        assert status == 403
        bodies.add(body.replace(str(port).encode(), b"PORT"))
    assert len(bodies) == 1
    assert not listener.requests


def test_service_variable_over_http_is_refused_and_server_keeps_answering(live_server, listener):
    query = f"SELECT * WHERE {{ BIND(<{listener.url()}> AS ?e) SERVICE ?e {{ ?x ?y ?z }} }}"
    status, body = ask_server(live_server, query)
    assert status == 403, body[:300]
    assert ask_server(live_server, "ASK { ?s ?p ?o }")[0] == 200
    assert not listener.requests


# --- the federated lane: allowed endpoints only --------------------------------------------

@pytest.fixture(scope="module")
def allowed():
    with listening() as found:
        yield found


@pytest.fixture(scope="module")
def federating_server(built_root, server_starter, allowed):
    env = {"CNC_KG_SERVICE_ALLOW": allowed.url()}
    with server_starter(built_root, "--workers", "1", env=env) as base:
        yield base


def test_allowed_endpoint_is_called(federating_server, allowed):
    before = len(allowed.requests)
    status, body = ask_server(federating_server,
                              f"SELECT ?leak WHERE {{ SERVICE <{allowed.url()}> {{ ?s ?p ?o }} }}")
    assert status == 200, body[:300]
    assert b"reached" in body
    assert len(allowed.requests) == before + 1


def test_other_endpoints_stay_refused_with_an_allow_list(federating_server, listener):
    status, _ = ask_server(federating_server,
                           f"SELECT * WHERE {{ SERVICE <{listener.url()}> {{ ?s ?p ?o }} }}")
    assert status == 403
    assert not listener.requests


def test_federated_engine_reaches_only_the_allowed_port(allowed, listener, tmp_path):
    """The lane's own wall, guard skipped: Landlock lets TCP reach the allowed port only."""
    pool = engine_pool(tmp_path / "store", Confinement(service_ports=(allowed.port,)))
    try:
        before = len(allowed.requests)
        header, _ = call(pool, f"SELECT * WHERE {{ SERVICE <{allowed.url()}> {{}} }}")
        assert header["status"] == "ok" and len(allowed.requests) == before + 1
        header, _ = call(pool, f"SELECT * WHERE {{ SERVICE <{listener.url()}> {{}} }}")
        assert header == REFUSED
        assert not listener.requests
    finally:
        pool.close()
