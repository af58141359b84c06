"""Every word of the interface in French, English and Chinese (issue 12): each UI string and
each of our names of other vocabularies' terms exists in the three languages with the same
placeholders; templates write no word of their own (only technical names); every term of
another vocabulary a page shows is named by us; dates, spans, numbers and sizes are written the
reader's way; the check for English words on Chinese pages finds what it must."""

from __future__ import annotations

import re
import string
from html.parser import HTMLParser
from pathlib import Path

import pytest
from interface_words import english_words_on_chinese_page
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF

from server.config import DATA_NS, ONTOLOGY_NS
from server.languages import LANGUAGES
from server.services.entity import IDENTIFIERS, NOT_IN_GROUPS
from server.services.i18n import (
    EXTERNAL_NAMES,
    UI,
    format_date_range,
    format_number,
    format_size,
    language_badge,
)

TEMPLATES = Path(__file__).resolve().parent.parent / "server" / "templates"
# Names that are the same in every language: formats, standards, units, the licence.
TECHNICAL = frozenset(("SPARQL", "RDF", "JSON", "VoID", "DCAT", "SHACL", "SVG", "Atom", "UTC",
                       "CC", "BY", "sitemap", "xml", "v"))


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("table", [UI, EXTERNAL_NAMES], ids=["UI", "EXTERNAL_NAMES"])
def test_every_string_in_three_languages(table):
    missing = [f"{key} ({lang})" for key, texts in table.items() for lang in LANGUAGES
               if not (texts.get(lang) or "").strip()]
    assert not missing, missing
    mismatched = [key for key, texts in table.items()
                  if len({frozenset(_placeholders(texts[lang])) for lang in LANGUAGES}) > 1]
    assert not mismatched, f"placeholders differ between languages: {mismatched}"


class _TemplateText(HTMLParser):
    """A template's own words: its text and the attributes people read, outside code."""

    CODE = ("script", "style", "code", "pre")

    def __init__(self):
        super().__init__()
        self.words: set[str] = set()
        self._code = 0

    def handle_starttag(self, tag, attrs):
        self._code += tag in self.CODE
        for name, value in attrs:
            if name in ("aria-label", "placeholder", "title", "alt") and value:
                self.handle_data(value)

    def handle_endtag(self, tag):
        self._code -= tag in self.CODE

    def handle_data(self, data):
        if not self._code:
            self.words |= set(re.findall(r"[A-Za-z][A-Za-z-]*", data))


@pytest.mark.parametrize("template", sorted(p.relative_to(TEMPLATES).as_posix()
                                            for p in TEMPLATES.rglob("*.*")))
def test_templates_write_no_word_of_their_own(template):
    """Every word a page shows comes from services/i18n.py (or the data)."""
    text = (TEMPLATES / template).read_text("utf-8")
    for jinja in (r"\{#.*?#\}", r"\{%.*?%\}", r"\{\{.*?\}\}"):
        text = re.sub(jinja, " ", text, flags=re.S)
    parser = _TemplateText()
    parser.feed(text)
    assert parser.words <= TECHNICAL, sorted(parser.words - TECHNICAL)


def test_every_term_of_another_vocabulary_a_page_shows_is_named(dump_path):
    """Types, properties and values of the entities that no one of our vocabularies names get
    our name in three languages (issue 12: "Person", "Membership", "member" on zh pages)."""
    graph = Graph().parse(dump_path, format="nt")
    named = {s for s, p, _ in graph if p in (URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
                                            URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"))}
    shown = set()
    for s, p, o in graph:
        if not str(s).startswith(DATA_NS):
            continue
        if p not in NOT_IN_GROUPS or p == RDF.type:
            shown.add(p)
        if isinstance(o, URIRef) and p not in (*IDENTIFIERS, DCTERMS.source) \
                and not str(o).startswith(DATA_NS):
            shown.add(o)
    assert shown & set(EXTERNAL_NAMES), "no term of another vocabulary shown: nothing checked"
    unnamed = sorted(str(t) for t in shown - named - set(EXTERNAL_NAMES)
                     if not str(t).startswith(ONTOLOGY_NS))
    assert not unnamed, unnamed


@pytest.mark.parametrize(("start", "end", "said"), [
    ("2025-12-03", "2025-12-05", ("3–5 décembre 2025", "3–5 December 2025", "2025年12月3日至5日")),
    ("2025-11-28", "2025-12-02", ("28 novembre – 2 décembre 2025", "28 November – 2 December 2025",
                                  "2025年11月28日至12月2日")),
    ("2024-12-30", "2025-01-02", ("30 décembre 2024 – 2 janvier 2025",
                                  "30 December 2024 – 2 January 2025",
                                  "2024年12月30日至2025年1月2日")),
    ("2019", "2023", ("2019–2023", "2019–2023", "2019年至2023年")),
    ("2025-11", "2025-12", ("novembre – décembre 2025", "November – December 2025",
                            "2025年11月至12月")),
    ("2025-03-01", "2025-03-01", ("1er mars 2025", "1 March 2025", "2025年3月1日")),
    ("2025", "2025-12-03", ("2025 – 3 décembre 2025", "2025 – 3 December 2025",
                            "2025年至2025年12月3日")),
])
def test_date_spans_are_written_once(start, end, said):
    assert tuple(format_date_range(start, end, lang) for lang in ("fr", "en", "zh")) == said


@pytest.mark.parametrize(("lang", "number", "size"), [
    ("fr", "3\u202f938", "192,6 ko"), ("en", "3,938", "192.6 kB"), ("zh", "3,938", "192.6 kB")])
def test_numbers_and_sizes_the_readers_way(lang, number, size):
    assert format_number(3938, lang) == number
    assert format_size(192_590, lang) == size
    assert format_size(983, lang).startswith("983 ")


def test_a_value_in_another_language_says_which():
    assert language_badge("en", "zh") == "英文"
    assert language_badge("fr", "en") == "French"
    assert language_badge("zh-Hans", "fr") == "chinois"
    assert language_badge("en", "en") == language_badge("", "fr") == ""


def test_english_words_on_a_chinese_page_are_found():
    page = ('<html lang="zh"><head><title>Person</title></head><body>'
            '<p>类型 Person</p><span lang="en">Person of the data</span>'
            '<span translate="no">Type</span><code>text/turtle</code>'
            '<input placeholder="Search"><p>SPARQL 端点 · CNC · E2P2L</p></body></html>')
    assert english_words_on_chinese_page(page) == ["Person", "Search"]
    assert english_words_on_chinese_page(page.replace('lang="zh"', 'lang="en"')) == []
