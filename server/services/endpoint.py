"""The SPARQL endpoint's work between the protocol and the store: a query's form (the answer
formats depend on it), its answer, and the endpoint's Service Description
(https://www.w3.org/TR/sparql11-service-description/)."""

from __future__ import annotations

from collections.abc import Sequence

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, VOID, XSD

from server.config import Settings
from server.formats import GRAPH_FORMATS, RESULT_FORMATS
from server.namespaces import SD, bind_prefixes
from server.store import guard
from server.store.base import QueryResult, QuerySyntaxError, Store, StoreError
from server.store.syntax_errors import syntax_message

# How the embedded engine starts a syntax error (then "line:column: message").
ENGINE_POSITION = "error at "


def service_description(store: Store, settings: Settings, endpoint: str, void_url: str) -> Graph:
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
    graph.add((named, SD.name, URIRef(store.graph_iri)))
    graph.add((default_graph, RDF.type, SD.Graph))
    graph.add((default_graph, VOID.triples, Literal(store.triple_count(), datatype=XSD.integer)))
    graph.add((default_graph, RDFS.seeAlso, URIRef(void_url)))
    return graph


def query_form(text: str) -> str:
    """"select", "construct", "describe" or "ask"; refuses updates (``QueryRefused``)."""
    return guard.query_form(text)


def form_if_query(text: str) -> str | None:
    """The form of ``text`` if it is a query (not an update, not unreadable), else ``None``:
    what a client that sent a query as an update meant."""
    try:
        return guard.query_form(text)
    except StoreError:
        return None


def answer(store: Store, query: str, media_type: str, default_graph_uris: Sequence[str],
           named_graph_uris: Sequence[str]) -> QueryResult:
    """The query's answer serialised as ``media_type`` (rows capped, ``truncated`` flagged)."""
    try:
        return store.answer(query, media_type=media_type, default_graph_uris=default_graph_uris,
                            named_graph_uris=named_graph_uris)
    except QuerySyntaxError as error:
        if not str(error).startswith(ENGINE_POSITION):
            raise
        # The engine's "error at L:C: …" with an undeclared prefix named plainly.
        raise QuerySyntaxError(syntax_message(query, str(error))) from error
