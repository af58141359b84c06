"""The SPARQL 1.1 Protocol on a real server: every query form and format through SPARQLWrapper,
rdflib's SPARQLStore as a second client, plain HTTP for the error cases, many clients at once.

Expected answers come from the built dump itself (parsed with rdflib), never from literals here.
"""

from __future__ import annotations

import csv
import gzip
import html
import io
import json
import re
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from http_calls import http
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from server.config import DATASET_IRI
from server.namespaces import SD
from server.services.query_catalogue import load_catalogue

CHINESE = "中法碳中和中心"        # only used as a query-supplied literal, not as a data fact
SELECT_ALL = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
# Blank-node labels are scoped to one answer document (each format may relabel them).
NO_BLANKS = "FILTER (!isBlank(?s) && !isBlank(?o))"


@pytest.fixture(scope="module")
def dump(dump_path: Path) -> Graph:
    graph = Graph()
    graph.parse(dump_path, format="nt")
    assert len(graph) > 0, f"{dump_path} is empty: nothing to test against"
    return graph


@pytest.fixture(scope="module")
def endpoint(live_server: str) -> str:
    return live_server + "sparql"


def get(endpoint: str, query: str, accept: str = "application/sparql-results+json", **params):
    url = endpoint + "?" + urllib.parse.urlencode({"query": query, **params})
    return http(url, accept=accept)


def wrapper(endpoint: str, query: str, fmt: str, method: str = "GET") -> SPARQLWrapper:
    client = SPARQLWrapper(endpoint)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    return client


def rows_of(converted: dict) -> set[tuple]:
    """A SPARQL JSON document's rows as a set of (var, type, value, lang, datatype) tuples."""
    return {tuple(sorted((var, t["type"], t["value"], t.get("xml:lang"), t.get("datatype"))
                         for var, t in row.items()))
            for row in converted["results"]["bindings"]}


def parse_graph(body: bytes, media_type: str) -> Graph:
    """rdflib for the formats it reads without deprecation warnings; pyoxigraph for JSON-LD."""
    if media_type == "application/ld+json":
        body = ox.serialize(ox.parse(body, format=ox.RdfFormat.JSON_LD),
                            format=ox.RdfFormat.N_TRIPLES)
        media_type = "application/n-triples"
    rdflib_format = {"text/turtle": "turtle", "application/rdf+xml": "xml",
                     "application/n-triples": "nt"}[media_type]
    return Graph().parse(data=body.decode("utf-8"), format=rdflib_format)


def engine_view(graph: Graph) -> Graph:
    """``graph`` as Oxigraph stores it: numbers by value, so "05"^^xsd:positiveInteger reads
    back as "5"^^xsd:integer (Oxigraph keeps numeric values, not their lexical form or derived
    integer type; see docs/http.md, "SPARQL endpoint")."""
    out = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype and isinstance(
                o.toPython(), int | float | Decimal) and not isinstance(o.toPython(), bool):
            o = Literal(o.toPython())
        out.add((s, p, o))
    return out


def some_subject(dump: Graph) -> URIRef:
    return sorted({s for s in dump.subjects() if isinstance(s, URIRef)})[0]


# --- SPARQLWrapper, every form and format -------------------------------------------------------

@pytest.mark.parametrize("method", ["GET", "POST"])
def test_select_json_matches_dump(endpoint, dump, method):
    result = wrapper(endpoint, SELECT_ALL, JSON, method).queryAndConvert()
    assert result["head"]["vars"] == ["s", "p", "o"]
    rows = result["results"]["bindings"]
    assert len(rows) == len(dump)
    # blank-node labels are the engine's own: compare the rows without any
    got = {(row["s"]["value"], row["p"]["value"], row["o"]["value"]) for row in rows
           if "bnode" not in (row["s"]["type"], row["o"]["type"])}
    assert got == {(str(s), str(p), str(o)) for s, p, o in dump
                   if not isinstance(s, BNode) and not isinstance(o, BNode)}


def test_select_count_matches_dump(endpoint, dump):
    result = wrapper(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", JSON).queryAndConvert()
    assert int(result["results"]["bindings"][0]["n"]["value"]) == len(dump)


def test_select_xml_equals_json(endpoint):
    query = f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o {NO_BLANKS} }} ORDER BY ?s ?p ?o LIMIT 50"
    as_json = wrapper(endpoint, query, JSON).queryAndConvert()
    as_xml = wrapper(endpoint, query, XML).queryAndConvert()     # a minidom Document
    xml_values = [node.firstChild.data if node.firstChild else ""
                  for node in as_xml.getElementsByTagName("binding")
                  for node in node.childNodes if node.nodeType == node.ELEMENT_NODE]
    json_values = [row[v]["value"] for row in as_json["results"]["bindings"]
                   for v in ("s", "p", "o")]
    assert xml_values == json_values


@pytest.mark.parametrize(("fmt", "delimiter"), [(CSV, ","), (TSV, "\t")])
def test_select_csv_tsv(endpoint, dump, fmt, delimiter):
    query = f"SELECT ?s ?p WHERE {{ ?s ?p ?o {NO_BLANKS} }} ORDER BY ?s ?p LIMIT 30"
    body = wrapper(endpoint, query, fmt).queryAndConvert()
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    reader = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    expected = wrapper(endpoint, query, JSON).queryAndConvert()["results"]["bindings"]
    assert len(reader) == 1 + len(expected)
    if fmt == CSV:
        assert reader[0] == ["s", "p"]
        assert [r[0] for r in reader[1:]] == [row["s"]["value"] for row in expected]
    else:
        assert reader[0] == ["?s", "?p"]
        assert [r[0] for r in reader[1:]] == [f"<{row['s']['value']}>" for row in expected]


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_ask(endpoint, dump, fmt):
    s, p, o = next(t for t in dump if isinstance(t[0], URIRef))    # a blank node has no IRI
    yes = wrapper(endpoint, f"ASK {{ <{s}> <{p}> ?o }}", fmt).queryAndConvert()
    no = wrapper(endpoint, "ASK { <urn:cnc-kg:test:absent> ?p ?o }", fmt).queryAndConvert()
    if fmt == JSON:
        assert (yes["boolean"], no["boolean"]) == (True, False)
    else:
        values = [d.getElementsByTagName("boolean")[0].firstChild.data for d in (yes, no)]
        assert values == ["true", "false"]


@pytest.mark.parametrize("fmt", [TURTLE, RDFXML, JSONLD, N3, XML])
def test_construct_every_format_isomorphic_to_dump(endpoint, dump, fmt):
    if len(dump) > 10_000:
        pytest.skip("graph above the default row cap")
    response = wrapper(endpoint, "CONSTRUCT WHERE { ?s ?p ?o }", fmt).query().response
    media_type = response.headers["Content-Type"].split(";")[0]
    assert isomorphic(engine_view(parse_graph(response.read(), media_type)), engine_view(dump))


def test_construct_ntriples_by_accept(endpoint, dump):
    subject = some_subject(dump)
    query = f"CONSTRUCT {{ <{subject}> ?p ?o }} WHERE {{ <{subject}> ?p ?o }}"
    status, headers, body = get(endpoint, query, accept="application/n-triples")
    assert status == 200
    assert headers["Content-Type"].startswith("application/n-triples")
    graph = Graph().parse(data=body.decode("utf-8"), format="nt")
    assert set(engine_view(graph)) == set(engine_view(dump).triples((subject, None, None)))


def test_describe(endpoint, dump):
    subject = some_subject(dump)
    body = wrapper(endpoint, f"DESCRIBE <{subject}>", TURTLE).queryAndConvert()
    graph = parse_graph(body, "text/turtle")
    assert set(engine_view(dump).triples((subject, None, None))) <= set(engine_view(graph))


def test_utf8_roundtrip_every_result_format(endpoint):
    query = f'SELECT ?x WHERE {{ VALUES ?x {{ "{CHINESE}"@zh "Éléphant été"@fr }} }}'
    for accept in ("application/sparql-results+json", "application/sparql-results+xml",
                   "text/csv", "text/tab-separated-values"):
        status, headers, body = get(endpoint, query, accept=accept)
        assert status == 200
        assert "charset=utf-8" in headers["Content-Type"]
        text = body.decode("utf-8")
        assert CHINESE in text and "Éléphant été" in text


# --- rdflib's SPARQLStore as a second client -----------------------------------------------------

def test_rdflib_sparqlstore(endpoint, dump):
    graph = Graph(store=SPARQLStore(endpoint, returnFormat="json"))
    subject = some_subject(dump)
    remote = Graph()
    for triple in graph.triples((subject, None, None)):
        remote.add(triple)
    assert set(engine_view(remote)) == set(engine_view(dump).triples((subject, None, None)))
    rows = list(graph.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
    assert int(rows[0][0]) == len(dump)
    assert (subject, None, None) in graph


# --- one answer whichever protocol operation carries the query -----------------------------------

def test_get_post_form_post_direct_agree(endpoint):
    query = f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o {NO_BLANKS} }} ORDER BY ?s ?p ?o LIMIT 40"
    accept = {"Accept": "application/sparql-results+json"}
    _, _, by_get = get(endpoint, query)
    _, _, by_form = http(endpoint, method="POST", data=urllib.parse.urlencode(
        {"query": query}).encode(), headers={**accept,
                                            "Content-Type": "application/x-www-form-urlencoded"})
    _, _, direct = http(endpoint, method="POST", data=query.encode("utf-8"),
                        headers={**accept, "Content-Type": "application/sparql-query"})
    assert json.loads(by_get) == json.loads(by_form) == json.loads(direct)
    assert json.loads(by_get)["results"]["bindings"]


def test_format_parameter_overrides_accept(endpoint):
    status, headers, body = get(endpoint, SELECT_ALL + " LIMIT 3", accept="text/html",
                                format="csv")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert body.decode("utf-8").splitlines()[0] == "s,p,o"


# --- errors ---------------------------------------------------------------------------------------

def test_syntax_error_400_with_position(endpoint):
    status, headers, body = get(endpoint, "SELECT * WHERE { ?s ?p }")
    assert status == 400
    assert headers["Content-Type"].startswith("text/plain")
    assert "1:" in body.decode()          # line:column of the parser's message


def test_unknown_body_415(endpoint):
    status, _, body = http(endpoint, method="POST", data=b"SELECT * {}",
                           headers={"Content-Type": "text/plain"})
    assert status == 415 and b"application/sparql-query" in body


@pytest.mark.parametrize("how", ["update-param", "update-body", "update-as-query", "form-update"])
def test_update_refused_403(endpoint, dump, how):
    update = "INSERT DATA { <urn:cnc-kg:test:x> <urn:cnc-kg:test:y> 1 }"
    if how == "update-param":
        status, _, body = http(endpoint + "?" + urllib.parse.urlencode({"update": update}))
    elif how == "update-body":
        status, _, body = http(endpoint, method="POST", data=update.encode(),
                               headers={"Content-Type": "application/sparql-update"})
    elif how == "form-update":
        status, _, body = http(endpoint, method="POST",
                               data=urllib.parse.urlencode({"update": update}).encode(),
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
    else:
        status, _, body = get(endpoint, update)
    assert status == 403
    assert b"read-only" in body
    _, _, count = get(endpoint, "ASK { <urn:cnc-kg:test:x> ?p ?o }")
    assert json.loads(count)["boolean"] is False


def test_query_too_large_413(endpoint):
    padding = "#" + "x" * 70_000 + "\n"
    status, _, _ = http(endpoint, method="POST", data=(padding + SELECT_ALL).encode(),
                        headers={"Content-Type": "application/sparql-query"})
    assert status == 413


def test_get_query_over_the_line_limit_414_says_post(endpoint):
    """A GET whose request line is over ``max_request_line_bytes``: 414 naming the limit and
    telling the client to POST (the same query POSTed is answered)."""
    long_query = "#" + "x" * 9_000 + "\n" + SELECT_ALL
    status, _, body = get(endpoint, long_query)
    assert status == 414
    assert b"max_request_line_bytes" in body and b"POST" in body
    status, _, _ = http(endpoint, method="POST", data=long_query.encode(),
                        headers={"Content-Type": "application/sparql-query",
                                 "Accept": "application/sparql-results+json"})
    assert status == 200


@pytest.mark.parametrize(("query", "accept"), [
    (SELECT_ALL, "text/turtle"),
    ("CONSTRUCT WHERE { ?s ?p ?o }", "application/sparql-results+json"),
    (SELECT_ALL, "image/png"),
])
def test_not_acceptable_406(endpoint, query, accept):
    status, headers, body = get(endpoint, query, accept=accept)
    assert status == 406
    assert headers.get("Vary") == "Accept"
    assert b"format=" in body


def test_vary_accept_on_answers(endpoint):
    _, headers, _ = get(endpoint, SELECT_ALL + " LIMIT 1")
    assert {v.strip() for v in headers["Vary"].split(",")} == {"Accept", "Accept-Encoding"}


def test_service_refused_403(endpoint):
    status, _, body = get(endpoint, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> "
                                    "{ ?s ?p ?o } }")
    assert status == 403 and b"service_allow" in body


def test_dataset_parameters(endpoint, dump):
    status, _, body = get(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                          **{"default-graph-uri": DATASET_IRI})
    assert status == 200
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == len(dump)
    status, _, body = get(endpoint, SELECT_ALL, **{"default-graph-uri": "urn:cnc-kg:test:other"})
    assert status == 400 and DATASET_IRI.encode() in body
    status, _, body = get(endpoint, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                          **{"named-graph-uri": DATASET_IRI})
    assert status == 200
    assert [b["g"]["value"] for b in json.loads(body)["results"]["bindings"]] == [DATASET_IRI]
    status, _, body = get(endpoint, SELECT_ALL, **{"named-graph-uri": "urn:cnc-kg:test:other"})
    assert status == 400 and b"named" in body


def test_post_without_query_400(endpoint):
    status, _, body = http(endpoint, method="POST", data=b"",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 400 and b"query" in body


def test_row_limit_signalled(endpoint):
    _, headers, _ = get(endpoint, SELECT_ALL + " LIMIT 1")
    assert int(headers["Cnc-Kg-Result-Limit"]) > 0
    assert "Cnc-Kg-Result-Truncated" not in headers


def test_rows_capped_and_flagged(built_root, dump, server_starter):
    with server_starter(built_root, env={"CNC_KG_MAX_RESULT_ROWS": "3"}) as base:
        status, headers, body = get(base + "sparql", SELECT_ALL)
        assert status == 200
        assert headers["Cnc-Kg-Result-Truncated"] == "true"
        assert headers["Cnc-Kg-Result-Limit"] == "3"
        assert len(json.loads(body)["results"]["bindings"]) == 3
        status, headers, body = get(base + "sparql", "CONSTRUCT WHERE { ?s ?p ?o }",
                                    accept="application/n-triples")
        assert headers["Cnc-Kg-Result-Truncated"] == "true"
        assert len(Graph().parse(data=body.decode(), format="nt")) == 3
        # The cap is the clients': the server's own index still reads every name, so pages
        # name every linked entity and search finds entities beyond the first three rows.
        status, _, body = http(base + "id/cnc?lang=en", headers={"Accept": "text/html"})
        assert status == 200
        assert "Franco-Chinese Carbon Neutrality Center" in body.decode()
        status, _, body = http(base + "search?" + urllib.parse.urlencode(
            {"q": "Carbon Neutrality", "lang": "en"}), headers={"Accept": "text/html"})
        assert status == 200 and 'href="/id/cnc"' in body.decode()


# --- CORS, Service Description, query page ---------------------------------------------------

def test_cors(endpoint):
    _, headers, _ = get(endpoint, SELECT_ALL + " LIMIT 1")
    assert headers["Access-Control-Allow-Origin"] == "*"
    status, headers, _ = http(endpoint, method="OPTIONS", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, accept"})
    assert status in (200, 204)
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in headers["Access-Control-Allow-Methods"]
    assert "content-type" in headers["Access-Control-Allow-Headers"].lower()


@pytest.mark.parametrize("accept", ["text/turtle", "application/ld+json", "application/rdf+xml",
                                    "application/n-triples"])
def test_service_description(live_server, endpoint, dump, accept):
    status, headers, body = http(endpoint, headers={"Accept": accept})
    assert status == 200 and headers["Content-Type"].startswith(accept)
    graph = parse_graph(body, accept)
    service = URIRef(endpoint)
    assert (service, SD.endpoint, service) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    formats = set(graph.objects(service, SD.resultFormat))
    assert URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats
    assert URIRef("http://www.w3.org/ns/formats/Turtle") in formats
    assert URIRef(live_server + ".well-known/void") in set(graph.objects())
    assert Literal(len(dump)) in {Literal(int(o)) for o in graph.objects()
                                  if isinstance(o, Literal) and o.datatype}


def test_query_page_for_browsers(endpoint):
    status, headers, body = http(endpoint, headers={"Accept": "text/html"})
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    page = body.decode("utf-8")
    assert '<html lang="en">' in page and '<meta charset="utf-8">' in page
    assert "PREFIX cnc: &lt;https://w3id.org/cnc-kg/ontology/&gt;" in page
    # Offline: no script, stylesheet or icon from another origin.
    assert not re.search(r'<(?:script|link)\b[^>]*\b(?:src|href)="(?:https?:)?//', page)
    for static in ("/static/sparql/query.js", "/static/sparql/query.css"):
        assert static in page
        assert http(endpoint.rsplit("/", 1)[0] + static)[0] == 200


def test_permalink_opens_page_with_query(endpoint):
    query = f'SELECT ?x WHERE {{ VALUES ?x {{ "{CHINESE}"@zh }} }}'
    status, headers, body = get(endpoint, query, accept="text/html,*/*;q=0.8")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    page = body.decode("utf-8")
    config = json.loads(html.unescape(re.search(r'data-config="([^"]*)"', page).group(1)))
    assert CHINESE in page and config["autorun"] is True


def test_catalogue_examples_on_page(endpoint, built_root):
    catalogue = load_catalogue(built_root / "queries")
    if not catalogue:
        pytest.skip("queries/ holds no .rq file yet")
    for lang in ("fr", "en", "zh"):
        _, _, body = http(endpoint + f"?lang={lang}", headers={"Accept": "text/html"})
        page = html.unescape(body.decode("utf-8"))
        for entry in catalogue:       # each question in the page's language, a link to its query
            assert f'lang="{lang}">{entry.questions[lang]}</a>' in page
            assert "/sparql?" + urllib.parse.urlencode({"query": entry.text}) in page


# --- concurrency ----------------------------------------------------------------------------------

def test_many_parallel_clients(endpoint, dump):
    queries = ["SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
               f"SELECT ?s WHERE {{ ?s ?p ?o {NO_BLANKS} }} ORDER BY ?s LIMIT 20",
               f"ASK {{ <{some_subject(dump)}> ?p ?o }}"]
    expected = [wrapper(endpoint, q, JSON).queryAndConvert() for q in queries]

    def client(i: int):
        method = "POST" if i % 2 else "GET"
        return wrapper(endpoint, queries[i % 3], JSON, method).queryAndConvert()

    with ThreadPoolExecutor(max_workers=32) as pool:
        answers = list(pool.map(client, range(300)))
    assert all(answer == expected[i % 3] for i, answer in enumerate(answers))


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "text/csv",
                                    "application/sparql-results+xml"])
def test_answers_gzip_compressed_when_accepted(endpoint, accept):
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 500"
    plain = get(endpoint, query, accept)
    url = endpoint + "?" + urllib.parse.urlencode({"query": query})
    request = urllib.request.Request(url, headers={"Accept": accept,
                                                   "Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response.headers["Vary"]
        assert gzip.decompress(response.read()) == plain[2]
    assert "Content-Encoding" not in plain[1]
