"""Query answers as documents: SELECT rows as SPARQL JSON bindings, graphs as triples, written
in every format by pyoxigraph's serialisers (https://www.w3.org/TR/sparql11-results-json/ and
friends), so the embedded and the external store produce the same kind of documents.

Imported by the engine processes: pyoxigraph only, no rdflib (``decoding`` reads answers back).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import pyoxigraph as ox

from server.formats import GRAPH_FORMATS, RESULT_FORMATS

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
JSON_RESULTS = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"

RESULT_MEDIA_TYPES = {f.media_type: f.oxigraph for f in RESULT_FORMATS}
GRAPH_MEDIA_TYPES = {f.media_type: f.oxigraph for f in GRAPH_FORMATS}


def results_format(media_type: str | None) -> ox.QueryResultsFormat:
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


def select_body(variables: list[str], bindings: list[dict], media_type: str | None) -> bytes:
    """A SELECT answer (rows as SPARQL JSON bindings) serialised as ``media_type``."""
    body = json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                      ensure_ascii=False).encode("utf-8")
    fmt = results_format(media_type)
    if fmt == ox.QueryResultsFormat.JSON:
        return body
    return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON).serialize(format=fmt)


def ask_body(boolean: bool, media_type: str | None) -> bytes:
    """An ASK answer serialised as ``media_type``."""
    body = json.dumps({"head": {}, "boolean": boolean}).encode()
    fmt = results_format(media_type)
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
