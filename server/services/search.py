"""Search over every name of every entity (labels and alternative labels in fr/en/zh).

Candidates come from the page index: names that are the query or start with it, and names
holding every word of the query as a word prefix, in any order (accents and case folded;
Chinese matched as a run of characters anywhere). Ranking: exact > prefix > word prefix >
substring > all words; then names in the reader's language; then preferred over alternative
names; then shorter names.
"""

from __future__ import annotations

import difflib
import heapq
from dataclasses import dataclass

from rdflib import URIRef

from server.languages import primary
from server.services.index import GraphIndex, Label, Name
from server.services.iris import local_name
from server.text import fold

MAX_RESULTS = 50          # a page of results; the autocomplete asks for fewer
MAX_QUERY_CHARS = 200     # longer search text is cut (nobody types a name that long)
CANDIDATES = 200          # names read from the index before ranking

SIMILAR_SCAN_LIMIT = 20_000  # close spellings are looked for only in graphs this small
SIMILAR_RATIO = 0.6       # difflib ratio from which a name counts as a close spelling

EXACT, PREFIX, WORD_PREFIX, SUBSTRING, WORDS = range(5)


@dataclass(frozen=True)
class Hit:
    """One search result: the entity, its name in the reader's language, and the name matched."""

    iri: URIRef
    label: Label
    matched: Label
    types: tuple[URIRef, ...]
    rank: tuple


def _match(query: str, name: str) -> int:
    if name == query:
        return EXACT
    if name.startswith(query):
        return PREFIX
    position = name.find(query)
    if position < 0:
        return WORDS
    return WORD_PREFIX if not name[position - 1].isalnum() else SUBSTRING


def search(index: GraphIndex, text: str, lang: str, limit: int = MAX_RESULTS) -> list[Hit]:
    """Entities whose names match ``text``, best first (one hit per entity)."""
    query = fold(text[:MAX_QUERY_CHARS])
    if not query:
        return []
    best: dict[URIRef, tuple[tuple, Name]] = {}
    for iri, name in (*index.name_matches(query, CANDIDATES),
                      *index.word_matches(query, CANDIDATES)):
        rank = (_match(query, fold(name.text)), primary(name.lang) != lang, name.alt,
                len(name.text), str(iri))
        if iri not in best or rank < best[iri][0]:
            best[iri] = (rank, name)
    winners = heapq.nsmallest(max(0, min(limit, MAX_RESULTS)), best.items(),
                              key=lambda item: item[1][0])
    return [Hit(iri, index.label(iri, lang), Label(name.text, name.lang),
                tuple(index.types(iri)), rank)
            for iri, (rank, name) in winners]


def _similarity(matcher: difflib.SequenceMatcher, candidate: str) -> float:
    """difflib's ratio of ``candidate`` to the matcher's query, 0 when its cheap upper bounds
    already rule it out."""
    matcher.set_seq2(candidate)
    if matcher.real_quick_ratio() < SIMILAR_RATIO or matcher.quick_ratio() < SIMILAR_RATIO:
        return 0.0
    return matcher.ratio()


def similar(index: GraphIndex, text: str, lang: str, limit: int = 5) -> list[Hit]:
    """Entities whose names look like ``text`` (for the not-found page): search hits first,
    then close spellings (difflib ratio) of names and IRI slugs."""
    hits = search(index, text, lang, limit)
    if len(hits) >= limit or index.entity_count() > SIMILAR_SCAN_LIMIT:
        return hits                      # a difflib scan of every name would take seconds
    query = fold(text[:MAX_QUERY_CHARS].replace("-", " "))
    found = {hit.iri for hit in hits}
    scores: dict[URIRef, float] = {}
    matcher = difflib.SequenceMatcher(None)
    matcher.set_seq1(query)
    for iri, name in index.entity_names():
        if iri not in found:
            scores[iri] = max(scores.get(iri, 0.0), _similarity(matcher, fold(name.text)))
    for iri in index.entities():
        if iri not in found:
            slug = fold(local_name(str(iri)).replace("-", " "))
            scores[iri] = max(scores.get(iri, 0.0), _similarity(matcher, slug))
    ranked = sorted((-score, str(iri), iri) for iri, score in scores.items()
                    if score >= SIMILAR_RATIO)
    for _, _, iri in ranked[:limit - len(hits)]:
        label = index.label(iri, lang)
        hits.append(Hit(iri, label, label, tuple(index.types(iri)), ()))
    return hits
