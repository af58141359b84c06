"""The JSON-LD dump (https://www.w3.org/TR/json-ld11/), written straight from sorted N-Triples.

Compact, with the project's prefixes as its context: one node object per subject, properties as
compact IRIs, ``rdf:type`` as ``@type``, literals with ``@language`` or ``@type``. Written in one
pass over the sorted lines, so memory stays flat whatever the size of the graph (rdflib's
serialiser holds the whole graph and took minutes at a million triples).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import TextIO

import pyoxigraph as ox

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class _Compactor:
    def __init__(self, prefixes: dict[str, str]):
        # Longest namespace first, so that a nested namespace wins over its parent.
        self.prefixes = sorted(prefixes.items(), key=lambda item: -len(item[1]))

    def iri(self, iri: str) -> str:
        for prefix, namespace in self.prefixes:
            local = iri[len(namespace):]
            if iri.startswith(namespace) and local and ":" not in local and "/" not in local:
                return f"{prefix}:{local}"
        return iri

    def node(self, term: ox.NamedNode | ox.BlankNode) -> str:
        return f"_:{term.value}" if isinstance(term, ox.BlankNode) else self.iri(term.value)

    def value(self, term: ox.NamedNode | ox.BlankNode | ox.Literal) -> object:
        if not isinstance(term, ox.Literal):
            return {"@id": self.node(term)}
        if term.language:
            return {"@value": term.value, "@language": term.language}
        if term.datatype.value == XSD_STRING:
            return term.value
        return {"@value": term.value, "@type": self.iri(term.datatype.value)}


def _nodes(triples: Iterable[ox.Triple], compact: _Compactor) -> Iterator[dict]:
    """One node object per subject; ``triples`` must come grouped by subject."""
    node: dict | None = None
    subject = None
    for triple in triples:
        if triple.subject != subject:
            if node is not None:
                yield node
            subject = triple.subject
            node = {"@id": compact.node(subject)}
        if triple.predicate.value == RDF_TYPE and not isinstance(triple.object, ox.Literal):
            node.setdefault("@type", []).append(compact.node(triple.object))
        else:
            node.setdefault(compact.iri(triple.predicate.value), []).append(
                compact.value(triple.object))
    if node is not None:
        yield node


def write_jsonld(out: TextIO, triples: Iterable[ox.Triple], prefixes: dict[str, str],
                 context: str) -> None:
    """Write ``triples`` (grouped by subject) as one JSON-LD document whose ``@context`` is the
    document at ``context`` (holding ``prefixes``)."""
    compact = _Compactor(prefixes)
    out.write('{\n"@context": ' + json.dumps(context) + ',\n"@graph": [\n')
    for i, node in enumerate(_nodes(triples, compact)):
        out.write((",\n" if i else "") + json.dumps(node, ensure_ascii=False))
    out.write("\n]\n}\n")
