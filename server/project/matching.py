"""Name matching, one implementation for every reconciliation: ``cnc-kg reconcile`` (our
organisations' names against the ROR/Wikidata lookup table) and the reconciliation service
(a curator's names against the graph's, ``server.services.reconciliation``).

Names are compared as ``server.text.words`` keys (case, accents, punctuation and spacing
folded): equal keys are an exact match; otherwise, when both keys are long enough, rapidfuzz's
``token_sort_ratio`` (0-100, word order ignored) scores a fuzzy match
(https://rapidfuzz.github.io/RapidFuzz/Usage/fuzz.html#token-sort-ratio). Acronyms and short
names match exactly or not at all: "CAZ" is not "CAS".
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from rapidfuzz import fuzz, process

from server.text import words

FUZZY_MIN_LENGTH = 6      # shorter keys (acronyms, short names) only match exactly
EXACT_SCORE = 100.0

T = TypeVar("T", bound=Hashable)


@dataclass(frozen=True, order=True)
class Match:
    """How well two names match: exact matches rank above every fuzzy one."""

    exact: bool
    score: float          # 100 for an exact match, token_sort_ratio (0-100) otherwise

    def __str__(self) -> str:
        return "exact" if self.exact else f"fuzzy {self.score:.0f}"


@dataclass(frozen=True)
class Found(Generic[T]):
    """The best match of one entry of a ``NameTable``: which query name matched which name."""

    item: T
    match: Match
    query: str            # the query's name, as given
    name: str             # the entry's name, as written in the table


def key(name: str) -> str:
    """The form names are compared in (``server.text.words``)."""
    return words(name)


def similarity(name: str, other: str) -> float:
    """The fuzzy score (0-100) of two names, whatever their length (``NameTable`` only reports
    it for long enough names: a client that found a name by other means may still show it)."""
    return float(fuzz.token_sort_ratio(key(name), key(other)))


class NameTable(Generic[T]):
    """Names to match against, each naming an item (a lookup row, an entity); keys are folded
    once, and fuzzy scores are computed by rapidfuzz over the whole table at once."""

    def __init__(self, entries: Iterable[tuple[T, str]]):
        self.entries = [(item, name) for item, name in entries if key(name)]
        self.keys = [key(name) for _, name in self.entries]
        self._exact: dict[str, list[int]] = {}
        for position, folded in enumerate(self.keys):
            self._exact.setdefault(folded, []).append(position)

    def __len__(self) -> int:
        return len(self.entries)

    def matches(self, name: str, threshold: float | None) -> list[tuple[int, Match]]:
        """(position in the table, match) of every entry matching ``name``: exact, or fuzzy
        scoring at least ``threshold`` (``None``: exact matches only)."""
        folded = key(name)
        if not folded:
            return []
        exact = self._exact.get(folded, [])
        found = [(position, Match(True, EXACT_SCORE)) for position in exact]
        if threshold is None or len(folded) < FUZZY_MIN_LENGTH:
            return found
        skip = set(exact)
        for _, score, position in process.extract(folded, self.keys, scorer=fuzz.token_sort_ratio,
                                                  score_cutoff=threshold, limit=None):
            if position not in skip and len(self.keys[position]) >= FUZZY_MIN_LENGTH:
                found.append((position, Match(False, float(score))))
        return found

    def best(self, names: Iterable[str], threshold: float | None) -> dict[T, Found[T]]:
        """The best match of each item named by any of ``names`` (the first name wins ties;
        ``threshold`` as in ``matches``)."""
        best: dict[T, Found[T]] = {}
        for name in names:
            for position, match in self.matches(name, threshold):
                item, written = self.entries[position]
                if item not in best or match > best[item].match:
                    best[item] = Found(item, match, name, written)
        return best
