"""The network picture: nodes in the middle column between their French partners (left) and
their Chinese and other partners (right), laid out for ``templates/pages/network.svg`` at two
widths — a desktop one and a phone one — with every name wrapped over as many lines as it
needs (never cut) and each link running from the end of a partner's name to its node's box."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from rdflib import URIRef

from server.services.i18n import ui
from server.services.index import GraphIndex, Label
from server.services.names import name as name_of
from server.services.partners import side as partner_side
from server.store.base import Store
from server.store.queries import internal_query, values_clause
from server.text import fold

MAX_NETWORK_NODES = 40      # the picture draws at most this many nodes, best connected
HEADING_GAP = 14            # px between the column headings and the first name
BOX_GAP = 10                # px between two names of a column
NODE_PADDING = 8            # px inside a node's box, around its name
# Average advance of a glyph, in ems: CJK glyphs are one em wide; Latin text is narrower.
WIDE_EM, NARROW_EM = 1.0, 0.6


@dataclass(frozen=True)
class Width:
    """One width the picture is laid out for: its total, gap between columns and type size."""

    name: str               # "wide" or "narrow" (the CSS shows one of them)
    width: int
    gap: int                # px between columns, where the links run
    font_px: int

    @property
    def line(self) -> int:
        """px between two lines of a name."""
        return round(self.font_px * 1.35)

    @property
    def column(self) -> int:
        """px of each of the three columns."""
        return (self.width - 2 * self.gap) // 3


WIDE = Width("wide", 960, 70, 14)
NARROW = Width("narrow", 360, 16, 13)


@dataclass(frozen=True)
class Box:
    """A name of the picture (an organisation or a node) with its lines and where they go."""

    iri: URIRef
    label: Label
    lines: tuple[str, ...]   # the whole name, wrapped
    x: int                   # left edge of the column
    y: int                   # top of the box
    height: int
    side: str                # "fr", "node", "cn" or "other"

    @property
    def middle(self) -> int:
        return self.y + self.height // 2


@dataclass(frozen=True)
class Heading:
    """A column's heading, wrapped, and where its text is anchored."""

    lines: tuple[str, ...]
    x: int
    anchor: str              # SVG text-anchor: "end" (left column), "middle", "start"


@dataclass(frozen=True)
class Layout:
    """The picture at one width: every box and link, and the column headings."""

    size: Width
    height: int
    headings: tuple[Heading, ...]
    boxes: tuple[Box, ...]
    links: tuple[tuple[int, int, int, int], ...]


@dataclass(frozen=True)
class NetworkPicture:
    """The network at both widths, and the same links as text (for everyone, screen readers
    included): each node with its partners by side."""

    layouts: tuple[Layout, ...]
    groups: tuple[tuple[tuple[URIRef, Label], dict[str, tuple[tuple[URIRef, Label], ...]]], ...]
    shown: int = 0                           # nodes drawn
    total: int = 0                           # nodes in the graph


def _advance(char: str) -> float:
    return WIDE_EM if unicodedata.east_asian_width(char) in "WF" else NARROW_EM


def wrap(text: str, width_px: int, font_px: int) -> tuple[str, ...]:
    """``text`` over as many lines as it needs to fit ``width_px``: Latin text breaks between
    words (a word too long for a line is split), Chinese between any two characters."""
    limit = width_px / font_px
    lines: list[str] = []
    line, used = "", 0.0
    for piece in _pieces(text):
        size = sum(_advance(c) for c in piece)
        if line and used + size > limit:
            lines.append(line.rstrip())
            line, used = piece.lstrip(), sum(_advance(c) for c in piece.lstrip())
        else:
            line, used = line + piece, used + size
        while used > limit and len(line) > 1:       # one word wider than the column
            cut, width = 0, 0.0
            while cut < len(line) and width + _advance(line[cut]) <= limit:
                width += _advance(line[cut])
                cut += 1
            lines.append(line[:max(cut, 1)])
            line = line[max(cut, 1):]
            used = sum(_advance(c) for c in line)
    if line.strip():
        lines.append(line.rstrip())
    return tuple(lines) or ("",)


def _pieces(text: str) -> list[str]:
    """Where a line may break: before each space-led word and around each wide character."""
    pieces: list[str] = []
    for char in text:
        wide = unicodedata.east_asian_width(char) in "WF"
        if not pieces or wide or char == " " or pieces[-1][-1:] in ("-", "/") or \
                unicodedata.east_asian_width(pieces[-1][-1]) in "WF":
            pieces.append(char)
        else:
            pieces[-1] += char
    return pieces


def _stack(members: list[tuple[URIRef, str]], labels: dict[URIRef, Label], size: Width,
           x: int, top: int) -> list[Box]:
    """Boxes of one partner column, one under the other from ``top``."""
    boxes, y = [], top
    for iri, side in members:
        lines = wrap(labels[iri].text, size.column, size.font_px)
        boxes.append(Box(iri, labels[iri], lines, x, y, len(lines) * size.line, side))
        y += len(lines) * size.line + BOX_GAP
    return boxes


def _headings(size: Width, titles: tuple[str, str, str]) -> tuple[Heading, ...]:
    """The three column headings, wrapped to their columns, aligned as the names below."""
    step = size.column + size.gap
    return tuple(Heading(wrap(title, size.column, size.font_px), x, anchor)
                 for title, (x, anchor) in zip(titles, ((size.column, "end"),
                                                        (step + size.column // 2, "middle"),
                                                        (2 * step, "start")), strict=True))


def _layout(nodes: list[URIRef], sides: dict[str, list[URIRef]],
            links: set[tuple[URIRef, URIRef]], labels: dict[URIRef, Label],
            size: Width, titles: tuple[str, str, str]) -> Layout:
    """The picture at ``size``: partner columns stacked, each node at the middle of its
    partners (pushed down when two nodes would overlap)."""
    headings = _headings(size, titles)
    top = max(len(h.lines) for h in headings) * size.line + HEADING_GAP
    x_of = {"fr": 0, "node": size.column + size.gap, "cn": 2 * (size.column + size.gap)}
    left = [(o, "fr") for o in sides["fr"]]
    right = [(o, side) for side in ("cn", "other") for o in sides[side]]
    boxes = {box.iri: box for box in (*_stack(left, labels, size, x_of["fr"], top),
                                      *_stack(right, labels, size, x_of["cn"], top))}
    partners_of: dict[URIRef, list[URIRef]] = defaultdict(list)
    for node, organisation in links:
        partners_of[node].append(organisation)
    wanted = {node: sum(boxes[o].middle for o in partners_of[node]) / len(partners_of[node])
              if partners_of[node] else 0 for node in nodes}
    bottom = top - BOX_GAP
    for node in sorted(nodes, key=lambda n: (wanted[n], fold(labels[n].text))):
        lines = wrap(labels[node].text, size.column - 2 * NODE_PADDING, size.font_px)
        height = len(lines) * size.line + 2 * NODE_PADDING
        top = max(round(wanted[node] - height / 2), bottom + BOX_GAP)
        boxes[node] = Box(node, labels[node], lines, x_of["node"], top, height, "node")
        bottom = top + height
    lines = []
    for node, organisation in sorted(links):
        a, b = boxes[node], boxes[organisation]
        if b.side == "fr":
            lines.append((b.x + size.column + 4, b.middle, a.x, a.middle))
        else:
            lines.append((a.x + size.column, a.middle, b.x - 4, b.middle))
    return Layout(size, max([top, *(box.y + box.height for box in boxes.values())]) + BOX_GAP,
                  headings, tuple(boxes.values()), tuple(lines))


def network_picture(store: Store, index: GraphIndex, lang: str) -> NetworkPicture:
    """Nodes in the middle, French partners left, Chinese (and other) partners right.

    Only the ``MAX_NETWORK_NODES`` best connected nodes are drawn (``shown`` of ``total``).
    Partners are ordered by the mean rank of their nodes, which keeps most links short.
    """
    chosen, total = index.best_connected_nodes(MAX_NETWORK_NODES)
    links: set[tuple[URIRef, URIRef]] = set()
    side_of: dict[URIRef, str] = {}
    rows = store.query(internal_query("network_links") + values_clause("node", chosen)).rows \
        if chosen else []
    for node, organisation, country, wikidata in rows:
        links.add((node, organisation))
        side = partner_side(country, wikidata)
        if side_of.get(organisation, "other") == "other":
            side_of[organisation] = side
    nodes = sorted(set(chosen) | {n for n, _ in links}, key=lambda n: fold(
        name_of(index, n, lang).text))
    labels = {iri: name_of(index, iri, lang) for iri in {*nodes, *side_of}}
    rank = {node: i for i, node in enumerate(nodes)}
    sides: dict[str, list[URIRef]] = {}
    for side in ("fr", "cn", "other"):
        members = [o for o, s in side_of.items() if s == side]
        mean = {o: sum(rank[n] for n, p in links if p == o) / max(1, sum(
            1 for _, p in links if p == o)) for o in members}
        sides[side] = sorted(members, key=lambda o: (mean[o], fold(labels[o].text)))
    groups = tuple(
        ((node, labels[node]), {side: tuple((o, labels[o]) for o in sides[side]
                                            if (node, o) in links) for side in sides})
        for node in nodes)
    said = ui(lang)
    titles = (said["french_partners"], said["nodes"],
              said["chinese_other_partners" if sides["other"] else "chinese_partners"])
    return NetworkPicture(tuple(_layout(nodes, sides, links, labels, size, titles)
                                for size in (WIDE, NARROW)),
                          groups, shown=len(nodes), total=total)
