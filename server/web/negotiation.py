"""Content negotiation: one pure function over declared format tables (RFC 9110 §12.5.1).

The tables (``server.formats``) list, in server preference order, a format's short name (the
``format=`` value), its canonical media type and the other media types clients use for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from server.formats import GRAPH_FORMATS, HTML, RESULT_FORMATS, Format

__all__ = ["GRAPH_FORMATS", "HTML", "RESULT_FORMATS", "Choice", "Format", "NotAcceptable",
           "negotiate"]


class NotAcceptable(Exception):
    """No format of the table is acceptable to the client (406)."""

    def __init__(self, offered: tuple[Format, ...], asked: str):
        self.offered = offered
        super().__init__(
            f"cannot answer with {asked!r}; available: "
            + ", ".join(f"{f.media_type} (format={f.name})" for f in offered))


@dataclass(frozen=True)
class Choice:
    """The negotiated format and the exact media type to put in Content-Type."""

    format: Format
    media_type: str


def _parse_accept(accept: str) -> list[tuple[str, str, float]]:
    """``[(type, subtype, q)]``; malformed entries are ignored, q is clamped to [0, 1]."""
    ranges = []
    for item in accept.split(","):
        parts = [p.strip() for p in item.split(";")]
        kind, _, sub = parts[0].lower().partition("/")
        if not kind or not sub:
            continue
        q = 1.0
        for param in parts[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append((kind, sub, q))
    return ranges


def _quality(media_type: str, ranges: list[tuple[str, str, float]]) -> float:
    """q of ``media_type`` under the most specific matching range (exact > type/* > */*)."""
    kind, _, sub = media_type.partition("/")
    best_specificity, best_q = -1, 0.0
    for r_kind, r_sub, q in ranges:
        if r_kind == kind and r_sub == sub:
            specificity = 2
        elif r_kind == kind and r_sub == "*":
            specificity = 1
        elif r_kind == "*" and r_sub == "*":
            specificity = 0
        else:
            continue
        if specificity > best_specificity:
            best_specificity, best_q = specificity, q
    return best_q


@lru_cache(maxsize=4096)
def negotiate(table: tuple[Format, ...], accept: str | None,
              format_param: str | None = None) -> Choice:
    """Pick the format of ``table`` to answer with.

    ``format_param`` (a short name or a media type) overrides ``Accept``. A missing or empty
    ``Accept`` means anything, so the table's first format. Among equal q-values the table's
    order decides. Raises ``NotAcceptable`` when nothing fits — never a silent fallback.
    Content-Type is the format's media type the client rates highest (canonical on a tie).
    A pure function of its arguments, so answers are kept: clients send few distinct headers.
    """
    if format_param:
        wanted = format_param.strip().lower()
        for fmt in table:
            if wanted == fmt.name or wanted in fmt.names or wanted in fmt.media_types:
                return Choice(fmt, fmt.media_type)
        raise NotAcceptable(table, f"format={format_param}")
    if not accept or not accept.strip():
        return Choice(table[0], table[0].media_type)
    ranges = _parse_accept(accept)
    best: Choice | None = None
    best_q = 0.0
    for fmt in table:
        # max() keeps the first of equal values: the canonical media type wins ties.
        q, media_type = max(((_quality(m, ranges), m) for m in fmt.media_types),
                            key=lambda pair: pair[0])
        if q > best_q:
            best_q, best = q, Choice(fmt, media_type)
    if best is None:
        raise NotAcceptable(table, accept)
    return best
