"""Search over every name of every entity (labels and alternative labels in fr/en/zh), then
over their descriptions.

Candidates come from the page index: names that are the query or start with it, names holding
every word of the query as a word prefix in any order (accents and case folded; Chinese matched
as a run of characters anywhere), descriptions holding every word, and names holding some of
the words. Ranking: exact > prefix > word prefix > substring > all words in a name > all words
in the description > most words in a name; then names in the reader's language; then preferred
over alternative names; then shorter names. Each hit carries what a result list shows: the
entity's type and one line of its description (or its country, date and parent).
"""

from __future__ import annotations

import difflib
import heapq
import re
from dataclasses import dataclass

from rdflib import URIRef

from server.languages import pick, primary
from server.services.i18n import format_date, format_date_range
from server.services.index import GraphIndex, Label, Name
from server.services.iris import local_name
from server.services.names import name as name_of
from server.store.page_index import is_han
from server.text import fold

MAX_RESULTS = 50          # a page of results; the autocomplete asks for fewer
MAX_QUERY_CHARS = 200     # longer search text is cut (nobody types a name that long)
CANDIDATES = 200          # names read from the index before ranking

SIMILAR_SCAN_LIMIT = 20_000  # close spellings are looked for only in graphs this small
SIMILAR_RATIO = 0.6       # difflib ratio from which a name counts as a close spelling

EXACT, PREFIX, WORD_PREFIX, SUBSTRING, WORDS, DESCRIBED, SOME_WORDS = range(7)


@dataclass(frozen=True)
class Hit:
    """One search result: the entity, its name in the reader's language, the name matched, and
    what a result list shows beside it."""

    iri: URIRef
    label: Label
    matched: Label
    types: tuple[URIRef, ...]
    rank: tuple
    kind: Label | None = None           # its most specific type, named
    description: Label | None = None    # one line of its description
    context: tuple[Label, ...] = ()     # else its country, date and parent


def _match(query: str, name: str) -> int:
    if name == query:
        return EXACT
    if name.startswith(query):
        return PREFIX
    position = name.find(query)
    if position < 0:
        return WORDS
    return WORD_PREFIX if not name[position - 1].isalnum() else SUBSTRING


def _missing(words: list[str], name: str) -> int:
    """How many of the query's ``words`` ``name`` lacks as a word prefix (a run of Chinese
    characters: anywhere)."""
    folded = fold(name)
    tokens = re.findall(r"\w+", folded)
    return sum(1 for word in words
               if not (word in folded if not word.isascii() else
                       any(token.startswith(word) for token in tokens)))


def _rank(category: int, name: Name, lang: str, iri: URIRef, missing: int = 0,
          relevance: int = 0) -> tuple:
    return (category, missing, relevance, primary(name.lang) != lang, name.alt,
            len(name.text), str(iri))


def _candidates(index: GraphIndex, query: str, lang: str,
                limit: int) -> dict[URIRef, tuple[tuple, Name]]:
    """Every candidate entity with its best rank and the name that gave it; names in Chinese
    rank first for a query in Chinese, else names in the reader's language. Names with only
    some of the words are looked for when fewer than ``limit`` entities matched better (they
    rank last; ranking them by relevance costs a read of every match)."""
    best: dict[URIRef, tuple[tuple, Name]] = {}
    lang = "zh" if any(is_han(c) for c in query) else lang

    def offer(iri: URIRef, rank: tuple, name: Name) -> None:
        if iri not in best or rank < best[iri][0]:
            best[iri] = (rank, name)

    for iri, name in (*index.name_matches(query, CANDIDATES),
                      *index.word_matches(query, CANDIDATES)):
        offer(iri, _rank(_match(query, fold(name.text)), name, lang, iri), name)
    for iri in index.text_matches(query, CANDIDATES):
        title = name_of(index, iri, lang)
        offer(iri, _rank(DESCRIBED, Name(title.text, title.lang, False), lang, iri), Name(
            title.text, title.lang, False))
    words = re.findall(r"\w+", query)
    if len(words) > 1 and len(best) < limit:
        # Best first by the index's relevance (rarer words weigh more: "lille" over
        # "universite"), after the number of words found.
        for position, (iri, name) in enumerate(
                index.word_matches(query, CANDIDATES, every=False)):
            offer(iri, _rank(SOME_WORDS, name, lang, iri, _missing(words, name.text),
                             position), name)
    return best


def _context(index: GraphIndex, iri: URIRef, lang: str) -> tuple[Label | None, tuple]:
    """(kind, what else to say) of a hit: its type, and its country, date and parent."""
    facts = index.list_facts([iri]).get(iri)
    if facts is None:
        return None, ()
    kind = name_of(index, facts.kind, lang) if facts.kind is not None else None
    said = [name_of(index, facts.country, lang)] if facts.country is not None else []
    if facts.date or facts.start:
        said.append(Label(format_date(facts.date, lang) if facts.date else
                          format_date_range(facts.start, facts.end, lang), lang))
    if facts.parent is not None:
        said.append(name_of(index, facts.parent, lang))
    return kind, tuple(said)


def hit(index: GraphIndex, iri: URIRef, matched: Label, rank: tuple, lang: str) -> Hit:
    """A result with what a result list shows beside its name."""
    kind, context = _context(index, iri, lang)
    described = pick(index.descriptions(iri), lang)
    return Hit(iri, name_of(index, iri, lang), matched, tuple(index.types(iri)), rank, kind,
               Label(*described) if described else None, () if described else context)


def search(index: GraphIndex, text: str, lang: str, limit: int = MAX_RESULTS) -> list[Hit]:
    """Entities whose names (or descriptions) match ``text``, best first (one hit per
    entity)."""
    query = fold(text[:MAX_QUERY_CHARS])
    if not query:
        return []
    wanted = max(0, min(limit, MAX_RESULTS))
    winners = heapq.nsmallest(wanted, _candidates(index, query, lang, wanted).items(),
                              key=lambda item: item[1][0])
    return [hit(index, iri, Label(name.text, name.lang), rank, lang)
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
        hits.append(hit(index, iri, name_of(index, iri, lang), (), lang))
    return hits
