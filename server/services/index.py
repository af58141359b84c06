"""An in-memory index of the published graph's names and types, rebuilt when the store changes.

Pages, search and lists read labels and types here instead of asking the store once per link.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from rdflib import Literal, URIRef
from rdflib.namespace import FOAF, RDFS, SKOS

from server.services.i18n import pick
from server.services.iris import is_entity, local_name
from server.store.base import Store, internal_query

# Which predicates name a resource, best first: the first one present gives the title.
NAME_PREDICATES = (SKOS.prefLabel, RDFS.label, FOAF.name)


@dataclass(frozen=True)
class Label:
    """A resource's name as shown: its text and the language tag of the literal ("" if none)."""

    text: str
    lang: str = ""


class IndexTruncated(RuntimeError):
    """An external store cut an index query short (e.g. Virtuoso's ``ResultSetMaxRows``):
    raise that limit rather than lose names."""


@dataclass
class GraphIndex:
    """Names and types of every resource of one version of the graph."""

    version: str
    names: dict[URIRef, dict[str, str]] = field(default_factory=dict)
    alt_names: dict[URIRef, list[Literal]] = field(default_factory=lambda: defaultdict(list))
    all_names: dict[URIRef, list[tuple[Literal, bool]]] = field(
        default_factory=lambda: defaultdict(list))
    types: dict[URIRef, set[URIRef]] = field(default_factory=lambda: defaultdict(set))
    class_counts: dict[URIRef, int] = field(default_factory=dict)
    property_counts: dict[URIRef, int] = field(default_factory=dict)
    superclasses: dict[URIRef, set[URIRef]] = field(default_factory=lambda: defaultdict(set))

    def entities(self) -> list[URIRef]:
        """Every typed resource under a data namespace (``DATA_NAMESPACES``), sorted by IRI."""
        return self._entities

    @cached_property
    def _entities(self) -> list[URIRef]:
        # Computed once, on first use after the build (100k+ entities at 1M triples).
        return sorted(iri for iri in self.types if is_entity(str(iri)))

    def prepare(self) -> None:
        """Compute the tables derived from the index now instead of at their first use."""
        self.instances(RDFS.Resource)

    def is_a(self, iri: URIRef, cls: URIRef) -> bool:
        """Whether ``iri`` is typed ``cls`` or one of its subclasses."""
        return any(t == cls or cls in self.superclasses.get(t, ()) for t in self.types.get(iri, ()))

    def instances(self, cls: URIRef, deep: bool = False) -> list[URIRef]:
        """The entities typed ``cls`` (or, if ``deep``, a subclass of it), sorted by IRI."""
        return list((self._members[1] if deep else self._members[0]).get(cls, ()))

    @cached_property
    def _members(self) -> tuple[dict[URIRef, list[URIRef]], dict[URIRef, list[URIRef]]]:
        # (class -> entities typed with it, class -> entities typed with it or a subclass), in
        # one pass over the sorted entities: the home page asks for 18 classes, and a scan of
        # every entity per class took 20 s at 1M triples.
        direct: dict[URIRef, list[URIRef]] = defaultdict(list)
        deep: dict[URIRef, list[URIRef]] = defaultdict(list)
        for iri in self.entities():
            classes: set[URIRef] = set()
            for cls in self.types[iri]:
                direct[cls].append(iri)
                classes.add(cls)
                classes.update(self.superclasses.get(cls, ()))
            for cls in classes:
                deep[cls].append(iri)
        return dict(direct), dict(deep)

    def label(self, iri: URIRef, lang: str) -> Label:
        """The name of ``iri`` in ``lang`` (fallback order of i18n), else its IRI's last segment."""
        picked = pick(self.names.get(iri, {}), lang)
        if picked is None:
            return Label(local_name(str(iri)))
        return Label(*picked)

    def knows(self, iri: URIRef) -> bool:
        """Whether the graph says anything typed or named about ``iri``."""
        return iri in self.types or iri in self.names


def _rows(store: Store, name: str) -> list[tuple]:
    # Every row: the index covers the whole graph, whatever cap clients' queries have.
    result = store.query(internal_query(name), capped=False)
    if result.truncated:
        raise IndexTruncated(f"query {name}.rq was capped by the store's own row limit")
    return result.rows


def build_index(store: Store) -> GraphIndex:
    """Read names, types and partition counts from ``store``."""
    index = GraphIndex(store.version())
    ranked: dict[URIRef, dict[str, tuple[int, str]]] = defaultdict(dict)
    for subject, predicate, label in _rows(store, "all_labels"):
        is_alt = predicate == SKOS.altLabel
        index.all_names[subject].append((label, is_alt))
        if is_alt:
            index.alt_names[subject].append(label)
            continue
        rank = NAME_PREDICATES.index(predicate)
        tag = label.language or ""
        if tag not in ranked[subject] or rank < ranked[subject][tag][0]:
            ranked[subject][tag] = (rank, str(label))
    index.names = {s: {tag: text for tag, (_, text) in tags.items()} for s, tags in ranked.items()}
    for subject, cls in _rows(store, "entity_types"):
        index.types[subject].add(cls)
    for cls, superclass in _rows(store, "superclasses"):
        index.superclasses[cls].add(superclass)
    index.class_counts = {cls: int(n) for cls, n in _rows(store, "class_partitions")}
    index.property_counts = {p: int(n) for p, n in _rows(store, "property_partitions")}
    return index


_lock = threading.Lock()
_cache: dict[int, GraphIndex] = {}


def graph_index(store: Store) -> GraphIndex:
    """The index of the store's current version (built once per version and store)."""
    version = store.version()
    cached = _cache.get(id(store))
    if cached is not None and cached.version == version:
        return cached
    with _lock:
        cached = _cache.get(id(store))
        if cached is None or cached.version != version:
            cached = _cache[id(store)] = build_index(store)
    return cached

