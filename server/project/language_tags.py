"""Language tags checked against the text they tag (RDF 1.1 language-tagged strings, BCP 47:
https://www.w3.org/TR/rdf11-concepts/#section-Graph-Literal).

A tag states the language of the text itself, so three contradictions are reported:

* ``han-under-latin``: text written mostly in Chinese script tagged ``@fr`` or ``@en``;
* ``no-cjk``: text under ``@zh`` (or ``@ja``) without a single Chinese character, and Japanese
  kana under ``@zh``;
* ``identifier``: a language identifier's confident verdict that French or English prose is in
  the other language ("Peking University"@fr).

The identifier is lingua (https://github.com/pemistahl/lingua-py): offline, its models ship in
the wheel, and it is built for short texts such as names. It is imported on first use only
(loading the French and English models takes about 0.3 s), so nothing here slows the web server,
which never imports this module. Names of people are not evidence of a language: they are
skipped as labels and removed from other texts before identification.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import FOAF, RDF, RDFS, SKOS
from rdflib.term import Node

# Rule names, also the ``shape`` column of report entries ("(language) …").
HAN_UNDER_LATIN = "han-under-latin"
NO_CJK = "no-cjk"
KANA_UNDER_ZH = "kana-under-zh"
IDENTIFIER = "identifier"
SHAPE_PREFIX = "(language) "

# The identifier's verdict counts only at or above this confidence (0-1, French vs English).
# Measured on this repository's labels: true mismatches score 0.81-1.0; the nearest correct
# texts ("Dialogue session"@en, "Administrative arrangement"@en) score 0.74 and 0.65.
CONFIDENT = 0.8
# Prose has at least this many words of two letters or more (after removing people's names).
MIN_WORDS = 2

IDENTIFIED = {"fr": "French", "en": "English"}
LANGUAGE_NAMES = {"fr": "French", "en": "English", "zh": "Chinese", "ja": "Japanese"}
NAME_PREDICATES = (RDFS.label, SKOS.prefLabel, SKOS.altLabel, FOAF.name)

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef]")
_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_WORD = re.compile(r"[^\W\d_]{2,}")
_DIGITS = re.compile(r"\d+")
_TOKEN = re.compile(r"\w+")
_URL = re.compile(r"\b(?:https?://\S+|[\w-]+(?:\.[\w-]+)+/?\S*)")


@dataclass(frozen=True)
class Mismatch:
    """A literal whose language tag its text contradicts."""

    subject: Node
    predicate: URIRef
    literal: Literal
    rule: str
    message: str


def primary(tag: str | None) -> str:
    """The primary subtag, lower-cased: "zh-Hans" -> "zh"."""
    return (tag or "").split("-")[0].lower()


def script_mismatch(text: str, tag: str) -> tuple[str, str] | None:
    """``(rule, message)`` when the script of ``text`` contradicts ``tag``, else ``None``."""
    lang = primary(tag)
    han, latin = len(_HAN.findall(text)), len(_LATIN.findall(text))
    if lang in IDENTIFIED and han > latin:
        return HAN_UNDER_LATIN, (
            f"text in Chinese script tagged @{tag}: tag it @zh (a name known only in Chinese is "
            "recorded once, under @zh, never copied under another tag)")
    if lang in ("zh", "ja") and not han and not _KANA.search(text):
        return NO_CJK, (
            f"no Chinese character under @{tag}: a {LANGUAGE_NAMES[lang]} name is written in "
            "its own script; a Latin-script name takes the tag of its own language")
    if lang == "zh" and _KANA.search(text):
        return KANA_UNDER_ZH, "Japanese kana under @zh: Japanese text is tagged @ja"
    return None


class Names:
    """People's names, found in a text by its runs of words: looking each name up would cost
    the number of names for every literal (a 1M-triple graph has 100k names and 500k
    literals)."""

    def __init__(self, names: Iterable[str] = ()):
        self._names: dict[tuple[str, ...], str] = {}
        for name in names:
            words = tuple(_TOKEN.findall(name))
            if words:
                self._names.setdefault(words, name)
        self._longest = max((len(w) for w in self._names), default=0)

    def without(self, text: str) -> str:
        """``text`` with every name it holds replaced by a space (longest names first)."""
        if not self._names:
            return text
        words = _TOKEN.findall(text)
        found = {self._names[run] for size in range(1, self._longest + 1)
                 for start in range(len(words) - size + 1)
                 if (run := tuple(words[start:start + size])) in self._names}
        for name in sorted(found, key=len, reverse=True):
            text = text.replace(name, " ")
        return text


def prose(text: str, names: Names | Iterable[str] = ()) -> str:
    """What the identifier should read: ``text`` without people's names, web addresses,
    digits and Chinese or Japanese characters (quoted Chinese does not make a French sentence
    Chinese; a number is no evidence of a language)."""
    text = (names if isinstance(names, Names) else Names(names)).without(text)
    text = _URL.sub(" ", text)
    return _DIGITS.sub(" ", _KANA.sub(" ", _HAN.sub(" ", text)))


@lru_cache(maxsize=1)
def _detector():
    """lingua's French/English detector, built and its models loaded on first use."""
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(Language.FRENCH, Language.ENGLISH).build()


@lru_cache(maxsize=65_536)
def identify(text: str) -> tuple[str, float]:
    """``(language, confidence)`` of the likelier of French and English for ``text``."""
    best = _detector().compute_language_confidence_values(text)[0]
    return best.language.iso_code_639_1.name.lower(), best.value


def identifier_mismatch(text: str, tag: str, names: Names | Iterable[str] = (),
                        threshold: float = CONFIDENT) -> tuple[str, str] | None:
    """``(rule, message)`` when French or English prose confidently reads as the other one."""
    lang = primary(tag)
    if lang not in IDENTIFIED:
        return None
    readable = prose(text, names)
    if len(_WORD.findall(readable)) < MIN_WORDS:
        return None
    found, confidence = identify(readable)
    if found == lang or confidence < threshold:
        return None
    return IDENTIFIER, (
        f"reads as {IDENTIFIED[found]} (identifier confidence {confidence:.2f}), not "
        f"{IDENTIFIED[lang]}: tag the text @{found}; a name that exists in one language only "
        "is recorded once, under its own language, and never copied under another tag")


def check_graph(graph: Graph | Iterable[Graph], identifier: bool = True) -> list[Mismatch]:
    """Every language-tagged literal of ``graph`` (or of several graphs) whose tag its text
    contradicts, in no particular order.

    ``identifier=False`` applies the script rules only (no model is loaded).
    """
    graphs = [graph] if isinstance(graph, Graph) else list(graph)
    literals = [(s, str(p), o) for g in graphs
                for s, p, o in g.triples((None, None, None)) if isinstance(o, Literal)]
    people = {str(s) for g in graphs for s in g.subjects(RDF.type, FOAF.Person)}
    return _check(literals, people, identifier)


def check_quads(quads: Iterable[ox.Quad], identifier: bool = True) -> list[Mismatch]:
    """``check_graph`` over the triples as pyoxigraph parsed them (a project of a million
    triples is checked without making rdflib terms, except for what is reported)."""
    rdf_type, person = ox.NamedNode(str(RDF.type)), ox.NamedNode(str(FOAF.Person))
    literals, people = [], set()
    for quad in quads:
        term = quad.object
        if isinstance(term, ox.Literal):
            subject = quad.subject
            literals.append((URIRef(subject.value) if isinstance(subject, ox.NamedNode)
                             else BNode(subject.value), quad.predicate.value,
                             Literal(term.value, lang=term.language or None)))
        elif term == person and quad.predicate == rdf_type:
            people.add(quad.subject.value)
    return _check(literals, people, identifier)


def _check(literals: list[tuple[Node, str, Literal]], people: set[str],
           identifier: bool) -> list[Mismatch]:
    """The check over the ``(subject, predicate IRI, literal)`` triples of a graph;
    ``people``: the IRIs of its people."""
    kinds = {str(p) for p in NAME_PREDICATES}
    names = Names(str(o) for s, p, o in literals if str(s) in people and p in kinds)
    found = []
    for subject, predicate, obj in literals:
        tag = obj.language
        if not tag:
            continue
        text = str(obj)
        verdict = script_mismatch(text, tag)
        personal_name = str(subject) in people and predicate in kinds
        if verdict is None and identifier and not personal_name:
            verdict = identifier_mismatch(text, tag, names)
        if verdict is not None:
            found.append(Mismatch(subject, URIRef(predicate), obj, *verdict))
    return found


def turtle_line(text: str, start_line: int, literal: Literal) -> int | None:
    """The line (1-based) of ``literal`` in Turtle ``text``, searching from ``start_line``.

    The literal is looked for as Turtle writes it (quotes and backslashes escaped); ``None``
    when it is not found (written with other escapes, or in another file).
    """
    value = str(literal)
    written = value.replace("\\", "\\\\").replace('"', '\\"')
    tagged = f'"{written}"@{literal.language}' if literal.language else None
    first = f'"{written.split(chr(10))[0]}'
    lines = text.split("\n")
    for needles in ([tagged] if tagged else [], [first]):  # with its tag first, then its text
        for number in range(max(start_line, 1), len(lines) + 1):
            if any(needle in lines[number - 1] for needle in needles):
                return number
    return None


def located(mismatches: Iterable[Mismatch], origins: dict[URIRef, tuple[Path, int]]
            ) -> Iterator[tuple[Mismatch, Path | None, int | None]]:
    """Each mismatch with the file and line of its literal (else of its subject's block)."""
    texts: dict[Path, str] = {}
    for mismatch in mismatches:
        origin = origins.get(mismatch.subject) if isinstance(mismatch.subject, URIRef) else None
        if origin is None:
            yield mismatch, None, None
            continue
        path, start = origin
        if path not in texts:
            texts[path] = path.read_text(encoding="utf-8")
        yield mismatch, path, turtle_line(texts[path], start, mismatch.literal) or start


def report_entries(project, root: Path) -> list:
    """Warnings for ``cnc-kg validate``: one ``report_format.Entry`` per mismatch in the
    project's data and ontology, placed at the literal's file and line."""
    from server.namespaces import bind_prefixes
    from server.project.report import Entry, compact, relative

    prefixes = bind_prefixes(Graph())
    return [
        Entry(severity="Warning", focus_node=compact(prefixes, m.subject),
              file=relative(path, root) if path else None, line=line,
              path=compact(prefixes, m.predicate), value=f"{m.literal}@{m.literal.language}",
              message=m.message, shape=SHAPE_PREFIX + m.rule)
        for m, path, line in located(
            check_quads([*project.triples["data"], *project.triples["ontology"]]),
            project.origins)
    ]
