"""Search over every name of every entity (labels and alternative labels in fr/en/zh).

Matching folds case and accents (Unicode NFKD, combining marks dropped: "emission" finds
"émission"); Chinese matches as a substring of the characters. Ranking: exact > prefix >
word prefix > substring; then names in the reader's language; then preferred over alternative
names; then shorter names.
"""

from __future__ import annotations

import difflib
import heapq
import threading
from dataclasses import dataclass

from rdflib import Literal, URIRef

from server.services.i18n import primary
from server.services.index import GraphIndex, Label
from server.services.iris import is_entity, local_name
from server.text import fold

MAX_RESULTS = 50          # a page of results; the autocomplete asks for fewer
MAX_QUERY_CHARS = 200     # longer search text is cut (nobody types a name that long)

SIMILAR_SCAN_LIMIT = 20_000  # close spellings are looked for only in graphs this small
SIMILAR_RATIO = 0.6       # difflib ratio from which a name counts as a close spelling

EXACT, PREFIX, WORD_PREFIX, SUBSTRING = range(4)


@dataclass(frozen=True)
class Hit:
    """One search result: the entity, its name in the reader's language, and the name matched."""

    iri: URIRef
    label: Label
    matched: Label
    types: tuple[URIRef, ...]
    rank: tuple


def _match(query: str, name: str) -> int | None:
    if name == query:
        return EXACT
    if name.startswith(query):
        return PREFIX
    position = name.find(query)
    if position < 0:
        return None
    before = name[position - 1]
    return WORD_PREFIX if not before.isalnum() else SUBSTRING


_folded_lock = threading.Lock()
_folded: dict[str, list[tuple[URIRef, Literal, bool, str]]] = {}


def folded_names(index: GraphIndex) -> list[tuple[URIRef, Literal, bool, str]]:
    """(entity, name, is alternative, folded name) of every entity name, folded once per graph
    version (folding 300k names per search took seconds at 1M triples)."""
    with _folded_lock:
        names = _folded.get(index.version)
        if names is None:
            names = [(iri, literal, is_alt, fold(str(literal)))
                     for iri, literals in index.all_names.items() if is_entity(str(iri))
                     for literal, is_alt in literals]
            _folded.clear()              # only the current version is searched
            _folded[index.version] = names
        return names


def search(index: GraphIndex, text: str, lang: str, limit: int = MAX_RESULTS) -> list[Hit]:
    """Entities whose names match ``text``, best first (one hit per entity)."""
    query = fold(text[:MAX_QUERY_CHARS])
    if not query:
        return []
    best: dict[URIRef, tuple[tuple, Literal]] = {}
    for iri, literal, is_alt, folded in folded_names(index):
        kind = _match(query, folded)
        if kind is not None:
            rank = (kind, primary(literal.language) != lang, is_alt, len(literal), str(iri))
            if iri not in best or rank < best[iri][0]:
                best[iri] = (rank, literal)
    # Hits are built for the winners only: a short query can match 100k+ names at 1M triples.
    winners = heapq.nsmallest(max(0, min(limit, MAX_RESULTS)), best.items(),
                              key=lambda item: item[1][0])
    return [Hit(iri, index.label(iri, lang), Label(str(literal), literal.language or ""),
                tuple(sorted(index.types.get(iri, ()))), rank)
            for iri, (rank, literal) in winners]


def _similarity(matcher: difflib.SequenceMatcher, candidate: str) -> float:
    """difflib's ratio of ``candidate`` to the matcher's query, 0 when its cheap upper bounds
    already rule it out (the not-found page scans every entity: 100k+ at 1M triples)."""
    matcher.set_seq2(candidate)
    if matcher.real_quick_ratio() < SIMILAR_RATIO or matcher.quick_ratio() < SIMILAR_RATIO:
        return 0.0
    return matcher.ratio()


def similar(index: GraphIndex, text: str, lang: str, limit: int = 5) -> list[Hit]:
    """Entities whose names look like ``text`` (for the not-found page): search hits first,
    then close spellings (difflib ratio) of names and IRI slugs."""
    hits = search(index, text, lang, limit)
    if len(hits) >= limit:
        return hits
    if len(index.entities()) > SIMILAR_SCAN_LIMIT:
        return hits                      # a difflib scan of every name would take seconds
    query = fold(text[:MAX_QUERY_CHARS].replace("-", " "))
    found = {hit.iri for hit in hits}
    scored = []
    matcher = difflib.SequenceMatcher(None)
    matcher.set_seq1(query)
    for iri in index.entities():
        if iri in found:
            continue
        candidates = [fold(str(literal)) for literal, _ in index.all_names.get(iri, ())]
        candidates.append(fold(local_name(str(iri)).replace("-", " ")))
        score = max(_similarity(matcher, c) for c in candidates)
        if score >= SIMILAR_RATIO:
            scored.append((-score, str(iri), iri))
    for _, _, iri in sorted(scored)[:limit - len(hits)]:
        label = index.label(iri, lang)
        hits.append(Hit(iri, label, label, tuple(sorted(index.types.get(iri, ()))), ()))
    return hits
