"""A class list as a table: its entities a page at a time, with the columns that matter for the
class (type, country, dates, what it is part of), sorted by any of them — the orders are the
page index's (computed by the build), so a sorted page costs one range read at any size."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef

from server.namespaces import CNC
from server.services.browse import LIST_PAGE_SIZE, Page, paginate
from server.services.i18n import format_date, format_date_range
from server.services.index import GraphIndex, Label
from server.services.names import name as name_of
from server.store.page_index import ListFacts

# Lists whose entities are read in time order by default (the newest question about an event
# or an agreement is "when?").
DATED_CLASSES = (CNC.Event, CNC.Agreement)


@dataclass(frozen=True)
class Link:
    """Another resource named in a cell."""

    iri: URIRef
    label: Label


@dataclass(frozen=True)
class ListRow:
    """One entity of a class list and its cells."""

    iri: URIRef
    label: Label
    kind: Link | None = None
    country: Link | None = None
    date: str = ""           # in the reader's language, a span written once
    date_iso: str = ""       # for <time datetime>
    parent: Link | None = None


def sorts(index: GraphIndex, cls: URIRef) -> tuple[str, ...]:
    """The orders the list of ``cls`` offers: by name, then by each of its columns."""
    return ("name", *index.list_columns(cls))


def default_sort(index: GraphIndex, cls: URIRef) -> str:
    """"date" for events and agreements (and their subclasses) when they have dates, else
    "name"."""
    dated = cls in DATED_CLASSES or any(c in DATED_CLASSES for c in index.superclasses(cls))
    return "date" if dated and "date" in index.list_columns(cls) else "name"


def _link(index: GraphIndex, iri: URIRef | None, lang: str) -> Link | None:
    return None if iri is None else Link(iri, name_of(index, iri, lang))


def _row(index: GraphIndex, iri: URIRef, facts: ListFacts | None, cls: URIRef,
         lang: str) -> ListRow:
    if facts is None:
        return ListRow(iri, name_of(index, iri, lang))
    when = facts.date or facts.start
    shown = format_date(facts.date, lang) if facts.date else \
        format_date_range(facts.start, facts.end, lang) if facts.start else ""
    return ListRow(iri, name_of(index, iri, lang),
                   _link(index, facts.kind if facts.kind != cls else None, lang),
                   _link(index, facts.country, lang), shown, when or "",
                   _link(index, facts.parent, lang))


def class_page(index: GraphIndex, cls: URIRef, lang: str, number: int, sort: str,
               descending: bool = False, size: int = LIST_PAGE_SIZE) -> Page | None:
    """Page ``number`` of the entities of ``cls`` (or its subclasses) sorted by ``sort`` (one
    of ``sorts``); ``None`` when there is no such page."""
    def rows(offset: int) -> list[ListRow]:
        iris = index.sorted_members(cls, lang, sort, descending, offset, size)
        facts = index.list_facts(iris)
        return [_row(index, iri, facts.get(iri), cls, lang) for iri in iris]
    return paginate(index.member_count(cls), number, size, rows)
