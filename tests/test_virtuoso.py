"""External-store mode against a real Virtuoso (Debian's virtuoso-opensource).

Starts ``virtuoso-t`` on loopback with a throw-away database folder, loads the built graph with
``cnc-kg load`` (bulk loader, and the Graph Store Protocol into a second graph), runs the whole
``queries/`` catalogue plus every query form through OUR server in external-store mode and
asserts the same answers as the embedded engine.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import stop, wait_until_answering
from rdflib import Graph, Literal
from rdflib.compare import isomorphic

from server.config import DATASET_IRI
from server.store.virtuoso_ini import virtuoso_ini

pytestmark = pytest.mark.virtuoso

VIRTUOSO = shutil.which("virtuoso-t")
if VIRTUOSO is None:
    pytest.skip("virtuoso-t is not installed (apt-get install virtuoso-opensource; `make test` "
                "does it)", allow_module_level=True)

CNC_KG = str(Path(__import__("sys").executable).parent / "cnc-kg")
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
GSP_GRAPH = "urn:cnc-kg:test:gsp-copy"



@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory, built_root, port_picker):
    """Base HTTP URL of a throw-away Virtuoso holding the built graph (bulk-loaded)."""
    db = tmp_path_factory.mktemp("virtuoso-db")
    isql, http = port_picker(), port_picker()
    ini = db / "virtuoso.ini"
    ini.write_text(virtuoso_ini(db, built_root / "dist", isql, http))
    log = db / "stdout.log"
    with log.open("w") as out:
        process = subprocess.Popen([VIRTUOSO, "-f", "-c", str(ini)], cwd=db, stdout=out,
                                   stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{http}/"
    try:
        wait_until_answering(base + "sparql?query=ASK%7B%7D", process, "virtuoso-t", log,
                             timeout=90)
        cnc_kg("load", "--root", str(built_root), "--isql", str(isql))
        yield {"base": base, "isql": isql}
    finally:
        stop(process, grace=30)


@pytest.fixture(scope="module")
def remote_server(virtuoso, built_root, server_starter):
    """Our server in external-store mode over the Virtuoso."""
    with server_starter(built_root, "--store", virtuoso["base"] + "sparql") as base:
        yield base


def cnc_kg(*args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([CNC_KG, *args], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def run(base: str, query: str, accept: str) -> tuple[int, str, bytes]:
    url = base + "sparql?" + urllib.parse.urlencode({"query": query})
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


def _normal_term(term: dict | None) -> tuple | None:
    """A JSON results term, with the differences engines may legitimately show removed:
    blank-node labels, explicit xsd:string, lexical forms of equal numbers."""
    if term is None:
        return None
    if term["type"] == "bnode":
        return ("bnode",)
    if term["type"] == "literal" or term["type"] == "typed-literal":
        datatype = term.get("datatype")
        if datatype == XSD_STRING:
            datatype = None
        value = Literal(term["value"], datatype=datatype).toPython() if datatype else term["value"]
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            return ("number", Decimal(str(value)))
        return ("literal", str(value), term.get("xml:lang", "").lower(), datatype)
    return (term["type"], term["value"])


def normal_answer(body: bytes) -> object:
    """Variables and rows as a sorted list: engines may order ties of ORDER BY differently."""
    data = json.loads(body)
    if "boolean" in data:
        return data["boolean"]
    variables = data["head"]["vars"]
    rows = [tuple(_normal_term(row.get(v)) for v in variables)
            for row in data["results"]["bindings"]]
    return (variables, sorted(rows, key=repr))


GENERIC_QUERIES = [
    "SELECT ?s ?p ?o WHERE { ?s ?p ?o }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY DESC(?n) ?p",
    "SELECT DISTINCT ?lang WHERE { ?s ?p ?o FILTER(isLiteral(?o)) BIND(LANG(?o) AS ?lang) }",
    "ASK { ?s ?p ?o }",
    "ASK { <urn:cnc-kg:test:absent> ?p ?o }",
]


def catalogue() -> list[str]:
    """Every queries/*.rq (cq-02 and cq-14 are written around two Virtuoso 7.2 bugs)."""
    return sorted(p.name for p in
                  (Path(__file__).resolve().parent.parent / "queries").glob("*.rq"))


@pytest.mark.parametrize("query", GENERIC_QUERIES + catalogue())
def test_same_answers_as_embedded(query, live_server, remote_server):
    text = (Path(__file__).resolve().parent.parent / "queries" / query).read_text("utf-8") \
        if query.endswith(".rq") else query
    from server.store.guard import query_form

    form = query_form(text)
    if form in ("select", "ask"):
        accept = "application/sparql-results+json"
        embedded = run(live_server, text, accept)
        remote = run(remote_server, text, accept)
        assert embedded[0] == remote[0] == 200, (embedded, remote)
        assert normal_answer(remote[2]) == normal_answer(embedded[2])
    else:
        accept = "application/n-triples"
        embedded = run(live_server, text, accept)
        remote = run(remote_server, text, accept)
        assert embedded[0] == remote[0] == 200, (embedded, remote)
        assert isomorphic(Graph().parse(data=remote[2].decode(), format="nt"),
                          Graph().parse(data=embedded[2].decode(), format="nt"))


def test_construct_whole_graph_same(live_server, remote_server, dump_path):
    query = "CONSTRUCT WHERE { ?s ?p ?o }"
    remote = run(remote_server, query, "text/turtle")
    assert remote[0] == 200 and remote[1].startswith("text/turtle")
    assert isomorphic(Graph().parse(data=remote[2].decode(), format="turtle"),
                      Graph().parse(dump_path, format="nt"))


def test_errors_in_external_mode(remote_server):
    status, _, body = run(remote_server, "SELECT * WHERE { ?s ?p }", "application/json")
    assert status == 400
    status, _, body = run(remote_server, "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
                          "application/json")
    assert status == 403 and b"read-only" in body
    status, _, body = run(remote_server, "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1",
                          "application/sparql-results+json")
    # only our graph is visible (default-graph-uri sent), never Virtuoso's system graphs
    assert status == 200
    graphs = {row["g"]["value"] for row in json.loads(body)["results"]["bindings"]}
    assert graphs <= {DATASET_IRI}


def test_timeout_in_external_mode(virtuoso, built_root, server_starter):
    explosive = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }")
    with server_starter(built_root, "--store", virtuoso["base"] + "sparql",
                        env={"CNC_KG_QUERY_TIMEOUT": "2"}) as base:
        status, _, body = run(base, explosive, "application/sparql-results+json")
        assert status == 503, body
        assert b"time limit" in body or b"no answer" in body


def test_graph_store_protocol_load(virtuoso, built_root, dump_path):
    cnc_kg("load", "--root", str(built_root), "--to", virtuoso["base"] + "sparql-graph-crud-auth",
           "--graph", GSP_GRAPH, "--user", "dba", "--password", "dba")
    url = virtuoso["base"] + "sparql?" + urllib.parse.urlencode(
        {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "default-graph-uri": GSP_GRAPH})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        count = int(json.loads(response.read())["results"]["bindings"][0]["n"]["value"])
    assert count == len(Graph().parse(dump_path, format="nt"))


def test_graph_store_load_with_a_wrong_password_says_so(virtuoso, built_root):
    done = subprocess.run([CNC_KG, "load", "--root", str(built_root), "--to",
                           virtuoso["base"] + "sparql-graph-crud-auth", "--graph", GSP_GRAPH,
                           "--user", "dba", "--password", "not-the-password"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode != 0
    assert "the user name or password is refused" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


# Entity pages are not among them: Virtuoso 7.2 refuses describe.rq (a CONSTRUCT with a
# top-level VALUES: "BINDINGS is not supported at top level for queries other than SELECT").
@pytest.mark.parametrize("path", ["network?lang=fr", "list/Event", "dataset?lang=en"])
def test_pages_in_external_mode(remote_server, live_server, path):
    """The pages whose data come from the store (the network) or the build (lists, the
    dataset) answer the same over Virtuoso as over the embedded engine."""
    def page(base: str) -> bytes:
        request = urllib.request.Request(base + path, headers={"Accept": "text/html"})
        with urllib.request.urlopen(request, timeout=60) as response:
            assert response.status == 200
            return response.read()
    remote, embedded = page(remote_server), page(live_server)
    assert remote.replace(remote_server.encode(), b"") == embedded.replace(
        live_server.encode(), b"")
