"""The page index of the build a request sees: names, types, lists, counts and search, read from
``dist/pages.sqlite`` (``server.store.page_index``) instead of asked of the store per link."""

from __future__ import annotations

from rdflib.namespace import FOAF, RDFS, SKOS

from server.store.base import Store
from server.store.page_index import Label, Name, PageIndex

__all__ = ["NAME_PREDICATES", "GraphIndex", "Label", "Name", "graph_index"]

# Which predicates name a resource, best first: the first one present gives the title.
NAME_PREDICATES = (SKOS.prefLabel, RDFS.label, FOAF.name)

GraphIndex = PageIndex


def graph_index(store: Store) -> GraphIndex:
    """The page index of the build the current request is pinned to."""
    return store.index()
