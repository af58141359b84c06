"""rdflib terms as pyoxigraph terms, for values handed to the engine (a query's bindings)."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.term import Identifier


def to_oxigraph(term: Identifier) -> ox.NamedNode | ox.Literal:
    """The pyoxigraph term of an IRI or a literal."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise ValueError(f"cannot hand {term!r} to the engine: only IRIs and literals")
