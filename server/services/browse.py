"""What the browsing pages show: home figures, axes, recent events, class lists and the
timeline (the network picture is laid out in ``network_layout``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.namespace import FOAF

from server.config import DATA_NS
from server.namespaces import CNC, PREFIXES
from server.services.i18n import format_date
from server.services.index import GraphIndex, Label
from server.services.iris import local_name
from server.store.base import Store
from server.store.page_index import Dated
from server.store.queries import internal_query
from server.text import fold

CNC_IRI = URIRef(DATA_NS + "cnc")
AXES = (CNC.AxisAgriculture, CNC.AxisBiodiversity, CNC.AxisEnvironment)
RECENT_EVENTS = 5
LIST_PAGE_SIZE = 100        # entities per page of a class list
TIMELINE_PAGE_SIZE = 100    # dated agreements and events per page of the timeline

# Which recorded entities a declared measure is compared with (None: nothing to count here).
RECORDED_AS: dict[URIRef, URIRef | None] = {
    CNC.MeasureResearchTeams: CNC.NetworkNode,
    CNC.MeasureJointStructures: CNC.JointResearchStructure,
    CNC.MeasurePartnershipProjects: CNC.PartnershipProject,
    CNC.MeasureLaboratories: CNC.Laboratory,
    CNC.MeasureResearchers: None,
    CNC.MeasurePhdStudents: None,
}



@dataclass(frozen=True)
class Item:
    """A resource in a list: its IRI, name, and what to print beside it."""

    iri: URIRef
    label: Label
    note: str = ""
    date: str = ""           # ISO form, for <time datetime>


@dataclass(frozen=True)
class Figure:
    """A declared figure beside what the graph records."""

    measure: Label
    declared: str
    as_of: str
    source: URIRef | None
    recorded: int | None


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
    rows = [ClassCount(cls, index.label(cls, lang), class_key(cls), direct)
            for cls, (direct, _) in index.list_classes().items() if direct]
    return sorted(rows, key=lambda row: _sort_text(row.label))


def class_page(index: GraphIndex, cls: URIRef, lang: str, number: int,
               size: int = LIST_PAGE_SIZE) -> Page | None:
    """Page ``number`` of the entities of ``cls`` (or its subclasses), by name."""
    total = index.member_count(cls)
    return _page(total, number, size, lambda offset: [
        Item(iri, index.label(iri, lang)) for iri in index.members(cls, lang, offset, size)])


def _page(total: int, number: int, size: int, items: Callable[[int], list]) -> Page | None:
    """Page ``number`` of a list of ``total`` items cut in pages of ``size`` (``items(offset)``
    gives one page); ``None`` when there is no such page (page 1 of an empty list exists)."""
    count = max(1, -(-total // size))
    if not 1 <= number <= count:
        return None
    start = (number - 1) * size
    shown = tuple(items(start))
    return Page(shown, number, count, total, start + 1 if shown else 0, start + len(shown))


# Qualifiers said before the number ("environ 80", "over 320", "约 80"); others follow it.
BEFORE_NUMBER = frozenset((CNC.QualifierAbout, CNC.QualifierOver))


def figures(store: Store, index: GraphIndex, lang: str) -> list[Figure]:
    """Declared figures (as the sources state them) with the number recorded in the graph."""
    rows = []
    for _, _, measure, value, qualifier, as_of, source, standard in store.query(
            internal_query("declared_figures")).rows:
        counted = RECORDED_AS.get(measure)
        declared = f"{qualifier} {value}" if qualifier is not None and \
            str(qualifier) != str(value) and str(value) not in str(qualifier) else \
            str(qualifier or value)
        if isinstance(standard, URIRef):  # the qualifier in the reader's language
            said = index.label(standard, lang).text
            declared = f"{said} {value}" if standard in BEFORE_NUMBER else f"{value} ({said})"
        rows.append(Figure(
            index.label(measure, lang), declared,
            format_date(as_of, lang) if isinstance(as_of, Literal) else "",
            source if isinstance(source, URIRef) else None,
            index.member_count(counted) if counted is not None else None))
    return sorted(rows, key=lambda f: (_sort_text(f.measure), f.as_of))


def axes(store: Store, index: GraphIndex, lang: str) -> list[Item]:
    """The research axes and how many resources work on each."""
    used = {axis: int(n) for axis, n in store.query(internal_query("axis_usage")).rows}
    return sorted((Item(axis, index.label(axis, lang), str(used.get(axis, 0)))
                   for axis in set(AXES) | set(used)), key=lambda item: _sort_text(item.label))


def _dated_item(index: GraphIndex, row: Dated, lang: str) -> Item:
    """A dated agreement or event; note = its date in the reader's language, a range written
    once when it has a start and an end."""
    when = row.date if row.date is not None else row.start
    text = format_date(when or "", lang)
    if row.date is None and row.end is not None and row.end != row.start:
        text = f"{text} – {format_date(row.end, lang)}"
    return Item(row.iri, index.label(row.iri, lang), text, when or "")


def timeline_page(index: GraphIndex, lang: str, number: int,
                  size: int = TIMELINE_PAGE_SIZE) -> Page | None:
    """Page ``number`` of the agreements and events with a date, in chronological order."""
    return _page(index.dated_count(), number, size, lambda offset: [
        _dated_item(index, row, lang) for row in index.dated(lang, offset, size)])


def timeline_query() -> str:
    """The SPARQL query that lists the whole timeline (linked from its capped pages)."""
    return internal_query("timeline")


def recent_events(index: GraphIndex, lang: str) -> list[Item]:
    """The latest dated events, newest first."""
    return [_dated_item(index, row, lang) for row in index.latest_events(lang, RECENT_EVENTS)]


def entry_points(index: GraphIndex, lang: str) -> list[ClassCount]:
    """The lists a newcomer starts from: nodes, organisations, agreements, events, people."""
    wanted = (CNC.NetworkNode, CNC.Organisation, CNC.Agreement, CNC.Event, FOAF.Person,
              CNC.FundingInstrument)
    return [ClassCount(cls, index.label(cls, lang), class_key(cls), index.member_count(cls))
            for cls in wanted if index.member_count(cls)]
