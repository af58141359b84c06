"""The server's own SPARQL: internal queries loaded by name from ``server/queries/*.rq``, and
values bound into them as SPARQL terms (``VALUES`` blocks), never pasted as text."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources

from rdflib import Literal
from rdflib.term import Identifier, URIRef

# A full IRI as SPARQL's IRIREF production allows it (https://www.w3.org/TR/sparql11-query/#rIRIREF).
_IRIREF = re.compile(r'[^<>"{}|^`\\\x00-\x20]*')


@cache
def internal_query(name: str) -> str:
    """The text of ``server/queries/<name>.rq`` (internal queries are loaded by name)."""
    return resources.files("server").joinpath("queries", f"{name}.rq").read_text("utf-8")


def sparql_term(term: Identifier) -> str:
    """A term in SPARQL syntax, refusing IRIs that could break out of ``<...>``."""
    if isinstance(term, URIRef):
        if not _IRIREF.fullmatch(str(term)):
            raise ValueError(f"not a valid IRI for SPARQL: {str(term)!r}")
        return f"<{term}>"
    if isinstance(term, Literal):
        return term.n3()              # rdflib escapes the lexical form
    raise ValueError(f"cannot bind {term!r}: only IRIs and literals can be bound")


def _variable(name: str) -> str:
    if not re.fullmatch(r"\w+", name):
        raise ValueError(f"not a SPARQL variable name: {name!r}")
    return "?" + name


def values_clause(variable: str, terms: Sequence[Identifier]) -> str:
    """A trailing ``VALUES ?variable { ... }`` block binding ``terms`` (never pasted text)."""
    return f"\nVALUES {_variable(variable)} {{ {' '.join(sparql_term(t) for t in terms)} }}\n"


_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def bound(sparql: str, bindings: Mapping[str, Identifier]) -> str:
    """``sparql`` with ``bindings`` as a ``VALUES (?a ?b) { (x y) }`` block at the start of its
    WHERE clause, where every query form accepts it (Virtuoso refuses a trailing one after a
    CONSTRUCT)."""
    if not bindings:
        return sparql
    names = " ".join(_variable(name) for name in bindings)
    values = " ".join(sparql_term(term) for term in bindings.values())
    where = _WHERE.search(sparql)
    if where is None:
        raise ValueError("an internal query without a WHERE clause cannot take bindings")
    return (sparql[:where.end()] + f"\n  VALUES ({names}) {{ ({values}) }}\n"
            + sparql[where.end():])
