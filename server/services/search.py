"""Search over every name of every entity (labels and alternative labels in fr/en/zh).

Matching folds case and accents (Unicode NFKD, combining marks dropped: "emission" finds
"émission"); Chinese matches as a substring of the characters. Ranking: exact > prefix >
word prefix > substring; then names in the reader's language; then preferred over alternative
names; then shorter names.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass

from rdflib import URIRef

from server.config import DATA_NS
from server.services.i18n import primary
from server.services.index import GraphIndex, Label

MAX_RESULTS = 50          # a page of results; the autocomplete asks for fewer
MAX_QUERY_CHARS = 200     # longer search text is cut (nobody types a name that long)

EXACT, PREFIX, WORD_PREFIX, SUBSTRING = range(4)


def fold(text: str) -> str:
    """Lower-case, accent-free, NFKD-normalised text ("Énergie" -> "energie", "ＣＮＣ" -> "cnc")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


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


def search(index: GraphIndex, text: str, lang: str, limit: int = MAX_RESULTS) -> list[Hit]:
    """Entities whose names match ``text``, best first (one hit per entity)."""
    query = fold(text[:MAX_QUERY_CHARS])
    if not query:
        return []
    best: dict[URIRef, Hit] = {}
    for iri, names in index.all_names.items():
        if not str(iri).startswith(DATA_NS):
            continue
        for literal, is_alt in names:
            kind = _match(query, fold(str(literal)))
            if kind is None:
                continue
            rank = (kind, primary(literal.language) != lang, is_alt, len(literal), str(iri))
            if iri not in best or rank < best[iri].rank:
                best[iri] = Hit(iri, index.label(iri, lang),
                                Label(str(literal), literal.language or ""),
                                tuple(sorted(index.types.get(iri, ()))), rank)
    return sorted(best.values(), key=lambda hit: hit.rank)[:max(0, min(limit, MAX_RESULTS))]


def similar(index: GraphIndex, text: str, lang: str, limit: int = 5) -> list[Hit]:
    """Entities whose names look like ``text`` (for the not-found page): search hits first,
    then close spellings (difflib ratio) of names and IRI slugs."""
    hits = search(index, text, lang, limit)
    if len(hits) >= limit:
        return hits
    query = fold(text[:MAX_QUERY_CHARS].replace("-", " "))
    found = {hit.iri for hit in hits}
    scored = []
    for iri in index.entities():
        if iri in found:
            continue
        candidates = [fold(str(literal)) for literal, _ in index.all_names.get(iri, ())]
        candidates.append(fold(str(iri)[len(DATA_NS):].replace("-", " ")))
        score = max(difflib.SequenceMatcher(None, query, c).ratio() for c in candidates)
        if score >= 0.6:
            scored.append((-score, str(iri), iri))
    for _, _, iri in sorted(scored)[:limit - len(hits)]:
        label = index.label(iri, lang)
        hits.append(Hit(iri, label, label, tuple(sorted(index.types.get(iri, ()))), ()))
    return hits
