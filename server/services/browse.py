"""What the browsing pages show: home figures, axes, recent events, class lists, the timeline
and the layout of the network picture (nodes between their French and Chinese partners)."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.namespace import FOAF

from server.config import DATA_NS
from server.namespaces import CNC, PREFIXES, WD
from server.services.i18n import format_date, sort_key_date
from server.services.index import GraphIndex, Label
from server.services.iris import local_name
from server.store.base import Store, internal_query, values_clause

CNC_IRI = URIRef(DATA_NS + "cnc")
AXES = (CNC.AxisAgriculture, CNC.AxisBiodiversity, CNC.AxisEnvironment)
RECENT_EVENTS = 5
LIST_PAGE_SIZE = 100        # entities per page of a class list
TIMELINE_PAGE_SIZE = 100    # dated agreements and events per page of the timeline
MAX_NETWORK_NODES = 40      # the network picture draws at most this many nodes, best connected

# Which recorded entities a declared measure is compared with (None: nothing to count here).
RECORDED_AS: dict[URIRef, URIRef | None] = {
    CNC.MeasureResearchTeams: CNC.NetworkNode,
    CNC.MeasureJointStructures: CNC.JointResearchStructure,
    CNC.MeasurePartnershipProjects: CNC.PartnershipProject,
    CNC.MeasureLaboratories: CNC.Laboratory,
    CNC.MeasureResearchers: None,
    CNC.MeasurePhdStudents: None,
}

# Country of a partner, told by the country's Wikidata item (or, failing that, its slug).
COUNTRY_SIDES = {WD.Q142: "fr", WD.Q148: "cn"}
COUNTRY_SLUGS = {"france": "fr", "china": "cn"}


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
    return unicodedata.normalize("NFKD", label.text).casefold()


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


# -- the network picture --------------------------------------------------------------------

ROW = 24                  # px between rows
COLUMN_WIDTH = 280
GAP = 60                  # px between columns (where the links run)
TOP = 48
FONT_PX = 13


@dataclass(frozen=True)
class Box:
    """A named box of the picture (an organisation or a node)."""

    iri: URIRef
    label: Label
    short: str           # label cut to fit the column
    x: int
    y: int
    side: str            # "fr", "node", "cn" or "other"


@dataclass(frozen=True)
class NetworkPicture:
    """Positions of every box and link; the template draws them as SVG."""

    width: int
    height: int
    columns: tuple[tuple[str, int], ...]     # (UI string key, x of the column)
    boxes: tuple[Box, ...]
    links: tuple[tuple[int, int, int, int], ...]
    pairs: tuple[tuple[Box, Box], ...]       # the same links as text, for screen readers
    shown: int = 0                           # nodes drawn
    total: int = 0                           # nodes in the graph


def _fit(text: str, width_px: int) -> str:
    """``text`` cut with an ellipsis so it fits ``width_px`` (CJK glyphs are about 1 em wide)."""
    used, out = 0.0, []
    for char in text:
        used += FONT_PX * (1.0 if unicodedata.east_asian_width(char) in "WF" else 0.58)
        if used > width_px - FONT_PX:
            return "".join(out).rstrip() + "…"
        out.append(char)
    return text


def _side(country: URIRef | None, wikidata: URIRef | None) -> str:
    if wikidata in COUNTRY_SIDES:
        return COUNTRY_SIDES[wikidata]
    return COUNTRY_SLUGS.get(local_name(str(country)) if country else "", "other")


def best_connected_nodes(store: Store, index: GraphIndex,
                         limit: int = MAX_NETWORK_NODES) -> tuple[list[URIRef], int]:
    """The ``limit`` nodes with the most partner organisations (ties by IRI) and the number of
    nodes in all (nodes without partners count, with none)."""
    partners = {node: int(n) for node, n in store.query(internal_query("network_degrees"),
                                                        capped=False).rows
                if isinstance(node, URIRef)}
    for node in network_nodes(index):
        partners.setdefault(node, 0)
    ranked = sorted(partners, key=lambda node: (-partners[node], str(node)))
    return ranked[:limit], len(ranked)


def network_picture(store: Store, index: GraphIndex, lang: str) -> NetworkPicture:
    """Lay out nodes in the middle column, French partners left, Chinese (and other) right.

    Only the ``MAX_NETWORK_NODES`` best connected nodes are drawn (``shown`` of ``total``).
    Partners are ordered by the mean row of their nodes, which keeps most links short.
    """
    chosen, total = best_connected_nodes(store, index)
    links: set[tuple[URIRef, URIRef]] = set()
    sides: dict[URIRef, str] = {}
    rows = store.query(internal_query("network_links") + values_clause("node", chosen)).rows \
        if chosen else []
    for node, organisation, country, wikidata in rows:
        links.add((node, organisation))
        side = _side(country, wikidata)
        if sides.get(organisation, "other") == "other":
            sides[organisation] = side
    for node in chosen:
        links.add((node, node))          # a node without partners is still drawn
    nodes = sorted({n for n, _ in links}, key=lambda n: _sort_text(index.label(n, lang)))
    row_of = {node: i for i, node in enumerate(nodes)}
    x_of = {"fr": 10, "node": 10 + COLUMN_WIDTH + GAP, "cn": 10 + 2 * (COLUMN_WIDTH + GAP),
            "other": 10 + 2 * (COLUMN_WIDTH + GAP)}
    boxes: dict[URIRef, Box] = {}
    for node in nodes:
        label = index.label(node, lang)
        boxes[node] = Box(node, label, _fit(label.text, COLUMN_WIDTH), x_of["node"],
                          TOP + row_of[node] * ROW, "node")
    rows_of: dict[URIRef, list[int]] = defaultdict(list)
    for node, organisation in links:
        rows_of[organisation].append(row_of[node])
    for side in ("fr", "cn", "other"):
        members = {o for n, o in links if o != n and sides.get(o) == side}
        mean = {o: sum(rows_of[o]) / max(1, len(rows_of[o])) for o in members}
        ordered = sorted(members, key=lambda o: (mean[o], _sort_text(index.label(o, lang))))
        offset = len([b for b in boxes.values() if b.x == x_of[side] and b.side != "node"])
        for i, organisation in enumerate(ordered):
            label = index.label(organisation, lang)
            boxes[organisation] = Box(organisation, label, _fit(label.text, COLUMN_WIDTH),
                                      x_of[side], TOP + (offset + i) * ROW, side)
    lines, pairs = [], []
    for node, organisation in sorted(links):
        if node == organisation or organisation not in boxes:
            continue
        a, b = boxes[node], boxes[organisation]
        if b.x < a.x:
            lines.append((b.x + COLUMN_WIDTH, b.y - 4, a.x - 6, a.y - 4))
        else:
            lines.append((a.x + COLUMN_WIDTH, a.y - 4, b.x - 6, b.y - 4))
        pairs.append((a, b))
    rows = max([1] + [(box.y - TOP) // ROW + 1 for box in boxes.values()])
    right = "chinese_other_partners" if any(b.side == "other" for b in boxes.values()) \
        else "chinese_partners"
    columns = (("french_partners", x_of["fr"]), ("nodes", x_of["node"]), (right, x_of["cn"]))
    return NetworkPicture(width=x_of["cn"] + COLUMN_WIDTH + 10, height=TOP + rows * ROW,
                          columns=columns, boxes=tuple(boxes.values()), links=tuple(lines),
                          pairs=tuple(pairs), shown=len(nodes), total=total)
