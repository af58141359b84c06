"""The network picture: nodes in the middle column between their French and Chinese partners,
laid out as boxes and links that ``templates/pages/network.svg`` draws."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from rdflib import URIRef

from server.services.index import GraphIndex, Label
from server.services.names import name as name_of
from server.services.partners import side as partner_side
from server.store.base import Store
from server.store.queries import internal_query, values_clause
from server.text import fold

MAX_NETWORK_NODES = 40      # the picture draws at most this many nodes, best connected
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


def network_picture(store: Store, index: GraphIndex, lang: str) -> NetworkPicture:
    """Lay out nodes in the middle column, French partners left, Chinese (and other) right.

    Only the ``MAX_NETWORK_NODES`` best connected nodes are drawn (``shown`` of ``total``).
    Partners are ordered by the mean row of their nodes, which keeps most links short.
    """
    chosen, total = index.best_connected_nodes(MAX_NETWORK_NODES)
    links: set[tuple[URIRef, URIRef]] = set()
    sides: dict[URIRef, str] = {}
    rows = store.query(internal_query("network_links") + values_clause("node", chosen)).rows \
        if chosen else []
    for node, organisation, country, wikidata in rows:
        links.add((node, organisation))
        side = partner_side(country, wikidata)
        if sides.get(organisation, "other") == "other":
            sides[organisation] = side
    for node in chosen:
        links.add((node, node))          # a node without partners is still drawn
    nodes = sorted({n for n, _ in links}, key=lambda n: fold(name_of(index, n, lang).text))
    row_of = {node: i for i, node in enumerate(nodes)}
    x_of = {"fr": 10, "node": 10 + COLUMN_WIDTH + GAP, "cn": 10 + 2 * (COLUMN_WIDTH + GAP),
            "other": 10 + 2 * (COLUMN_WIDTH + GAP)}
    boxes: dict[URIRef, Box] = {}
    for node in nodes:
        label = name_of(index, node, lang)
        boxes[node] = Box(node, label, _fit(label.text, COLUMN_WIDTH), x_of["node"],
                          TOP + row_of[node] * ROW, "node")
    rows_of: dict[URIRef, list[int]] = defaultdict(list)
    for node, organisation in links:
        rows_of[organisation].append(row_of[node])
    for side in ("fr", "cn", "other"):
        members = {o for n, o in links if o != n and sides.get(o) == side}
        mean = {o: sum(rows_of[o]) / max(1, len(rows_of[o])) for o in members}
        ordered = sorted(members, key=lambda o: (mean[o], fold(name_of(index, o, lang).text)))
        offset = len([b for b in boxes.values() if b.x == x_of[side] and b.side != "node"])
        for i, organisation in enumerate(ordered):
            label = name_of(index, organisation, lang)
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
