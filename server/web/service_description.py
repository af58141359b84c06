"""The endpoint's SPARQL 1.1 Service Description (https://www.w3.org/TR/sparql11-service-description/)."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, VOID, XSD

from server.config import Settings
from server.namespaces import SD, bind_prefixes
from server.web.negotiation import GRAPH_FORMATS, RESULT_FORMATS


def service_description(endpoint: str, void_url: str, settings: Settings, graph_iri: str,
                        triples: int) -> Graph:
    """What the endpoint at ``endpoint`` offers: language, formats, features, default dataset."""
    graph = bind_prefixes(Graph())
    service = URIRef(endpoint)
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    for fmt in RESULT_FORMATS + GRAPH_FORMATS:
        graph.add((service, SD.resultFormat, URIRef(fmt.w3c)))
    if settings.service_allow:
        graph.add((service, SD.feature, SD.BasicFederatedQuery))
    graph.add((service, RDFS.comment, Literal(
        f"Read-only. Queries are stopped after {settings.query_timeout:g} s; SELECT answers and "
        f"CONSTRUCT/DESCRIBE graphs are capped at {settings.max_result_rows} rows/triples "
        f"and {settings.max_result_bytes} bytes "
        f"(header Cnc-Kg-Result-Truncated: true when capped); queries over "
        f"{settings.max_query_bytes} bytes are refused (413).", lang="en")))
    dataset, default_graph = BNode(), BNode()
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default_graph))
    graph.add((dataset, RDFS.seeAlso, URIRef(void_url)))
    named = BNode()
    graph.add((dataset, SD.namedGraph, named))
    graph.add((named, RDF.type, SD.NamedGraph))
    graph.add((named, SD.name, URIRef(graph_iri)))
    graph.add((default_graph, RDF.type, SD.Graph))
    graph.add((default_graph, VOID.triples, Literal(triples, datatype=XSD.integer)))
    graph.add((default_graph, RDFS.seeAlso, URIRef(void_url)))
    return graph


# rdflib serialiser name of each graph format.
RDFLIB_FORMAT = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml"}
