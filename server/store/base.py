"""The one interface the HTTP layer and services use to reach the graph, whatever engine answers.

Implementations: ``embedded.EmbeddedStore`` (pyoxigraph, queries in killable worker processes)
and ``remote.RemoteStore`` (any SPARQL 1.1 endpoint over HTTP).
"""

from __future__ import annotations

import contextlib
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from rdflib import Graph, Literal
from rdflib.term import BNode, Identifier, URIRef


class StoreError(Exception):
    """Base class of the store's errors; the HTTP layer maps each subclass to one status."""


class QuerySyntaxError(StoreError):
    """The query does not parse (400). ``message`` carries the parser's words and position."""


class QueryTimeout(StoreError):
    """The query ran past the time limit and was stopped (503)."""


class QueryRefused(StoreError):
    """The query asks for something the endpoint does not allow: update, SERVICE (403)."""


class StoreUnavailable(StoreError):
    """The engine (or the external endpoint) cannot answer right now (502/503)."""


class DatasetRefused(StoreError):
    """A protocol dataset (default-graph-uri / named-graph-uri) the store does not hold (400)."""


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


def bindings_clause(bindings: Mapping[str, Identifier]) -> str:
    """A trailing ``VALUES (?a ?b) { (x y) }`` block binding one value per variable."""
    if not bindings:
        return ""
    names = " ".join(_variable(name) for name in bindings)
    values = " ".join(sparql_term(term) for term in bindings.values())
    return f"\nVALUES ({names}) {{ ({values}) }}\n"


@dataclass
class QueryResult:
    """A query's answer in engine-neutral form.

    ``kind`` is "select", "ask" or "graph" (CONSTRUCT/DESCRIBE). ``body``/``media_type`` hold the
    engine's own serialisation when the caller asked for one (fast path for the protocol).
    """

    kind: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Identifier | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None
    truncated: bool = False           # rows capped at Settings.max_result_rows
    body: bytes | None = None
    media_type: str | None = None


class Store(ABC):
    """What the web layer needs from a graph store.

    Engines implement ``query``, ``version`` and ``close``; the other methods are built on
    ``query`` with the internal queries of ``server/queries/``, so every engine answers alike.
    """

    #: IRI of the one graph the store publishes (the protocol's default graph).
    graph_iri: str = ""

    @abstractmethod
    def query(self, sparql: str, *, media_type: str | None = None,
              bindings: Mapping[str, Identifier] | None = None,
              timeout: float | None = None,
              default_graph_uris: Sequence[str] = (),
              named_graph_uris: Sequence[str] = (),
              capped: bool = True) -> QueryResult:
        """Run a SPARQL 1.1 query; with ``media_type`` also return the serialised ``body``.

        ``bindings`` are substituted as a VALUES block, never pasted as text. The protocol's
        dataset (``default_graph_uris``/``named_graph_uris``) is honoured when it names the
        store's graph, else ``DatasetRefused``. Rows are capped at the store's
        ``max_result_rows`` (``truncated``) unless ``capped`` is false: the server's own
        whole-graph queries (the graph index) need every row and are not client input.
        """

    def check_dataset(self, default_graph_uris: Sequence[str],
                      named_graph_uris: Sequence[str]) -> None:
        """Refuse a protocol dataset other than the store's one graph (``DatasetRefused``)."""
        for parameter, uris in (("default-graph-uri", default_graph_uris),
                                ("named-graph-uri", named_graph_uris)):
            others = [u for u in uris if u != self.graph_iri]
            if others:
                raise DatasetRefused(
                    f"{parameter} <{others[0]}> is not held here: this endpoint publishes one "
                    f"graph, <{self.graph_iri}>, which is both the default graph and its only "
                    "named graph.")

    def describe(self, iri: URIRef) -> Graph:
        """The entity's document: its triples, the statements pointing at it, the labels
        of every resource it links to."""
        graph = self.query(internal_query("describe"), bindings={"iri": iri}).graph
        return graph if graph is not None else Graph()

    def labels(self, iris: Sequence[URIRef]) -> dict[URIRef, dict[str, str]]:
        """``{iri: {lang: label}}`` for the given IRIs (rdfs:label, skos:prefLabel)."""
        found: dict[URIRef, dict[str, str]] = {iri: {} for iri in iris}
        if not iris:
            return found
        unique = list(dict.fromkeys(iris))
        result = self.query(internal_query("labels") + values_clause("iri", unique))
        for iri, label in result.rows:
            if isinstance(label, Literal) and not isinstance(iri, BNode):
                found.setdefault(iri, {}).setdefault(label.language or "", str(label))
        return found

    def triple_count(self) -> int:
        """Number of triples in the default graph."""
        rows = self.query(internal_query("triple_count")).rows
        return int(rows[0][0]) if rows else 0

    @abstractmethod
    def version(self) -> str:
        """An opaque token that changes whenever the published graph changes (ETag basis)."""

    @contextlib.contextmanager
    def pinned(self) -> Iterator[None]:
        """Within the block, this thread's queries see one version of the graph.

        Stores that reload (the embedded one) pin the current graph; others have one version.
        """
        yield

    def close(self) -> None:  # noqa: B027 - most stores hold nothing to release
        """Release processes, files and connections."""
