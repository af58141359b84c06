"""Dereferenceable IRIs and harvesting, on a real server (issue 4): the content-negotiation matrix
over one entity of every class × every RDF format, ontology and shapes documents, 404/406, the
harvest round-trip (dumps == the endpoint's full CONSTRUCT), VoID/DCAT, sitemap, 304, gzip, CORS.
"""

from __future__ import annotations

import gzip
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from http_calls import http
from rdflib import BNode, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, RDFS, VOID

from server.config import DATA_NS, ONTOLOGY_NS
from server.namespaces import SH
from server.web.negotiation import GRAPH_FORMATS

# rdflib's own JSON-LD parser warns about its internal use of ConjunctiveGraph (rdflib 7.x).
pytestmark = pytest.mark.filterwarnings(
    "ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

RDFLIB_PARSER = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml"}
TIMEOUT = 30


def parse(body: bytes, fmt_name: str, base: str) -> Graph:
    return Graph().parse(data=body, format=RDFLIB_PARSER[fmt_name], publicID=base)


def local(base: str, iri: URIRef) -> str:
    """The URL of ``iri`` on the test server."""
    return base + str(iri)[len("https://w3id.org/cnc-kg/"):]


def endpoint_graph(base: str, query: str) -> tuple[Graph, bool]:
    """A CONSTRUCT answered by the server's SPARQL endpoint (protocol POST), and its truncation."""
    request = urllib.request.Request(
        base + "sparql", data=urllib.parse.urlencode({"query": query}).encode("ascii"),
        headers={"Accept": "application/n-triples",
                 "Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
        truncated = response.headers.get("Cnc-Kg-Result-Truncated", "false") == "true"
        return Graph().parse(data=response.read(), format="nt"), truncated


@pytest.fixture(scope="module")
def published(dump_path: Path) -> Graph:
    """The graph the server loaded (the build's N-Triples)."""
    return Graph().parse(dump_path, format="nt")


@pytest.fixture(scope="module")
def samples(published: Graph) -> dict[URIRef, URIRef]:
    """One entity (the first by IRI) of every class entities of the data are typed with."""
    chosen: dict[URIRef, URIRef] = {}
    for entity, cls in sorted(published.subject_objects(RDF.type)):
        if isinstance(entity, URIRef) and str(entity).startswith(DATA_NS):
            chosen.setdefault(cls, entity)
    assert chosen, "no typed entity under the data namespace in the built graph"
    return chosen


def _contains_entity_triples(answer: Graph, published: Graph, entity: URIRef) -> list[str]:
    """What of the entity's own triples the answer lacks (blank-node objects compared by count)."""
    missing = []
    for p, o in published.predicate_objects(entity):
        if isinstance(o, BNode):
            if len([x for x in answer.objects(entity, p) if isinstance(x, BNode)]) < \
                    len([x for x in published.objects(entity, p) if isinstance(x, BNode)]):
                missing.append(f"{p} [blank node]")
        elif (entity, p, o) not in answer:
            missing.append(f"{p} {o.n3()}")
    return missing


def test_negotiation_matrix_every_class_every_format(live_server, published, samples):
    """Each sample entity answers every RDF format by Accept and by suffix, with its triples."""
    problems = []
    for cls, entity in samples.items():
        url = local(live_server, entity)
        for fmt in GRAPH_FORMATS:
            status, headers, body = http(url, accept=fmt.media_type)
            if status != 200 or headers.get_content_type() != fmt.media_type:
                problems.append(f"{entity} Accept {fmt.media_type}: {status} "
                                f"{headers.get('Content-Type')}")
                continue
            if "accept" not in headers.get("Vary", "").lower():
                problems.append(f"{entity} {fmt.name}: no Vary: Accept")
            if headers.get("Access-Control-Allow-Origin") != "*":
                problems.append(f"{entity} {fmt.name}: no CORS header")
            graph = parse(body, fmt.name, url)
            problems += [f"{entity} ({cls}) {fmt.name} lacks {m}"
                         for m in _contains_entity_triples(graph, published, entity)]
            status, headers, body = http(f"{url}.{fmt.extension}")
            if status != 200 or headers.get_content_type() != fmt.media_type:
                problems.append(f"{entity}.{fmt.extension}: {status}")
                continue
            problems += [f"{entity}.{fmt.extension} lacks {m}" for m in
                         _contains_entity_triples(parse(body, fmt.name, url), published, entity)]
        status, headers, body = http(url, accept="text/html")
        if status != 200 or headers.get_content_type() != "text/html":
            problems.append(f"{entity} as HTML: {status}")
    assert not problems, "\n".join(problems)


def test_entity_document_has_license_dataset_inbound_and_labels(live_server, published, samples):
    """The RDF document adds license and dataset, statements pointing at the entity, and labels
    of what it links to."""
    checked_inbound = checked_labels = 0
    for entity in samples.values():
        url = local(live_server, entity)
        _, _, body = http(url + ".ttl")
        graph = parse(body, "turtle", url)
        document = URIRef(f"{entity}.ttl")
        assert (document, DCTERMS.license, None) in graph, entity
        assert (document, VOID.inDataset, URIRef("https://w3id.org/cnc-kg/dataset")) in graph
        for s, p in published.subject_predicates(entity):
            if isinstance(s, URIRef):
                assert (s, p, entity) in graph, f"{entity}: inbound {s} {p} missing"
                checked_inbound += 1
        for o in published.objects(entity, None):
            for label in published.objects(o, RDFS.label) if isinstance(o, URIRef) else ():
                assert (o, RDFS.label, label) in graph, f"{entity}: label of {o} missing"
                checked_labels += 1
    assert checked_inbound and checked_labels


@pytest.mark.parametrize("accept, status", [
    ("image/png", 406),
    ("text/turtle;q=0, application/ld+json", 200),
    ("*/*", 200),
])
def test_entity_accept_edge_cases(live_server, samples, accept, status):
    entity = next(iter(samples.values()))
    assert http(local(live_server, entity), accept=accept)[0] == status


def test_unknown_iri_is_a_helpful_404(live_server, samples):
    """An unknown entity: plain 404 for RDF clients, a page with a search box for people that
    offers the entity whose IRI was mistyped."""
    assert http(live_server + "id/no-such-entity", accept="text/turtle")[0] == 404
    entity = max(samples.values(), key=lambda iri: len(str(iri)))
    slug = str(entity)[len(DATA_NS):]
    typo = slug[:-1] + ("x" if slug[-1] != "x" else "y")
    status, headers, body = http(live_server + f"id/{typo}", accept="text/html")
    page = body.decode("utf-8")
    assert status == 404 and headers.get_content_type() == "text/html"
    assert 'role="search"' in page and 'name="q"' in page
    assert f'href="/id/{slug}"' in page, "the mistyped entity is not offered"


@pytest.mark.parametrize("fmt", GRAPH_FORMATS, ids=lambda f: f.name)
def test_ontology_and_shapes_in_every_format(live_server, fmt):
    """The ontology at /ontology, one of its terms, and the shapes at /shapes, in each format."""
    ontology_url = live_server + "ontology"
    graph = parse(http(f"{ontology_url}.{fmt.extension}")[2], fmt.name, ontology_url)
    assert (URIRef("https://w3id.org/cnc-kg/ontology"), RDF.type, OWL.Ontology) in graph
    status, headers, body = http(ontology_url, accept=fmt.media_type)
    assert status == 200 and headers.get_content_type() == fmt.media_type
    term = URIRef(ONTOLOGY_NS + "NetworkNode")
    term_graph = parse(http(live_server + "ontology/NetworkNode", accept=fmt.media_type)[2],
                       fmt.name, ontology_url)
    assert (term, RDF.type, OWL.Class) in term_graph
    shapes = parse(http(live_server + f"shapes.{fmt.extension}")[2], fmt.name, ontology_url)
    assert any(shapes.subjects(RDF.type, SH.NodeShape))


def test_term_page_documents_the_term(live_server):
    """Labels in three languages, definition, hierarchy and usage on a class page."""
    status, _, body = http(live_server + "ontology/NetworkNode?lang=en")
    page = body.decode("utf-8")
    assert status == 200
    for code in ("fr", "en", "zh"):
        assert f'<li lang="{code}">' in page
    assert "Uses in the data" in page


def test_harvest_round_trip(live_server):
    """Every dump, parsed, is the graph the endpoint returns for CONSTRUCT { ?s ?p ?o }."""
    full, truncated = endpoint_graph(live_server, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert not truncated, "the endpoint capped the full CONSTRUCT; raise max_result_rows"
    status, headers, body = http(live_server + "dumps/cnc-kg.ttl")
    assert status == 200 and headers.get_content_type() == "text/turtle"
    assert isomorphic(Graph().parse(data=body, format="turtle"), full)
    status, headers, body = http(live_server + "dumps/cnc-kg.nt.gz")
    assert status == 200 and headers.get_content_type() == "application/gzip"
    assert isomorphic(Graph().parse(data=gzip.decompress(body), format="nt"), full)
    jsonld_url = live_server + "dumps/cnc-kg.jsonld"
    status, _, body = http(jsonld_url)
    assert status == 200
    # Its @context is the sibling file context.jsonld, fetched from the server by the parser.
    assert isomorphic(Graph().parse(data=body, format="json-ld", base=jsonld_url), full)


def test_void_and_dcat_description(live_server, published):
    """VoID at /.well-known/void: counts, partitions, uriSpace, endpoint, dumps with sizes."""
    status, headers, body = http(live_server + ".well-known/void", accept="text/turtle")
    assert status == 200 and headers.get_content_type() == "text/turtle"
    void = Graph().parse(data=body, format="turtle")
    dataset = URIRef("https://w3id.org/cnc-kg/dataset")
    assert int(void.value(dataset, VOID.triples)) == len(published)
    assert str(void.value(dataset, VOID.uriSpace)) == DATA_NS
    assert str(void.value(dataset, VOID.sparqlEndpoint)) == live_server + "sparql"
    assert void.value(dataset, URIRef("http://purl.org/dc/terms/license")) is not None
    assert void.value(dataset, URIRef("http://purl.org/dc/terms/modified")) is not None
    assert URIRef(ONTOLOGY_NS) in set(void.objects(dataset, VOID.vocabulary))
    for partition in void.objects(dataset, VOID.classPartition):
        cls = void.value(partition, VOID["class"])
        expected = len(set(published.subjects(RDF.type, cls)))
        assert int(void.value(partition, VOID.entities)) == expected, cls
    for partition in void.objects(dataset, VOID.propertyPartition):
        prop = void.value(partition, VOID.property)
        assert int(void.value(partition, VOID.triples)) == len(list(published.triples(
            (None, prop, None)))), prop
    dumps = set(void.objects(dataset, VOID.dataDump))
    assert len(dumps) >= 3
    for distribution in void.objects(dataset, DCAT.distribution):
        url = str(void.value(distribution, DCAT.downloadURL))
        status, _, body = http(url)
        assert status == 200 and len(body) == int(void.value(distribution, DCAT.byteSize)), url
    assert http(live_server + "dataset", accept="application/ld+json")[0] == 200


def test_sitemap_lists_every_entity(live_server, published):
    status, _, body = http(live_server + "sitemap.xml")
    assert status == 200
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    listed = {loc.text for loc in ET.fromstring(body).findall("s:url/s:loc", namespace)}
    entities = {local(live_server, s) for s in published.subjects()
                if isinstance(s, URIRef) and str(s).startswith(DATA_NS)}
    assert entities and entities <= listed, sorted(entities - listed)[:10]


def test_sitemap_split_beyond_its_url_limit(built_root, server_starter, published):
    """More pages than ``sitemap_urls``: /sitemap.xml is a sitemap index whose files list
    every page once, none with more than the limit (sitemaps.org: 50,000)."""
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    with server_starter(built_root, env={"CNC_KG_SITEMAP_URLS": "40"}) as base:
        status, headers, body = http(base + "sitemap.xml")
        assert status == 200 and headers["Content-Type"].startswith("application/xml")
        files = [loc.text for loc in ET.fromstring(body).findall("s:sitemap/s:loc", namespace)]
        assert len(files) > 1
        listed: list[str] = []
        for url in files:
            status, _, body = http(url)
            assert status == 200, url
            urls = [loc.text for loc in ET.fromstring(body).findall("s:url/s:loc", namespace)]
            assert 0 < len(urls) <= 40, url
            listed += urls
        entities = {local(base, s) for s in published.subjects()
                    if isinstance(s, URIRef) and str(s).startswith(DATA_NS)}
        assert len(listed) == len(set(listed)) and entities <= set(listed)
        beyond = base + f"sitemap-{len(files) + 1}.xml"
        assert http(beyond)[0] == 404 and http(base + "sitemap-0.xml")[0] == 404


@pytest.mark.parametrize("path", ["", "id/cnc", "id/cnc.ttl", ".well-known/void",
                                  "dumps/cnc-kg.ttl", "sitemap.xml"])
def test_revalidation_answers_304(live_server, path):
    """ETag and Last-Modified are given, and a revalidation with either answers 304."""
    url = live_server + path
    status, headers, body = http(url)
    assert status == 200 and headers["ETag"] and headers["Last-Modified"]
    assert http(url, headers={"If-None-Match": headers["ETag"]})[0] == 304
    assert http(url, headers={"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    assert http(url, headers={"If-None-Match": '"something-else"'})[0] == 200


def test_gzip_on_request(live_server):
    status, headers, body = http(live_server + "id/cnc.nt", headers={"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    plain = http(live_server + "id/cnc.nt")[2]
    assert gzip.decompress(body) == plain
    assert "accept-encoding" in headers["Vary"].lower()


def test_milestones_listed_by_date(live_server, published):
    """The CNC page lists its milestones oldest first (undated ones last), not by name."""
    cnc, milestone = URIRef(DATA_NS + "cnc"), URIRef(ONTOLOGY_NS + "milestone")
    dated = (URIRef(ONTOLOGY_NS + "date"), URIRef(ONTOLOGY_NS + "startDate"))

    def when(iri: URIRef) -> str:
        return min((str(d)[:10] for p in dated for d in published.objects(iri, p)),
                   default="9999")

    status, _, body = http(live_server + "id/cnc?lang=en", accept="text/html")
    assert status == 200
    page = body.decode("utf-8")
    row = page[page.index(">milestone<"):]
    row = row[:row.index("</dd>")]
    milestones = list(published.objects(cnc, milestone))
    assert len(milestones) > 2
    shown = sorted(milestones, key=lambda m: row.index(f'href="{local("/", m)}"'))
    assert [when(m) for m in shown] == sorted(when(m) for m in milestones)
