"""What the browsing pages show: home figures, axes, recent events, class lists and the
timeline (the network picture is laid out in ``network_layout``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.namespace import FOAF

from server.config import DATA_NS
from server.namespaces import CNC, PREFIXES
from server.services.i18n import format_date, sort_key_date
from server.services.index import GraphIndex, Label
from server.services.iris import local_name
from server.store.base import Store, internal_query
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


def page_of(items: Sequence, number: int, size: int) -> Page | None:
    """Page ``number`` of ``items`` cut in pages of ``size``; ``None`` when there is no such
    page (page 1 always exists, even of an empty list)."""
    count = max(1, -(-len(items) // size))
    if not 1 <= number <= count:
        return None
    start = (number - 1) * size
    shown = tuple(items[start:start + size])
    return Page(shown, number, count, len(items), start + 1 if shown else 0, start + len(shown))


def class_key(cls: URIRef) -> str:
    """The short name of a class in list URLs: local name for ``cnc:``, else ``prefix:Local``."""
    for prefix, namespace in PREFIXES.items():
        if str(cls).startswith(str(namespace)):
            local = str(cls)[len(str(namespace)):]
            return local if prefix == "cnc" else f"{prefix}:{local}"
    return local_name(str(cls))


def class_from_key(index: GraphIndex, key: str) -> URIRef | None:
    """The class a list URL names, if the data has instances of it."""
    return next((cls for cls in index.class_counts if class_key(cls) == key), None)


def _sort_text(label: Label) -> str:
    return fold(label.text)


def classes(index: GraphIndex, lang: str) -> list[ClassCount]:
    """Every class entities of the data are typed with, with its number of entities."""
    counts: dict[URIRef, int] = defaultdict(int)
    for iri in index.entities():
        for cls in index.types[iri]:
            counts[cls] += 1
    rows = [ClassCount(cls, index.label(cls, lang), class_key(cls), n)
            for cls, n in counts.items()]
    return sorted(rows, key=lambda row: _sort_text(row.label))


def class_members(index: GraphIndex, cls: URIRef, lang: str) -> list[Item]:
    """The entities of ``cls`` (or its subclasses), by name."""
    items = [Item(iri, index.label(iri, lang)) for iri in index.instances(cls, deep=True)]
    return sorted(items, key=lambda item: _sort_text(item.label))


def figures(store: Store, index: GraphIndex, lang: str) -> list[Figure]:
    """Declared figures (as the sources state them) with the number recorded in the graph."""
    rows = []
    for _, _, measure, value, qualifier, as_of, source in store.query(
            internal_query("declared_figures")).rows:
        counted = RECORDED_AS.get(measure)
        declared = f"{qualifier} {value}" if qualifier is not None and \
            str(qualifier) != str(value) and str(value) not in str(qualifier) else \
            str(qualifier or value)
        rows.append(Figure(
            index.label(measure, lang), declared,
            format_date(as_of, lang) if isinstance(as_of, Literal) else "",
            source if isinstance(source, URIRef) else None,
            len(network_nodes(index) if counted == CNC.NetworkNode else
                index.instances(counted, deep=True)) if counted is not None else None))
    return sorted(rows, key=lambda f: (_sort_text(f.measure), f.as_of))


def network_nodes(index: GraphIndex) -> list[URIRef]:
    """Entities recorded as nodes of the CNC."""
    return index.instances(CNC.NetworkNode, deep=True)


def axes(store: Store, index: GraphIndex, lang: str) -> list[Item]:
    """The research axes and how many resources work on each."""
    used = {axis: int(n) for axis, n in store.query(internal_query("axis_usage")).rows}
    return sorted((Item(axis, index.label(axis, lang), str(used.get(axis, 0)))
                   for axis in set(AXES) | set(used)), key=lambda item: _sort_text(item.label))


def dated(store: Store, index: GraphIndex, lang: str) -> list[Item]:
    """Agreements and events with a date, in chronological order; note = the formatted date."""
    seen: dict[URIRef, Item] = {}
    # Every row, whatever the clients' cap: the timeline pages through all of them.
    for iri, date, start, end in store.query(internal_query("dated"), capped=False).rows:
        when = date if date is not None else start
        text = format_date(when, lang)
        if date is None and isinstance(end, Literal) and str(end) != str(start):
            text = f"{text} – {format_date(end, lang)}"
        item = Item(iri, index.label(iri, lang), text, str(when))
        if iri not in seen or sort_key_date(item.date) < sort_key_date(seen[iri].date):
            seen[iri] = item
    return sorted(seen.values(), key=lambda item: (sort_key_date(item.date), item.label.text))


def timeline_query() -> str:
    """The SPARQL query that lists the whole timeline (linked from its capped pages)."""
    return internal_query("timeline")


def recent_events(index: GraphIndex, dated_items: list[Item]) -> list[Item]:
    """The latest events of ``dated_items`` (as ``dated`` gives them), newest first."""
    events = [item for item in dated_items if index.is_a(item.iri, CNC.Event)]
    return list(reversed(events))[:RECENT_EVENTS]


def entry_points(index: GraphIndex, lang: str) -> list[ClassCount]:
    """The lists a newcomer starts from: nodes, organisations, agreements, events, people."""
    wanted = (CNC.NetworkNode, CNC.Organisation, CNC.Agreement, CNC.Event, FOAF.Person,
              CNC.FundingInstrument)
    return [ClassCount(cls, index.label(cls, lang), class_key(cls),
                       len(index.instances(cls, deep=True)))
            for cls in wanted if index.instances(cls, deep=True)]
