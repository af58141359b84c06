"""The one interface the services use to reach the published graph, whatever engine answers.

Implementations: ``embedded.EmbeddedStore`` (the build's on-disk pyoxigraph store, clients'
queries in killable engine processes) and ``remote.RemoteStore`` (any SPARQL 1.1 endpoint over
HTTP). Both read the build's page index (``page_index``) for whole-graph figures.
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from rdflib import Graph
from rdflib.term import Identifier, URIRef

from server.store.page_index import PageIndex
from server.store.queries import internal_query


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
    """What the services need from the published graph, whatever engine answers.

    Two kinds of query: ``answer`` runs a client's query (policy checks, time limit, row and
    byte caps, killable), ``query`` runs one of the server's own queries (trusted, bounded by
    design: one entity's statements, a list of labels). Whole-graph figures come from the
    build's page index (``index``), never from a query at request time.
    """

    #: IRI of the one graph the store publishes (the protocol's default graph).
    graph_iri: str = ""

    @abstractmethod
    def answer(self, sparql: str, *, media_type: str,
               default_graph_uris: Sequence[str] = (),
               named_graph_uris: Sequence[str] = ()) -> QueryResult:
        """Run a client's SPARQL 1.1 query and return it serialised as ``media_type``.

        Refused before any engine sees it when it breaks a policy (``guard``); the protocol's
        dataset (``default_graph_uris``/``named_graph_uris``) is honoured when it names the
        store's graph, else ``DatasetRefused``. Rows are capped at the store's
        ``max_result_rows`` (``truncated``).
        """

    @abstractmethod
    def query(self, sparql: str, *,
              bindings: Mapping[str, Identifier] | None = None) -> QueryResult:
        """Run one of the server's own queries (``internal_query``); ``bindings`` are bound as
        values, never pasted as text. The whole answer comes back as rdflib terms."""

    @abstractmethod
    def index(self) -> PageIndex:
        """The page index of the build this thread's request sees."""

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

    def triple_count(self) -> int:
        """Number of triples in the published graph (as the build counted them)."""
        return self.index().triples

    def version(self) -> str:
        """An opaque token that changes whenever the published graph changes (ETag basis)."""
        return self.index().version

    @contextlib.contextmanager
    def pinned(self) -> Iterator[None]:
        """Within the block, this thread's queries and index see one build of the graph."""
        yield

    def status(self) -> dict:
        """What this process serves and how busy it is (for operators and tests)."""
        return {"version": self.version()}

    def close(self) -> None:  # noqa: B027 - most stores hold nothing to release
        """Release processes, files and connections."""
