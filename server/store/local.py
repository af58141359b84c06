"""The server's own queries on a pyoxigraph store in this process: trusted, bounded by design,
answered as rdflib terms without a round trip through a serialisation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pyoxigraph as ox
from rdflib.term import Identifier

from server.store.base import QueryResult, Store
from server.store.decoding import from_answer
from server.store.page_index import PageIndex
from server.store.terms import to_oxigraph


def local_query(store: ox.Store, graph_iri: str, sparql: str,
                bindings: Mapping[str, Identifier] | None = None) -> QueryResult:
    """Run ``sparql`` on the graph ``graph_iri`` of ``store`` (its default and only named
    graph, as clients see it), ``bindings`` substituted as values."""
    graph = ox.NamedNode(graph_iri)
    substitutions = {ox.Variable(name): to_oxigraph(term)
                     for name, term in (bindings or {}).items()}
    return from_answer(store.query(sparql, substitutions=substitutions, default_graph=graph,
                                   named_graphs=[graph]))


class LocalStore(Store):
    """A pyoxigraph store of this process as a ``Store`` for the server's own queries (the
    build uses it to compute what it publishes beside the graph)."""

    def __init__(self, store: ox.Store, graph_iri: str, index: PageIndex | None = None):
        self.store = store
        self.graph_iri = graph_iri
        self._index = index

    def query(self, sparql: str, *,
              bindings: Mapping[str, Identifier] | None = None) -> QueryResult:
        """Run one of the server's own queries here."""
        return local_query(self.store, self.graph_iri, sparql, bindings)

    def answer(self, sparql: str, *, media_type: str, default_graph_uris: Sequence[str] = (),
               named_graph_uris: Sequence[str] = ()) -> QueryResult:
        """Clients' queries are never run here: they need a killable process."""
        raise NotImplementedError("LocalStore answers the server's own queries only")

    def index(self) -> PageIndex:
        """The page index given at creation."""
        if self._index is None:
            raise LookupError("this local store has no page index")
        return self._index
