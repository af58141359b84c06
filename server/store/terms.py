"""rdflib terms as pyoxigraph terms, for values handed to the engine (bindings, a build's
triples)."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Identifier


def to_oxigraph(term: Identifier, blank_nodes: dict[BNode, ox.BlankNode] | None = None
                ) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """The pyoxigraph term of ``term``; blank nodes only with a ``blank_nodes`` table (the same
    rdflib blank node maps to the same pyoxigraph one)."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode) and blank_nodes is not None:
        return blank_nodes.setdefault(term, ox.BlankNode(str(term)))
    raise ValueError(f"cannot hand {term!r} to the engine: only IRIs and literals")
