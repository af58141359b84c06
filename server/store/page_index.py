"""The page index: everything the pages need about the whole graph, computed once by the build
and opened read-only by every server process (SQLite, https://sqlite.org/fts5.html).

Names per language, types and superclasses, class members sorted by name in each language,
class and property counts, dated agreements and events, network degrees and a full-text search
index (word prefixes in any order, accents folded, alternative names and acronyms, Chinese
substrings). A page then costs a few indexed lookups whatever the size of the graph, instead of
a scan that each worker would repeat after parsing the whole graph.

Written by ``write`` from a pyoxigraph store holding the build; read by ``PageIndex``.
"""

from __future__ import annotations

import re
import sqlite3
import sys
import threading
import unicodedata
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef

from server.config import DATA_NAMESPACES
from server.languages import LANGUAGES, pick, primary
from server.namespaces import local_name
from server.store.queries import internal_query
from server.text import fold

SCHEMA_VERSION = "3"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
FOAF_NAME = "http://xmlns.com/foaf/0.1/name"
# Which predicates name a resource, best first: the first one present gives the title.
NAME_PREDICATES = (SKOS_PREF, RDFS_LABEL, FOAF_NAME)
CNC = "https://w3id.org/cnc-kg/ontology/"
EVENT = CNC + "Event"
SEARCH_CANDIDATES = 200     # word matches read from the full-text index before ranking
DESCRIPTION_CHARS = 240     # a description is cut (at a word) to one line of a result list
# Which predicates describe a resource, best first (the first present gives its one line).
DESCRIPTION_PREDICATES = ("http://purl.org/dc/terms/description",
                          "http://www.w3.org/2004/02/skos/core#definition",
                          "http://www.w3.org/2000/01/rdf-schema#comment")
# The columns a class list may show beside the name, each sortable (``list_columns``).
LIST_COLUMNS = ("type", "country", "date", "parent")
# Where an entity's country comes from, best first (``list_facts.rq``).
COUNTRY_FACTS = ("country", "parent-country", "place-country")
LABEL_CACHE = 65_536        # names kept per open index (a page names ~50 resources)
INDEX_CONNECTIONS = 8       # connections opened with the index (a web worker's threads)
# A sorted list of entities (a class's members by name or by a column) is kept as rows of this
# many term ids each, packed as 32-bit little-endian integers: a page of a list reads one or two
# rows, and the build writes a row per thousand entities instead of one per entity (3.4 million
# rows at 1M triples took half of the page index's time).
CHUNK = 1024
IDS_PER_QUERY = 500         # term ids looked up per query (SQLite's parameter limit is higher)

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
CREATE TABLE terms (id INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE, entity INTEGER NOT NULL);
CREATE TABLE names (term INTEGER NOT NULL, lang TEXT NOT NULL, text TEXT NOT NULL,
                    alt INTEGER NOT NULL, rank INTEGER NOT NULL, folded TEXT NOT NULL);
CREATE TABLE types (term INTEGER NOT NULL, class INTEGER NOT NULL,
                    PRIMARY KEY (term, class)) WITHOUT ROWID;
CREATE TABLE superclasses (class INTEGER NOT NULL, super INTEGER NOT NULL,
                           PRIMARY KEY (class, super)) WITHOUT ROWID;
CREATE TABLE members (class INTEGER NOT NULL, lang TEXT NOT NULL, chunk INTEGER NOT NULL,
                      terms BLOB NOT NULL, PRIMARY KEY (class, lang, chunk)) WITHOUT ROWID;
CREATE TABLE member_counts (class INTEGER PRIMARY KEY, deep INTEGER NOT NULL,
                            direct INTEGER NOT NULL);
CREATE TABLE class_counts (class INTEGER PRIMARY KEY, n INTEGER NOT NULL);
CREATE TABLE property_counts (property INTEGER PRIMARY KEY, n INTEGER NOT NULL);
CREATE TABLE dated (lang TEXT NOT NULL, pos INTEGER NOT NULL, term INTEGER NOT NULL,
                    date TEXT, start TEXT, "end" TEXT, event INTEGER NOT NULL,
                    PRIMARY KEY (lang, pos)) WITHOUT ROWID;
CREATE TABLE network (node INTEGER PRIMARY KEY, partners INTEGER NOT NULL, pos INTEGER NOT NULL);
CREATE VIRTUAL TABLE search USING fts5(words, term UNINDEXED, name UNINDEXED, lang UNINDEXED,
                                       alt UNINDEXED,
                                       tokenize = 'unicode61 remove_diacritics 0',
                                       prefix = '1 2 3');
CREATE TABLE facts (term INTEGER PRIMARY KEY, kind INTEGER, country INTEGER, date TEXT,
                    start TEXT, "end" TEXT, parent INTEGER);
CREATE TABLE list_columns (class INTEGER NOT NULL, col TEXT NOT NULL,
                           PRIMARY KEY (class, col)) WITHOUT ROWID;
CREATE TABLE member_order (class INTEGER NOT NULL, lang TEXT NOT NULL, col TEXT NOT NULL,
                           chunk INTEGER NOT NULL, terms BLOB NOT NULL,
                           PRIMARY KEY (class, lang, col, chunk)) WITHOUT ROWID;
CREATE TABLE descriptions (term INTEGER NOT NULL, lang TEXT NOT NULL, text TEXT NOT NULL,
                           PRIMARY KEY (term, lang)) WITHOUT ROWID;
CREATE VIRTUAL TABLE search_text USING fts5(words, term UNINDEXED,
                                            tokenize = 'unicode61 remove_diacritics 0',
                                            prefix = '1 2 3');
"""
_INDEXES = """
CREATE INDEX names_term ON names (term);
CREATE INDEX names_folded ON names (folded);
CREATE INDEX types_class ON types (class, term);
CREATE INDEX dated_events ON dated (lang, event, pos);
CREATE INDEX network_pos ON network (pos);
"""


@dataclass(frozen=True)
class Label:
    """A resource's name as shown: its text and the language tag of the literal ("" if none)."""

    text: str
    lang: str = ""


@dataclass(frozen=True)
class Name:
    """One name of a resource: preferred or alternative, as written in the graph."""

    text: str
    lang: str
    alt: bool


@dataclass(frozen=True)
class ListFacts:
    """What a class list shows beside an entity's name: its most specific type, its country,
    its dates (ISO texts) and what it is part of."""

    kind: URIRef | None
    country: URIRef | None
    date: str | None
    start: str | None
    end: str | None
    parent: URIRef | None


@dataclass(frozen=True)
class Dated:
    """An agreement or event with its date (or start and end dates), as ISO texts."""

    iri: URIRef
    date: str | None
    start: str | None
    end: str | None


def is_han(char: str) -> bool:
    """Whether ``char`` is a Chinese character (or another wide letter or digit)."""
    return unicodedata.east_asian_width(char) in "WF" and char.isalnum()


def search_words(text: str) -> str:
    """``text`` as the full-text index stores it: folded, each Chinese character a word of its
    own (so that a query for any run of characters is a phrase of consecutive words)."""
    folded = fold(text)
    if folded.isascii():        # most names: no Chinese character to look for
        return folded
    return "".join(f" {c} " if is_han(c) else c for c in folded)


def _match_expression(text: str, every: bool = True) -> str | None:
    """The FTS5 query of a search text: every word (any order; or any one word unless
    ``every``) as a prefix, every run of Chinese characters as a phrase; ``None`` when nothing
    searchable is left."""
    terms = []
    for word in re.findall(r"\w+", fold(text)):
        if any(is_han(c) for c in word):
            chars = [c for c in search_words(word).split() if c]
            terms.append('"' + " ".join(chars) + '"')
        else:
            terms.append(f'"{word}"*')
    return (" " if every else " OR ").join(terms) or None


# -- writing ---------------------------------------------------------------------------------

def _rows(store: ox.Store, graph: ox.NamedNode, name: str) -> Iterator[ox.QuerySolution]:
    yield from store.query(internal_query(name), default_graph=graph, named_graphs=[graph])


def _value(term: ox.NamedNode | ox.Literal | ox.BlankNode | None) -> str | None:
    return None if term is None else term.value


def _packed(ids: Sequence[int]) -> array:
    packed = array("I", ids)
    if sys.byteorder != "little":
        packed.byteswap()
    return packed


def _chunks(ids: Sequence[int]) -> Iterator[tuple[int, bytes]]:
    """``(n, bytes)`` for the n-th run of ``CHUNK`` ids of a sorted list (see ``CHUNK``)."""
    packed = _packed(ids)
    for n, start in enumerate(range(0, len(packed), CHUNK)):
        yield n, packed[start:start + CHUNK].tobytes()


def _unpacked(blobs: Iterable[bytes]) -> array:
    ids = array("I")
    for blob in blobs:
        ids.frombytes(blob)
    if sys.byteorder != "little":
        ids.byteswap()
    return ids


def write(path: Path, store: ox.Store, graph_iri: str, version: str, triples: int,
          date: str) -> None:
    """Compute the page index of the graph ``graph_iri`` of ``store`` into a new file ``path``
    (``date``: when the build ran, ISO 8601)."""
    graph = ox.NamedNode(graph_iri)
    db = sqlite3.connect(path)
    try:
        db.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + _SCHEMA)
        _Writer(db, store, graph).write()
        db.executemany("INSERT INTO meta VALUES (?, ?)", [
            ("schema", SCHEMA_VERSION), ("version", version), ("graph", graph_iri),
            ("triples", str(triples)), ("date", date)])
        db.executescript(_INDEXES + "INSERT INTO search(search) VALUES ('optimize'); "
                         "INSERT INTO search_text(search_text) VALUES ('optimize'); ANALYZE;")
        db.commit()
        db.execute("VACUUM")
    finally:
        db.close()


class _Writer:
    def __init__(self, db: sqlite3.Connection, store: ox.Store, graph: ox.NamedNode):
        self.db, self.store, self.graph = db, store, graph
        self.ids: dict[str, int] = {}

    def term(self, iri: str) -> int:
        found = self.ids.get(iri)
        if found is None:
            found = self.ids[iri] = len(self.ids) + 1
        return found

    def write(self) -> None:
        names = self._names()
        types: dict[str, set[str]] = defaultdict(set)
        for row in _rows(self.store, self.graph, "entity_types"):
            types[row["s"].value].add(row["type"].value)
        supers: dict[str, set[str]] = defaultdict(set)
        for row in _rows(self.store, self.graph, "superclasses"):
            supers[row["class"].value].add(row["super"].value)
        entities = sorted(iri for iri in types if iri.startswith(DATA_NAMESPACES))
        for iri in entities:             # entities get the smallest ids, in IRI order
            self.term(iri)
        labels = {iri: _best_names(found) for iri, found in names.items()}
        ordered = self._members(entities, types, supers, labels)
        self._list_facts(entities, types, supers, labels, ordered)
        self._descriptions(entities)
        self._dated(types, supers, labels)
        self._network()
        self._counts()
        self._search(entities, names)
        self.db.executemany("INSERT INTO types VALUES (?, ?)",
                            ((self.term(s), self.term(c)) for s, cs in types.items() for c in cs))
        self.db.executemany("INSERT INTO superclasses VALUES (?, ?)",
                            ((self.term(c), self.term(s)) for c, ss in supers.items() for s in ss))
        self.db.executemany(
            "INSERT INTO names VALUES (?, ?, ?, ?, ?, ?)",
            ((self.term(iri), n.lang, n.text, int(n.alt), rank, fold(n.text))
             for iri, found in names.items() for n, rank in found))
        entity_set = set(entities)
        self.db.executemany("INSERT INTO terms VALUES (?, ?, ?)",
                            ((i, iri, int(iri in entity_set)) for iri, i in self.ids.items()))

    def _names(self) -> dict[str, list[tuple[Name, int]]]:
        """Every name of every IRI with its rank (preferred-name predicates first, then alt)."""
        found: dict[str, list[tuple[Name, int]]] = defaultdict(list)
        ranks = {p: i for i, p in enumerate(NAME_PREDICATES)}
        for row in _rows(self.store, self.graph, "all_labels"):
            literal, predicate = row["label"], row["p"].value
            alt = predicate == SKOS_ALT
            found[row["s"].value].append(
                (Name(literal.value, literal.language or "", alt),
                 len(NAME_PREDICATES) if alt else ranks[predicate]))
        return found

    def _members(self, entities: list[str], types: dict[str, set[str]],
                 supers: dict[str, set[str]], labels: dict[str, dict[str, str]]
                 ) -> dict[str, dict[str, list[str]]]:
        """Every class's entities (its own and its subclasses'), sorted by name per language;
        returns them as ``{lang: {class: members in name order}}``."""
        classes_of: dict[str, set[str]] = {}
        direct: dict[str, int] = defaultdict(int)
        for iri in entities:
            classes: set[str] = set()
            for cls in types[iri]:
                direct[cls] += 1
                classes.add(cls)
                classes.update(supers.get(cls, ()))
            classes_of[iri] = classes
        ids, ordered = self.ids, {}
        for lang in LANGUAGES:
            # One sort of every entity per language; each class's list follows that order.
            lists: dict[str, list[str]] = defaultdict(list)
            for iri in sorted(entities, key=lambda e: _sort_key(labels.get(e, {}), e, lang)):
                for cls in classes_of[iri]:
                    lists[cls].append(iri)
            for cls, members in lists.items():
                cls_id = self.term(cls)
                self.db.executemany("INSERT INTO members VALUES (?, ?, ?, ?)",
                                    ((cls_id, lang, n, blob) for n, blob in
                                     _chunks([ids[iri] for iri in members])))
            ordered[lang] = lists
        self.db.executemany("INSERT INTO member_counts VALUES (?, ?, ?)",
                            ((self.term(c), len(m), direct.get(c, 0))
                             for c, m in ordered[LANGUAGES[0]].items()))
        return ordered

    def _list_facts(self, entities: list[str], types: dict[str, set[str]],
                    supers: dict[str, set[str]], labels: dict[str, dict[str, str]],
                    ordered: dict[str, dict[str, list[str]]]) -> None:
        """What the class lists show beside names (``facts``), which of those columns each
        class has (``list_columns``) and its members sorted by each of them, then by name, per
        language (``member_order``: a sorted page costs one range read, as the name order
        does)."""
        found: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        for row in _rows(self.store, self.graph, "list_facts"):
            found[row["s"].value][row["fact"].value].append(row["value"])
        deep = ordered[LANGUAGES[0]]
        sizes = {cls: len(members) for cls, members in deep.items()}
        facts = {iri: _entity_facts(found.get(iri, {}), _kind(types[iri], supers, sizes))
                 for iri in entities}
        self.db.executemany("INSERT INTO facts VALUES (?, ?, ?, ?, ?, ?, ?)", (
            (self.term(iri), *(None if v is None else self.term(v) for v in (f.kind, f.country)),
             f.date, f.start, f.end, None if f.parent is None else self.term(f.parent))
            for iri, f in facts.items()))
        ids = self.ids
        keyed: dict[tuple[str | None, str, str], tuple[bool, str]] = {}

        def keys(shown: str | None, column: str, lang: str) -> tuple[bool, str]:
            """``_column_key``, once per value: the same ones recur in every superclass."""
            found = keyed.get((shown, column, lang))
            if found is None:
                found = keyed[shown, column, lang] = _column_key(shown, column, labels, lang)
            return found

        for cls, members in deep.items():
            cls_id = self.term(cls)
            for column in LIST_COLUMNS:
                value = {iri: _column_value(facts[iri], column, cls) for iri in members}
                if not any(v is not None for v in value.values()):
                    continue
                self.db.execute("INSERT INTO list_columns VALUES (?, ?)", (cls_id, column))
                for lang in LANGUAGES:
                    # Few values recur (countries, types, parents): each is keyed once, and
                    # a stable sort of the name order by that key breaks ties by name.
                    shown = {v: keys(v, column, lang) for v in set(value.values())}
                    place = {key: i for i, key in enumerate(sorted(set(shown.values())))}
                    rank = {v: place[key] for v, key in shown.items()}
                    in_order = sorted(ordered[lang][cls], key=lambda e: rank[value[e]])
                    self.db.executemany(
                        "INSERT INTO member_order VALUES (?, ?, ?, ?, ?)",
                        ((cls_id, lang, column, n, blob) for n, blob in
                         _chunks([ids[iri] for iri in in_order])))

    def _descriptions(self, entities: list[str]) -> None:
        """One line of each entity's description per language (result lists), and every
        description's words for the search."""
        found: dict[str, dict[str, tuple[int, str]]] = defaultdict(dict)
        entity_set = set(entities)
        ranks = {p: i for i, p in enumerate(DESCRIPTION_PREDICATES)}
        words = []
        for row in _rows(self.store, self.graph, "descriptions"):
            iri, literal = row["s"].value, row["text"]
            if iri not in entity_set:
                continue
            rank, lang = ranks[row["p"].value], literal.language or ""
            words.append((search_words(literal.value), self.term(iri)))
            if lang not in found[iri] or rank < found[iri][lang][0]:
                found[iri][lang] = (rank, _one_line(literal.value))
        self.db.executemany("INSERT INTO descriptions VALUES (?, ?, ?)",
                            ((self.term(iri), lang, text) for iri, by_lang in found.items()
                             for lang, (_, text) in by_lang.items()))
        self.db.executemany("INSERT INTO search_text (words, term) VALUES (?, ?)", words)

    def _dated(self, types: dict[str, set[str]], supers: dict[str, set[str]],
               labels: dict[str, dict[str, str]]) -> None:
        """Agreements and events with a date, by date then name, per language; the earliest
        date when a resource has several."""
        best: dict[str, tuple[str, str | None, str | None, str | None]] = {}
        for row in _rows(self.store, self.graph, "dated"):
            date, start, end = (_value(row[v]) for v in ("date", "start", "end"))
            when = date if date is not None else start
            iri = row["s"].value
            if when is not None and (iri not in best or _date_key(when) < _date_key(best[iri][0])):
                best[iri] = (when, date, start, end)
        for lang in LANGUAGES:
            ordered = sorted(best, key=lambda iri: (_date_key(best[iri][0]),
                                                    _label_text(labels.get(iri, {}), iri, lang)))
            self.db.executemany(
                "INSERT INTO dated VALUES (?, ?, ?, ?, ?, ?, ?)",
                ((lang, pos, self.term(iri), *best[iri][1:],
                  int(any(t == EVENT or EVENT in supers.get(t, ()) for t in types.get(iri, ()))))
                 for pos, iri in enumerate(ordered)))

    def _network(self) -> None:
        rows = [(row["node"].value, int(row["partners"].value))
                for row in _rows(self.store, self.graph, "network_degrees")
                if isinstance(row["node"], ox.NamedNode)]
        rows.sort(key=lambda pair: (-pair[1], pair[0]))
        self.db.executemany("INSERT INTO network VALUES (?, ?, ?)",
                            ((self.term(node), n, pos) for pos, (node, n) in enumerate(rows)))

    def _counts(self) -> None:
        self.db.executemany("INSERT INTO class_counts VALUES (?, ?)",
                            ((self.term(r["class"].value), int(r["entities"].value))
                             for r in _rows(self.store, self.graph, "class_partitions")))
        self.db.executemany("INSERT INTO property_counts VALUES (?, ?)",
                            ((self.term(r["property"].value), int(r["triples"].value))
                             for r in _rows(self.store, self.graph, "property_partitions")))

    def _search(self, entities: list[str], names: dict[str, list[tuple[Name, int]]]) -> None:
        self.db.executemany(
            "INSERT INTO search (words, term, name, lang, alt) VALUES (?, ?, ?, ?, ?)",
            ((search_words(n.text), self.term(iri), n.text, n.lang, int(n.alt))
             for iri in entities for n, _ in names.get(iri, ())))


def _best_names(found: Iterable[tuple[Name, int]]) -> dict[str, str]:
    """``{lang: name}`` with the best ranked preferred name in each language (no alt names)."""
    best: dict[str, tuple[int, str]] = {}
    for name, rank in found:
        if not name.alt and (name.lang not in best or rank < best[name.lang][0]):
            best[name.lang] = (rank, name.text)
    return {lang: text for lang, (_, text) in best.items()}


def _label_text(names: dict[str, str], iri: str, lang: str) -> str:
    picked = pick(names, lang)
    return picked[0] if picked else local_name(iri)


def _sort_key(names: dict[str, str], iri: str, lang: str) -> tuple[str, str]:
    return fold(_label_text(names, iri, lang)), iri


def _kind(types: set[str], supers: dict[str, set[str]], sizes: dict[str, int]) -> str | None:
    """The most specific of an entity's types: none of its other types is a subclass of it;
    among several, the one with the fewest entities (then by IRI)."""
    specific = [t for t in types if not any(t in supers.get(other, ()) for other in types)]
    return min(specific, key=lambda t: (sizes.get(t, 0), t), default=None)


def _entity_facts(found: dict[str, list], kind: str | None) -> ListFacts:
    """One entity's list facts from its ``list_facts.rq`` rows: the best country source, the
    earliest date and start, the latest end, the first parent by IRI."""
    def iris(fact: str) -> list[str]:
        return sorted(v.value for v in found.get(fact, ()) if isinstance(v, ox.NamedNode))

    def dates(fact: str) -> list[str]:
        return sorted((v.value for v in found.get(fact, ()) if isinstance(v, ox.Literal)),
                      key=_date_key)

    country = next((iris(fact)[0] for fact in COUNTRY_FACTS if iris(fact)), None)
    ends = dates("end")
    return ListFacts(kind, country, next(iter(dates("date")), None),
                     next(iter(dates("start")), None), ends[-1] if ends else None,
                     next(iter(iris("parent")), None))


def _column_value(facts: ListFacts, column: str, cls: str) -> str | None:
    """What the list of ``cls`` shows in ``column`` for an entity (``None``: nothing); its type
    only when it is more specific than the list's class."""
    if column == "type":
        return facts.kind if facts.kind != cls else None
    if column == "date":
        return facts.date or facts.start
    return facts.country if column == "country" else facts.parent


def _column_key(shown: str | None, column: str, labels: dict[str, dict[str, str]],
                lang: str) -> tuple[bool, str]:
    """Sort key of a column's value: dates chronologically, others by name in ``lang``; an
    entity without a value comes last."""
    if shown is None:
        return True, ""
    if column == "date":
        return False, _date_key(shown)
    return False, fold(_label_text(labels.get(shown, {}), shown, lang))


def _one_line(text: str) -> str:
    """The first line of ``text``, cut at a word to ``DESCRIPTION_CHARS``."""
    line = text.strip().split("\n")[0].strip()
    if len(line) <= DESCRIPTION_CHARS:
        return line
    return line[:DESCRIPTION_CHARS].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def _date_key(value: str | None) -> str:
    """Dates of every precision sort together: "2023" before "2023-11" before "2023-11-24"."""
    return (value or "9999")[:10]


# -- reading ---------------------------------------------------------------------------------

class _Locked:
    """A connection shared by the threads that came after every connection was taken."""

    def __init__(self, db: sqlite3.Connection, lock: threading.Lock):
        self._db, self._lock = db, lock

    def execute(self, sql: str, args: tuple = ()) -> _Rows:
        with self._lock:
            return _Rows(self._db.execute(sql, args).fetchall())


class _Rows(list):
    """Rows read at once, with the cursor method the index uses."""

    def fetchone(self) -> tuple | None:
        return self[0] if self else None


class PageIndex:
    """One build's page index, read-only (opened ``immutable``: no locks, no journal).

    Its connections are all opened at once, when the build is opened: SQLite opens files by
    path, and a connection opened later would find the next build's file, or none once the old
    folder is deleted. Each thread takes one of them for good; threads beyond ``connections``
    share one more under a lock.
    """

    def __init__(self, path: Path | str, connections: int = INDEX_CONNECTIONS):
        self.path = str(path)
        uri = f"file:{self.path}?mode=ro&immutable=1"
        self._spare = [sqlite3.connect(uri, uri=True, check_same_thread=False)
                       for _ in range(connections + 1)]
        self._all = list(self._spare)
        self._shared = self._spare.pop()
        self._shared_lock = threading.Lock()
        self._local = threading.local()
        self._lock = threading.Lock()
        try:
            meta = dict(self._shared.execute("SELECT key, value FROM meta"))
        except sqlite3.Error:
            self.close()
            raise
        if meta.get("schema") != SCHEMA_VERSION:
            self.close()
            raise ValueError(f"{path}: page index of schema {meta.get('schema')!r}, this "
                             f"server reads {SCHEMA_VERSION!r}: run `cnc-kg build` again")
        self.version: str = meta["version"]
        self.graph_iri: str = meta["graph"]
        self.triples = int(meta["triples"])
        self.built: str | None = meta.get("date")      # ISO date of the build
        self.label = lru_cache(maxsize=LABEL_CACHE)(self._label)
        self.knows = lru_cache(maxsize=LABEL_CACHE)(self._knows)

    def _db(self) -> sqlite3.Connection | _Locked:
        db = getattr(self._local, "db", None)
        if db is None:
            with self._lock:
                db = self._spare.pop() if self._spare else _Locked(self._shared,
                                                                    self._shared_lock)
            self._local.db = db
        return db

    def close(self) -> None:
        """Close every connection (the index is no longer used by anyone)."""
        with self._lock:
            for db in self._all:
                db.close()
            self._all.clear()
            self._spare.clear()


    def _id(self, iri: str) -> int | None:
        row = self._db().execute("SELECT id FROM terms WHERE iri = ?", (iri,)).fetchone()
        return None if row is None else row[0]

    def _iris(self, sql: str, *args) -> list[URIRef]:
        return [URIRef(iri) for (iri,) in self._db().execute(sql, args)]

    # names ----------------------------------------------------------------------------------
    def names(self, iri: str) -> dict[str, str]:
        """``{lang: name}``: the best preferred name of ``iri`` in each language it has."""
        rows = self._db().execute(
            "SELECT n.lang, n.text, n.rank FROM names n JOIN terms t ON t.id = n.term "
            "WHERE t.iri = ? AND n.alt = 0 ORDER BY n.rank", (iri,))
        best: dict[str, str] = {}
        for lang, text, _ in rows:
            best.setdefault(lang, text)
        return best

    def all_names(self, iri: str) -> list[Name]:
        """Every name of ``iri``, preferred and alternative."""
        return [Name(text, lang, bool(alt)) for text, lang, alt in self._db().execute(
            "SELECT n.text, n.lang, n.alt FROM names n JOIN terms t ON t.id = n.term "
            "WHERE t.iri = ? ORDER BY n.rank, n.lang, n.text", (iri,))]

    def _label(self, iri: str, lang: str) -> Label:
        """The name of ``iri`` in ``lang`` (fallback order of ``languages``), else its IRI's
        last segment."""
        picked = pick(self.names(str(iri)), lang)
        return Label(*picked) if picked else Label(local_name(str(iri)))

    # types ----------------------------------------------------------------------------------
    def _knows(self, iri: str) -> bool:
        """Whether the graph types or names ``iri``."""
        return self._db().execute(
            "SELECT 1 FROM terms t WHERE t.iri = ? AND (EXISTS (SELECT 1 FROM types WHERE "
            "term = t.id) OR EXISTS (SELECT 1 FROM names WHERE term = t.id))",
            (str(iri),)).fetchone() is not None

    def types(self, iri: str) -> list[URIRef]:
        """The classes ``iri`` is typed with, sorted."""
        return sorted(self._iris("SELECT c.iri FROM types ty JOIN terms t ON t.id = ty.term "
                                 "JOIN terms c ON c.id = ty.class WHERE t.iri = ?", str(iri)))

    def superclasses(self, cls: str) -> list[URIRef]:
        """Every superclass of ``cls`` (transitively)."""
        return self._iris("SELECT s.iri FROM superclasses x JOIN terms c ON c.id = x.class "
                          "JOIN terms s ON s.id = x.super WHERE c.iri = ?", str(cls))

    def is_a(self, iri: str, cls: str) -> bool:
        """Whether ``iri`` is typed ``cls`` or one of its subclasses."""
        return any(t == URIRef(cls) or URIRef(cls) in self.superclasses(t)
                   for t in self.types(iri))

    # lists ----------------------------------------------------------------------------------
    def instances(self, cls: str, limit: int | None = None) -> list[URIRef]:
        """The entities typed ``cls`` itself, by IRI (the first ``limit``)."""
        return self._iris("SELECT t.iri FROM types ty JOIN terms c ON c.id = ty.class "
                          "JOIN terms t ON t.id = ty.term WHERE c.iri = ? AND t.entity = 1 "
                          "ORDER BY t.id LIMIT ?", str(cls), -1 if limit is None else limit)

    def member_count(self, cls: str) -> int:
        """How many entities are typed ``cls`` or a subclass of it."""
        row = self._db().execute("SELECT m.deep FROM member_counts m JOIN terms c ON "
                                 "c.id = m.class WHERE c.iri = ?", (str(cls),)).fetchone()
        return 0 if row is None else row[0]

    def list_classes(self) -> dict[URIRef, tuple[int, int]]:
        """``{class: (entities typed with it, with it or a subclass)}`` for every class that
        has entities."""
        return {URIRef(iri): (direct, deep) for iri, direct, deep in self._db().execute(
            "SELECT c.iri, m.direct, m.deep FROM member_counts m JOIN terms c ON "
            "c.id = m.class")}

    def entity_count(self) -> int:
        """How many entities (typed resources of a data namespace) the graph has."""
        return self._db().execute("SELECT count(*) FROM terms WHERE entity = 1").fetchone()[0]

    def entities(self, offset: int = 0, limit: int | None = None) -> list[URIRef]:
        """Entities by IRI, from ``offset``."""
        return self._iris("SELECT iri FROM terms WHERE entity = 1 ORDER BY id LIMIT ? OFFSET ?",
                          -1 if limit is None else limit, offset)

    def class_counts(self) -> dict[URIRef, int]:
        """``{class: distinct resources typed with it}`` (VoID class partitions)."""
        return {URIRef(iri): n for iri, n in self._db().execute(
            "SELECT t.iri, c.n FROM class_counts c JOIN terms t ON t.id = c.class")}

    def property_counts(self) -> dict[URIRef, int]:
        """``{property: triples using it}`` (VoID property partitions)."""
        return {URIRef(iri): n for iri, n in self._db().execute(
            "SELECT t.iri, p.n FROM property_counts p JOIN terms t ON t.id = p.property")}

    # class lists: columns, sorted members, facts --------------------------------------------
    def list_columns(self, cls: str) -> list[str]:
        """The columns of ``LIST_COLUMNS`` (in that order) the list of ``cls`` shows: those
        some of its entities have a value in."""
        found = {col for (col,) in self._db().execute(
            "SELECT l.col FROM list_columns l JOIN terms c ON c.id = l.class WHERE c.iri = ?",
            (str(cls),))}
        return [col for col in LIST_COLUMNS if col in found]

    def sorted_members(self, cls: str, lang: str, column: str, descending: bool = False,
                       offset: int = 0, limit: int | None = None) -> list[URIRef]:
        """Entities of ``cls`` or its subclasses sorted by ``column`` ("name" or one of its
        ``list_columns``; entities without a value last), then by name in ``lang``; with
        ``descending``, the same list from its end."""
        found = self._db().execute("SELECT m.class, m.deep FROM member_counts m JOIN terms c "
                                   "ON c.id = m.class WHERE c.iri = ?", (str(cls),)).fetchone()
        if found is None:
            return []
        cls_id, total = found
        end = total if limit is None else min(total, offset + limit)
        start, end = (total - end, total - offset) if descending else (offset, end)
        if start >= end:
            return []
        first, last = start // CHUNK, (end - 1) // CHUNK
        if column == "name":
            rows = self._db().execute(
                "SELECT terms FROM members WHERE class = ? AND lang = ? AND chunk BETWEEN ? "
                "AND ? ORDER BY chunk", (cls_id, _lang(lang), first, last))
        else:
            rows = self._db().execute(
                "SELECT terms FROM member_order WHERE class = ? AND lang = ? AND col = ? AND "
                "chunk BETWEEN ? AND ? ORDER BY chunk", (cls_id, _lang(lang), column, first, last))
        ids = _unpacked(blob for (blob,) in rows)[start - first * CHUNK:end - first * CHUNK]
        if descending:
            ids.reverse()
        return self._iris_of(ids)

    def _iris_of(self, ids: Sequence[int]) -> list[URIRef]:
        """The IRIs of term ``ids``, in their order."""
        found: dict[int, str] = {}
        for start in range(0, len(ids), IDS_PER_QUERY):
            batch = ids[start:start + IDS_PER_QUERY]
            found.update(self._db().execute(
                f"SELECT id, iri FROM terms WHERE id IN ({','.join('?' * len(batch))})",
                tuple(batch)))
        return [URIRef(found[i]) for i in ids]

    def list_facts(self, iris: Iterable[str]) -> dict[URIRef, ListFacts]:
        """What the class lists show beside each of ``iris`` (entities only)."""
        wanted = [str(iri) for iri in iris]
        found = {}
        for start in range(0, len(wanted), 500):       # SQLite's bound-parameter limit
            batch = wanted[start:start + 500]
            for iri, kind, country, date, begin, end, parent in self._db().execute(
                    'SELECT t.iri, k.iri, c.iri, f.date, f.start, f."end", p.iri FROM facts f '
                    "JOIN terms t ON t.id = f.term LEFT JOIN terms k ON k.id = f.kind "
                    "LEFT JOIN terms c ON c.id = f.country LEFT JOIN terms p ON p.id = f.parent "
                    f"WHERE t.iri IN ({', '.join('?' * len(batch))})", tuple(batch)):
                found[URIRef(iri)] = ListFacts(*(None if v is None else URIRef(v)
                                                 for v in (kind, country)), date, begin, end,
                                               None if parent is None else URIRef(parent))
        return found

    def descriptions(self, iri: str) -> dict[str, str]:
        """``{lang: one line}`` of the description of ``iri`` in each language it has."""
        return dict(self._db().execute(
            "SELECT d.lang, d.text FROM descriptions d JOIN terms t ON t.id = d.term "
            "WHERE t.iri = ?", (str(iri),)))

    # timeline and network -------------------------------------------------------------------
    def dated_count(self) -> int:
        """How many agreements and events have a date."""
        return self._db().execute("SELECT count(*) FROM dated WHERE lang = 'en'").fetchone()[0]

    def dated(self, lang: str, offset: int = 0, limit: int | None = None,
              events_only: bool = False) -> list[Dated]:
        """Dated agreements and events by date, then name in ``lang``."""
        return [Dated(URIRef(iri), date, start, end) for iri, date, start, end in
                self._db().execute(
                    'SELECT t.iri, d.date, d.start, d."end" FROM dated d JOIN terms t ON '
                    "t.id = d.term WHERE d.lang = ? AND d.event >= ? ORDER BY d.pos "
                    "LIMIT ? OFFSET ?",
                    (_lang(lang), int(events_only), -1 if limit is None else limit, offset))]

    def latest_events(self, lang: str, count: int) -> list[Dated]:
        """The ``count`` latest dated events, newest first."""
        return [Dated(URIRef(iri), date, start, end) for iri, date, start, end in
                self._db().execute(
                    'SELECT t.iri, d.date, d.start, d."end" FROM dated d JOIN terms t ON '
                    "t.id = d.term WHERE d.lang = ? AND d.event = 1 ORDER BY d.pos DESC "
                    "LIMIT ?", (_lang(lang), count))]

    def best_connected_nodes(self, limit: int) -> tuple[list[URIRef], int]:
        """The ``limit`` nodes with the most partners (ties by IRI) and the number of nodes."""
        total = self._db().execute("SELECT count(*) FROM network").fetchone()[0]
        return self._iris("SELECT t.iri FROM network n JOIN terms t ON t.id = n.node "
                          "ORDER BY n.pos LIMIT ?", limit), total

    # search ---------------------------------------------------------------------------------
    def name_matches(self, text: str, limit: int) -> list[tuple[URIRef, Name]]:
        """Entity names that are ``text`` or start with it (folded): the first ``limit`` in
        folded order (the name itself first, a range read of the index however many names
        share the prefix), shortest first."""
        folded = fold(text)
        if not folded:
            return []
        upper = folded[:-1] + chr(ord(folded[-1]) + 1)
        found = self._db().execute(
            "SELECT t.iri, n.text, n.lang, n.alt FROM names n JOIN terms t ON t.id = n.term "
            "WHERE n.folded >= ? AND n.folded < ? AND t.entity = 1 ORDER BY n.folded LIMIT ?",
            (folded, upper, limit)).fetchall()
        return [(URIRef(iri), Name(name, lang, bool(alt))) for iri, name, lang, alt in
                sorted(found, key=lambda row: len(row[1]))]

    def word_matches(self, text: str, limit: int = SEARCH_CANDIDATES, every: bool = True
                     ) -> list[tuple[URIRef, Name]]:
        """Entity names containing every word of ``text`` (or, unless ``every``, any one of
        them) as a word prefix (any order; runs of Chinese characters anywhere), at most
        ``limit``."""
        expression = _match_expression(text, every)
        if expression is None:
            return []
        return [(URIRef(iri), Name(name, lang, bool(alt))) for iri, name, lang, alt in
                self._db().execute(
                    "SELECT t.iri, s.name, s.lang, s.alt FROM search s JOIN terms t ON "
                    "t.id = s.term WHERE search MATCH ? " + ("" if every else "ORDER BY rank ")
                    + "LIMIT ?", (expression, limit))]

    def text_matches(self, text: str, limit: int = SEARCH_CANDIDATES) -> list[URIRef]:
        """Entities whose description holds every word of ``text`` as a word prefix (any
        order), best matches first, at most ``limit``."""
        expression = _match_expression(text)
        if expression is None:
            return []
        return self._iris("SELECT DISTINCT t.iri FROM (SELECT term, rank FROM search_text "
                          "WHERE search_text MATCH ? ORDER BY rank LIMIT ?) s "
                          "JOIN terms t ON t.id = s.term", expression, limit)

    def entity_names(self) -> Iterator[tuple[URIRef, Name]]:
        """Every name of every entity (for scans of small graphs only)."""
        for iri, text, lang, alt in self._db().execute(
                "SELECT t.iri, n.text, n.lang, n.alt FROM names n JOIN terms t ON "
                "t.id = n.term WHERE t.entity = 1 ORDER BY t.id"):
            yield URIRef(iri), Name(text, lang, bool(alt))


def _lang(lang: str) -> str:
    """One of the index's languages (lists are sorted for each of them)."""
    return lang if lang in LANGUAGES else primary(lang) if primary(lang) in LANGUAGES else "en"
