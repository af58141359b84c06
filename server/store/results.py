"""Query answers between engines and HTTP: capped, serialised in every format, or decoded.

Every engine hands over SELECT rows as SPARQL JSON bindings and graphs as triples; pyoxigraph's
serialisers then write each format (https://www.w3.org/TR/sparql11-results-json/ and friends),
so the embedded and the external store produce byte-for-byte the same kind of documents.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.query import Result
from rdflib.term import Identifier

from server.store.base import QueryResult

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
JSON_RESULTS = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"

RESULT_MEDIA_TYPES = {
    JSON_RESULTS: ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}

GRAPH_MEDIA_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    N_TRIPLES: ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


def _results_format(media_type: str | None) -> ox.QueryResultsFormat:
    try:
        return RESULT_MEDIA_TYPES[media_type or JSON_RESULTS]
    except KeyError:
        raise ValueError(f"no result format for {media_type!r}") from None


def term_json(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> dict:
    """One pyoxigraph term as a SPARQL JSON results term."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": {"subject": term_json(term.subject),
                                        "predicate": term_json(term.predicate),
                                        "object": term_json(term.object)}}


def rdflib_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Identifier:
    """One pyoxigraph term as the rdflib term rdflib's own parsers would give."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == XSD_STRING:
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def select_body(variables: list[str], bindings: list[dict], media_type: str | None) -> bytes:
    """A SELECT answer (rows as SPARQL JSON bindings) serialised as ``media_type``."""
    body = json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                      ensure_ascii=False).encode("utf-8")
    fmt = _results_format(media_type)
    if fmt == ox.QueryResultsFormat.JSON:
        return body
    return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON).serialize(format=fmt)


def ask_body(boolean: bool, media_type: str | None) -> bytes:
    """An ASK answer serialised as ``media_type``."""
    body = json.dumps({"head": {}, "boolean": boolean}).encode()
    fmt = _results_format(media_type)
    if fmt == ox.QueryResultsFormat.JSON:
        return body
    return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON).serialize(format=fmt)


def graph_body(triples: Iterable[ox.Triple], media_type: str | None,
               prefixes: dict[str, str] | None = None) -> bytes:
    """A CONSTRUCT/DESCRIBE answer serialised as ``media_type`` (N-Triples by default)."""
    media_type = media_type or N_TRIPLES
    try:
        fmt = GRAPH_MEDIA_TYPES[media_type]
    except KeyError:
        raise ValueError(f"no graph format for {media_type!r}") from None
    named = {"prefixes": prefixes} if prefixes and fmt in (
        ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else {}
    return ox.serialize(triples, format=fmt, **named)


def decode(kind: str, body: bytes, truncated: bool = False) -> QueryResult:
    """A JSON results or N-Triples ``body`` as rdflib terms (for callers inside the server)."""
    if kind == "graph":
        # pyoxigraph's parser, not rdflib's: rdflib's N-Triples reader is quadratic in the
        # length of a line, so one 5 MB literal took minutes.
        graph = Graph()
        for triple in ox.parse(body, format=ox.RdfFormat.N_TRIPLES):
            graph.add((rdflib_term(triple.subject), rdflib_term(triple.predicate),
                       rdflib_term(triple.object)))
        return QueryResult("graph", graph=graph, truncated=truncated)
    result = Result.parse(io.BytesIO(body), format="json")
    if kind == "ask":
        return QueryResult("ask", boolean=bool(result.askAnswer))
    variables = [str(v) for v in result.vars or ()]
    rows = [tuple(row.get(v) for v in result.vars) for row in result.bindings]
    return QueryResult("select", variables=variables, rows=rows, truncated=truncated)
