"""What the browsing pages show: home figures, axes, recent events, class lists and the
timeline (the network picture is laid out in ``network_layout``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rdflib import URIRef
from rdflib.namespace import FOAF

from server.config import DATA_NS
from server.namespaces import CNC, PREFIXES
from server.services.i18n import format_date, format_date_range
from server.services.index import GraphIndex, Label
from server.services.iris import local_name
from server.services.names import name as name_of
from server.store.base import Store
from server.store.page_index import Dated
from server.store.queries import internal_query
from server.text import fold

CNC_IRI = URIRef(DATA_NS + "cnc")
AXES = (CNC.AxisAgriculture, CNC.AxisBiodiversity, CNC.AxisEnvironment)
RECENT_EVENTS = 5
LIST_PAGE_SIZE = 100        # entities per page of a class list
TIMELINE_PAGE_SIZE = 100    # dated agreements and events per page of the timeline


@dataclass(frozen=True)
class Item:
    """A resource in a list: its IRI, name, and what to print beside it."""

    iri: URIRef
    label: Label
    note: str = ""
    date: str = ""           # ISO form, for <time datetime>
    kind: Label | None = None   # its most specific type, named


@dataclass(frozen=True)
class ClassCount:
    """A class of the data, its name in the page language, its list path and count."""

    iri: URIRef
    label: Label
    key: str
    count: int


@dataclass(frozen=True)
class Page:
    """One page of a long list: its items and where it stands (numbers count from 1)."""

    items: tuple
    number: int
    count: int           # pages in all
    total: int           # items over every page
    first: int           # position of the first item shown (0 when there is none)
    last: int


def class_key(cls: URIRef) -> str:
    """The short name of a class in list URLs: local name for ``cnc:``, else ``prefix:Local``."""
    for prefix, namespace in PREFIXES.items():
        if str(cls).startswith(str(namespace)):
            local = str(cls)[len(str(namespace)):]
            return local if prefix == "cnc" else f"{prefix}:{local}"
    return local_name(str(cls))


def class_from_key(index: GraphIndex, key: str) -> URIRef | None:
    """The class a list URL names, if the data has entities of it or of its subclasses."""
    return next((cls for cls in index.list_classes() if class_key(cls) == key), None)


def _sort_text(label: Label) -> str:
    return fold(label.text)


def classes(index: GraphIndex, lang: str) -> list[ClassCount]:
    """Every class entities of the data are typed with, with its number of entities."""
    rows = [ClassCount(cls, name_of(index, cls, lang), class_key(cls), direct)
            for cls, (direct, _) in index.list_classes().items() if direct]
    return sorted(rows, key=lambda row: _sort_text(row.label))


def paginate(total: int, number: int, size: int, items: Callable[[int], list]) -> Page | None:
    """Page ``number`` of a list of ``total`` items cut in pages of ``size`` (``items(offset)``
    gives one page); ``None`` when there is no such page (page 1 of an empty list exists)."""
    count = max(1, -(-total // size))
    if not 1 <= number <= count:
        return None
    start = (number - 1) * size
    shown = tuple(items(start))
    return Page(shown, number, count, total, start + 1 if shown else 0, start + len(shown))


def axes(store: Store, index: GraphIndex, lang: str) -> list[Item]:
    """The research axes and how many resources work on each."""
    used = {axis: int(n) for axis, n in store.query(internal_query("axis_usage")).rows}
    return sorted((Item(axis, name_of(index, axis, lang), str(used.get(axis, 0)))
                   for axis in set(AXES) | set(used)), key=lambda item: _sort_text(item.label))


def _dated_items(index: GraphIndex, rows: list[Dated], lang: str) -> list[Item]:
    """Dated agreements and events with their kind; note = the date in the reader's language,
    a span written once ("3–5 décembre 2025") when there is a start and an end."""
    facts = index.list_facts(row.iri for row in rows)
    items = []
    for row in rows:
        when = row.date if row.date is not None else row.start
        text = format_date(when or "", lang) if row.date is not None else \
            format_date_range(row.start or "", row.end, lang)
        kind = facts[row.iri].kind if row.iri in facts else None
        items.append(Item(row.iri, name_of(index, row.iri, lang), text, when or "",
                          name_of(index, kind, lang) if kind is not None else None))
    return items


def timeline_page(index: GraphIndex, lang: str, number: int,
                  size: int = TIMELINE_PAGE_SIZE) -> Page | None:
    """Page ``number`` of the agreements and events with a date, in chronological order."""
    return paginate(index.dated_count(), number, size,
                    lambda offset: _dated_items(index, index.dated(lang, offset, size), lang))


def timeline_query() -> str:
    """The SPARQL query that lists the whole timeline (linked from its capped pages)."""
    return internal_query("timeline")


def recent_events(index: GraphIndex, lang: str) -> list[Item]:
    """The latest dated events, newest first."""
    return _dated_items(index, index.latest_events(lang, RECENT_EVENTS), lang)


def entry_points(index: GraphIndex, lang: str) -> list[ClassCount]:
    """The lists a newcomer starts from: nodes, organisations, agreements, events, people."""
    wanted = (CNC.NetworkNode, CNC.Organisation, CNC.Agreement, CNC.Event, FOAF.Person,
              CNC.FundingInstrument)
    return [ClassCount(cls, name_of(index, cls, lang), class_key(cls), index.member_count(cls))
            for cls in wanted if index.member_count(cls)]
