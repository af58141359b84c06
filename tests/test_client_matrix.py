"""The clients our users already run, each against a real server, with the catalogue unchanged.

- SPARQLWrapper 2, GET and POST: every ``queries/*.rq`` as JSON, XML, CSV and TSV; ASK as JSON
  and XML; CONSTRUCT as Turtle and JSON-LD.
- rdflib's ``SPARQLStore``: every ``queries/*.rq``; ``triples`` and ``len``.
- Comunica 4 (npm, the newest that runs on Debian's Node 20): every ``queries/*.rq`` on the
  endpoint and on each dump (Turtle, gzipped N-Triples, JSON-LD); entity documents.
- pandas: every ``queries/*.rq`` through ``read_csv`` on the CSV answer.

Expected answers come from the build's own N-Triples dump, queried in a local pyoxigraph store,
never from the server under test. Rows are compared as multisets; numbers by value (Oxigraph
stores "05"^^xsd:positiveInteger as 5, a dump keeps the lexical form) and blank nodes as blank.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import urllib.parse
import urllib.request
import warnings
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas
import pyoxigraph as ox
import pytest
from node_packages import npm_install
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, POST, TSV, TURTLE, XML, SPARQLWrapper

from server.config import DATA_NS
from server.store.guard import query_form

REPO = Path(__file__).resolve().parent.parent
QUERIES = sorted((REPO / "queries").glob("*.rq"))
QUERY_IDS = [path.stem for path in QUERIES]
COMUNICA_VERSION = "4.5.0"   # 5.x needs a newer Node than Debian's (20)
COMUNICA_PREFIX = REPO / "tests" / ".node" / "comunica"
COMUNICA_RUNNER = REPO / "tests" / "clients" / "comunica_queries.cjs"
DUMPS = ("cnc-kg.ttl", "cnc-kg.nt.gz", "cnc-kg.jsonld")
XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "short",
                             "byte", "nonNegativeInteger", "positiveInteger", "negativeInteger",
                             "nonPositiveInteger", "unsignedInt", "unsignedLong",
                             "unsignedShort", "unsignedByte")}
# Words SPARQLWrapper 2.0 takes for a query form anywhere in the text left after its comment
# stripper (which keeps every other comment line): in a header they make it send an update.
SPARQLWRAPPER_KEYWORDS = ("construct", "select", "ask", "describe", "insert", "delete", "create",
                          "clear", "drop", "load", "copy", "move", "add")


# --- expected answers ----------------------------------------------------------------------------

def term_key(term: dict | None) -> tuple:
    """A SPARQL JSON term as compared here (numbers by value, blank nodes all alike)."""
    if term is None:
        return ("unbound",)
    kind = term["type"]
    if kind == "bnode":
        return ("bnode",)
    if kind == "uri":
        return ("uri", term["value"])
    datatype = term.get("datatype")
    if datatype in NUMERIC:
        try:
            return ("number", Decimal(term["value"]).normalize())
        except InvalidOperation:
            pass
    if term.get("xml:lang"):
        return ("literal", term["value"], term["xml:lang"].lower())
    if datatype in (None, XSD + "string"):
        return ("literal", term["value"])
    return ("literal", term["value"], datatype)


def rows_of(answer: dict) -> Counter:
    """The rows of a SPARQL JSON answer as a multiset of comparable tuples."""
    variables = answer["head"]["vars"]
    return Counter(tuple(term_key(row.get(v)) for v in variables)
                   for row in answer["results"]["bindings"])


def rdflib_key(term) -> tuple:
    """An rdflib term (SPARQLStore's rows) as ``term_key`` compares it."""
    if term is None:
        return ("unbound",)
    if isinstance(term, BNode):
        return ("bnode",)
    if isinstance(term, URIRef):
        return ("uri", str(term))
    assert isinstance(term, Literal)
    return term_key({"type": "literal", "value": str(term), "xml:lang": term.language,
                     "datatype": str(term.datatype) if term.datatype else None})


@pytest.fixture(scope="module")
def reference(built_root: Path) -> ox.Store:
    """The published graph in a local pyoxigraph store (from the dump, not from the server)."""
    store = ox.Store()
    store.bulk_load(path=str(built_root / "dist" / "cnc-kg.nt"), format=ox.RdfFormat.N_TRIPLES)
    return store


def expected(reference: ox.Store, text: str) -> dict:
    answer = reference.query(text)
    return json.loads(answer.serialize(format=ox.QueryResultsFormat.JSON))


@pytest.fixture(scope="module")
def endpoint(live_server: str) -> str:
    return live_server + "sparql"


def catalogue(path: Path) -> str:
    return path.read_text("utf-8")


# --- SPARQLWrapper ------------------------------------------------------------------------------

@pytest.mark.parametrize("path", QUERIES, ids=QUERY_IDS)
def test_sparqlwrapper_reads_every_catalogue_query_as_a_query(path):
    """SPARQLWrapper 2.0 decides from the text whether to send a query or an update: the
    catalogue's headers must not trigger its keyword match (docs/clients.md)."""
    text = catalogue(path)
    client = SPARQLWrapper("http://127.0.0.1:9/sparql")
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # "unknown query type" would be a warning
        client.setQuery(text)
    assert client.queryType == query_form(text).upper()
    assert not client.isSparqlUpdateRequest()
    # Stricter than SPARQLWrapper today, so that a header stays safe whichever of its comment
    # lines the stripper keeps: no comment line before the query form holds a keyword.
    for number, line in enumerate(text.splitlines(), 1):
        if query_form_starts(line):
            break
        if line.lstrip().startswith("#"):
            found = [w for w in SPARQLWRAPPER_KEYWORDS if w in line.lower()]
            assert not found, (f"{path.name}:{number} holds {found}: SPARQLWrapper 2.0 may send "
                               "this query as an update; reword the comment")


def query_form_starts(line: str) -> bool:
    words = line.strip().split()
    return bool(words) and words[0].upper() in ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")


def sparqlwrapper(endpoint: str, text: str, fmt: str, method: str) -> SPARQLWrapper:
    client = SPARQLWrapper(endpoint)
    client.setQuery(text)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    return client


def csv_rows(text: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def plain_value(term: dict | None) -> str:
    """A term as SPARQL CSV writes it (IRIs and literals bare, blank nodes as a label)."""
    if term is None:
        return ""
    return "_:" if term["type"] == "bnode" else term["value"]


def xml_rows(document) -> Counter:
    """The rows of a SPARQL XML results document (minidom) as (var, kind, value) sets."""
    rows = Counter()
    for result in document.getElementsByTagName("result"):
        cells = []
        for binding in result.getElementsByTagName("binding"):
            for node in binding.childNodes:
                if node.nodeType == node.ELEMENT_NODE:
                    text = "".join(t.data for t in node.childNodes if t.nodeType == t.TEXT_NODE)
                    cells.append((binding.getAttribute("name"), node.tagName,
                                  "_" if node.tagName == "bnode" else text))
        rows[tuple(sorted(cells))] += 1
    return rows


def json_as_xml_rows(answer: dict) -> Counter:
    return Counter(tuple(sorted((v, t["type"] if t["type"] != "typed-literal" else "literal",
                                 "_" if t["type"] == "bnode" else t["value"])
                                for v, t in row.items()))
                   for row in answer["results"]["bindings"])


def csv_cell(value: str) -> str:
    return "_:" if value.startswith("_:") else value


@pytest.mark.parametrize("method", ["GET", POST])
@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
@pytest.mark.parametrize("path", QUERIES, ids=QUERY_IDS)
def test_sparqlwrapper_catalogue(endpoint, reference, path, fmt, method):
    text = catalogue(path)
    want = expected(reference, text)
    variables = want["head"]["vars"]
    got = sparqlwrapper(endpoint, text, fmt, method).queryAndConvert()
    if fmt == JSON:
        assert got["head"]["vars"] == variables
        assert rows_of(got) == rows_of(want)
    elif fmt == XML:                                   # a minidom document
        assert [v.getAttribute("name") for v in got.getElementsByTagName("variable")] == variables
        assert xml_rows(got) == json_as_xml_rows(want)
    elif fmt == CSV:
        table = csv_rows(got.decode("utf-8"), ",")
        assert table[0] == variables
        assert Counter(tuple(csv_cell(c) for c in row) for row in table[1:]) == Counter(
            tuple(plain_value(row.get(v)) for v in variables)
            for row in want["results"]["bindings"])
    else:                                              # TSV: RDF terms, read back by Oxigraph
        assert got.decode("utf-8").split("\n", 1)[0].split("\t") == ["?" + v for v in variables]
        answer = ox.parse_query_results(got, format=ox.QueryResultsFormat.TSV)
        assert rows_of(json.loads(answer.serialize(format=ox.QueryResultsFormat.JSON))) \
            == rows_of(want)


@pytest.mark.parametrize("method", ["GET", POST])
@pytest.mark.parametrize("fmt", [JSON, XML])
def test_sparqlwrapper_ask(endpoint, reference, fmt, method):
    for text, answer in (("ASK { ?node a <https://w3id.org/cnc-kg/ontology/NetworkNode> }", True),
                         ("ASK { <urn:cnc-kg:test:absent> ?p ?o }", False)):
        assert bool(reference.query(text)) is answer
        got = sparqlwrapper(endpoint, text, fmt, method).queryAndConvert()
        value = got["boolean"] if fmt == JSON else \
            got.getElementsByTagName("boolean")[0].firstChild.data == "true"
        assert value is answer


CONSTRUCT_PARTNERS = """PREFIX cnc: <https://w3id.org/cnc-kg/ontology/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT { ?node cnc:partner ?partner . ?partner rdfs:label ?name }
WHERE { ?node a cnc:NetworkNode ; cnc:partner ?partner . ?partner rdfs:label ?name }"""


def engine_graph(triples) -> Graph:
    """Triples as rdflib terms with numbers by value (Oxigraph's view of them)."""
    graph = Graph()
    for s, p, o in triples:
        if isinstance(o, Literal) and o.datatype and str(o.datatype) in NUMERIC:
            o = Literal(o.toPython())
        graph.add((s, p, o))
    return graph


def reference_graph(reference: ox.Store, text: str) -> Graph:
    data = ox.serialize(reference.query(text), format=ox.RdfFormat.N_TRIPLES)
    return engine_graph(Graph().parse(data=data.decode("utf-8"), format="nt"))


@pytest.mark.parametrize("method", ["GET", POST])
@pytest.mark.parametrize("fmt", [TURTLE, JSONLD])
def test_sparqlwrapper_construct(endpoint, reference, fmt, method):
    want = reference_graph(reference, CONSTRUCT_PARTNERS)
    assert len(want) > 0
    response = sparqlwrapper(endpoint, CONSTRUCT_PARTNERS, fmt, method).query().response
    media_type = response.headers["Content-Type"].split(";")[0]
    assert media_type == {TURTLE: "text/turtle", JSONLD: "application/ld+json"}[fmt]
    body = response.read()
    if fmt == JSONLD:                    # rdflib's JSON-LD reader warns: parse with Oxigraph
        body = ox.serialize(ox.parse(body, format=ox.RdfFormat.JSON_LD),
                            format=ox.RdfFormat.N_TRIPLES)
        got = Graph().parse(data=body.decode("utf-8"), format="nt")
    else:
        got = Graph().parse(data=body.decode("utf-8"), format="turtle")
    assert isomorphic(engine_graph(got), want)


# --- rdflib SPARQLStore -------------------------------------------------------------------------

@pytest.mark.parametrize("path", QUERIES, ids=QUERY_IDS)
def test_rdflib_sparqlstore_catalogue(endpoint, reference, path):
    text = catalogue(path)
    want = expected(reference, text)
    graph = Graph(store=SPARQLStore(endpoint, returnFormat="json"))
    result = graph.query(text)
    assert [str(v) for v in result.vars] == want["head"]["vars"]
    assert Counter(tuple(rdflib_key(t) for t in row) for row in result) == rows_of(want)


def test_rdflib_sparqlstore_triples_and_len(endpoint, reference):
    graph = Graph(store=SPARQLStore(endpoint, returnFormat="json"))
    cnc = URIRef("https://w3id.org/cnc-kg/id/cnc")
    got = engine_graph(graph.triples((cnc, None, None)))
    want = reference_graph(reference, f"CONSTRUCT {{ <{cnc}> ?p ?o }} WHERE {{ <{cnc}> ?p ?o }}")
    assert set(got) == set(want) and len(got) > 0
    assert len(graph) == len(reference)


# --- pandas -------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", QUERIES, ids=QUERY_IDS)
def test_pandas_read_csv_catalogue(endpoint, reference, path):
    text = catalogue(path)
    want = expected(reference, text)
    frame = pandas.read_csv(endpoint + "?" + urllib.parse.urlencode(
        {"query": text, "format": "csv"}), dtype=str, keep_default_na=False)
    assert list(frame.columns) == want["head"]["vars"]
    assert len(frame) == len(want["results"]["bindings"])
    assert Counter(map(tuple, frame.itertuples(index=False))) == Counter(
        tuple(plain_value(row.get(v)) for v in want["head"]["vars"])
        for row in want["results"]["bindings"])


# --- Comunica -----------------------------------------------------------------------------------

# Comunica 4.4 and 4.5 as npm resolves them lose the language tags of SPARQL endpoint answers:
# their parsers (sparqljson-parse 3, sparqlxml-parse 3) build literals with the RDF 1.2 data
# factory call {language, direction}, which Comunica's own rdf-data-factory 1.x reads as a
# datatype. The override below (docs/clients.md gives it to users) makes every package share
# rdf-data-factory 2.
COMUNICA_PACKAGE = {"private": True,
                    "dependencies": {"@comunica/query-sparql": COMUNICA_VERSION},
                    "overrides": {"rdf-data-factory": "^2.0.0"}}


def comunica_installed() -> Path:
    """Comunica's packages, installed from the npm registry on first use."""
    modules = COMUNICA_PREFIX / "node_modules"
    manifest = COMUNICA_PREFIX / "package.json"

    def version(name: str) -> str:
        package = modules / name / "package.json"
        return json.loads(package.read_text("utf-8"))["version"] if package.is_file() else ""

    if (manifest.is_file() and json.loads(manifest.read_text("utf-8")) == COMUNICA_PACKAGE
            and version("@comunica/query-sparql") == COMUNICA_VERSION
            and version("rdf-data-factory").startswith("2.")):
        return modules
    COMUNICA_PREFIX.mkdir(parents=True, exist_ok=True)
    manifest.write_text(json.dumps(COMUNICA_PACKAGE, indent=2) + "\n", "utf-8")
    npm_install(COMUNICA_PREFIX)
    return modules


@pytest.fixture(scope="module")
def comunica():
    """``run(jobs) -> answers``: the jobs' queries run by Comunica in one Node process."""
    modules = comunica_installed()

    def run(jobs: list[dict]) -> dict:
        done = subprocess.run(["node", str(COMUNICA_RUNNER)], input=json.dumps(jobs),
                              capture_output=True, text=True, timeout=600,
                              env={"PATH": os.environ["PATH"], "NODE_PATH": str(modules)})
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    return run


@pytest.fixture(scope="module")
def comunica_catalogue(comunica, live_server, endpoint) -> dict:
    """Every catalogue query through Comunica, on the endpoint and on each dump."""
    sources = {"endpoint": [{"type": "sparql", "value": endpoint}],
               **{dump: [live_server + "dumps/" + dump] for dump in DUMPS}}
    jobs = [{"id": f"{where}|{path.stem}", "query": catalogue(path), "sources": source}
            for where, source in sources.items() for path in QUERIES]
    return comunica(jobs)


@pytest.mark.parametrize("where", ["endpoint", *DUMPS])
@pytest.mark.parametrize("path", QUERIES, ids=QUERY_IDS)
def test_comunica_catalogue(comunica_catalogue, reference, where, path):
    got = comunica_catalogue[f"{where}|{path.stem}"]
    assert "error" not in got, got.get("error")
    want = expected(reference, catalogue(path))
    assert rows_of(got) == rows_of(want)


def entity_sample(reference: ox.Store) -> list[str]:
    """One entity of each class the graph's entities have (the first by IRI)."""
    rows = reference.query(f"""SELECT ?type (MIN(STR(?entity)) AS ?first) WHERE {{
        ?entity a ?type FILTER (STRSTARTS(STR(?entity), "{DATA_NS}")) }} GROUP BY ?type""")
    return sorted({row["first"].value[len(DATA_NS):] for row in rows})


def test_comunica_reads_entity_documents(comunica, live_server, reference):
    """Entity documents, dereferenced by Comunica with its own Accept (one entity of every
    class), and the CNC's in each format by file extension, hold the entity's statements."""
    documents = [(slug, live_server + "id/" + slug) for slug in entity_sample(reference)]
    documents += [("cnc", live_server + "id/cnc." + extension)
                  for extension in ("ttl", "nt", "jsonld", "rdf")]
    assert len(documents) > 10
    jobs = [{"id": url, "sources": [url],
             "query": f"SELECT ?p ?o WHERE {{ <{DATA_NS}{slug}> ?p ?o }}"}
            for slug, url in documents]
    answers = comunica(jobs)
    for job in jobs:
        got = answers[job["id"]]
        assert "error" not in got, (job["id"], got.get("error"))
        want = expected(reference, job["query"])
        assert want["results"]["bindings"], job["id"]
        assert rows_of(got) == rows_of(want), job["id"]


def test_comunica_reads_the_ntriples_dump_at_its_usual_url(comunica, live_server, reference):
    """/dumps/cnc-kg.nt.gz is a gzip file for downloaders and N-Triples (gzip-encoded) for
    RDF clients: Comunica reads every triple."""
    answers = comunica([{"id": "count", "sources": [live_server + "dumps/cnc-kg.nt.gz"],
                         "query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}])
    assert int(answers["count"]["results"]["bindings"][0]["n"]["value"]) == len(reference)
