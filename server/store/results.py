"""Query answers as documents: SELECT rows as SPARQL JSON bindings, graphs as triples, written
in every format by pyoxigraph's serialisers (https://www.w3.org/TR/sparql11-results-json/ and
friends), so the embedded and the external store produce the same kind of documents.

Imported by the engine processes: pyoxigraph only, no rdflib (``decoding`` reads answers back).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import TypeVar

import pyoxigraph as ox

from server.formats import GRAPH_FORMATS, RESULT_FORMATS

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
JSON_RESULTS = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
# Bytes a SPARQL JSON binding or an N-Triples line adds around the text of its terms.
_TERM_OVERHEAD = 40

Item = TypeVar("Item")

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


def binding_size(binding: dict) -> int:
    """Roughly the bytes one row (SPARQL JSON bindings) takes in an answer."""
    return sum(len(term["value"]) + len(term.get("datatype", "")) + len(term.get("xml:lang", ""))
               + _TERM_OVERHEAD for term in binding.values()) + _TERM_OVERHEAD


def triple_size(triple: ox.Triple) -> int:
    """Roughly the bytes one triple takes in an answer."""
    return len(str(triple)) + _TERM_OVERHEAD


def take_within(items: Iterable[Item], max_items: int | None, max_bytes: int | None,
           size: Callable[[Item], int]) -> tuple[list[Item], bool]:
    """The first ``items``: at most ``max_items`` of them, whose ``size`` adds up to at most
    ``max_bytes``; and whether any were left out. Reads no further than the cap, so an engine's
    lazy answer is never materialised beyond it."""
    kept: list[Item] = []
    total = 0
    for item in items:
        if max_items is not None and len(kept) == max_items:
            return kept, True
        if max_bytes is not None:
            total += size(item)
            if total > max_bytes:
                return kept, True
        kept.append(item)
    return kept, False


def serialize_within(items: list[Item], serialize: Callable[[list[Item]], bytes],
           max_bytes: int | None) -> tuple[bytes, bool]:
    """``serialize(items)``, dropping trailing items until the body holds in ``max_bytes``
    (escaping can make a format larger than ``take_within``'s estimate); whether any were
    dropped."""
    body = serialize(items)
    kept = len(items)
    while max_bytes is not None and len(body) > max_bytes and kept:
        kept = min(kept - 1, kept * max_bytes // len(body))
        body = serialize(items[:kept])
    return body, kept < len(items)


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
