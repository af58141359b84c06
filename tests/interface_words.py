"""English interface words on a Chinese page: the interface text of a page in Chinese must
hold none of the English words of the interface (every English UI string and our English names
of other vocabularies' terms, less the words the Chinese strings use too: SPARQL, RDF, JSON…).

Interface text is the text that inherits the page's language: a value of the data carries its
own ``lang`` (or ``translate="no"`` when it has none) and code is code, so neither is checked.

Acronyms (all capitals) and words with digits are names or codes, never interface words.
Shared by the link crawl (every Chinese page as served) and the browser test (the query page
as its script filled it).
"""

from __future__ import annotations

import re
from functools import cache
from html.parser import HTMLParser

from server.services.i18n import EXTERNAL_NAMES, MONTHS, UI

_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
VOID_ELEMENTS = frozenset(("area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                           "meta", "source", "track", "wbr"))
NOT_TEXT = frozenset(("head", "script", "style", "code", "pre", "textarea", "kbd", "samp"))
CHECKED_ATTRIBUTES = ("aria-label", "placeholder", "title", "alt")


@cache
def english_interface_words() -> frozenset[str]:
    """Lower-cased English words of the interface that its Chinese strings never use."""
    def words(texts) -> set[str]:
        return {w.lower() for text in texts for w in _WORD.findall(text)}
    english = words(v["en"] for v in (*UI.values(), *EXTERNAL_NAMES.values())) \
        | words(MONTHS["en"])
    chinese = words(v["zh"] for v in (*UI.values(), *EXTERNAL_NAMES.values()))
    return frozenset(english - chinese)


class _ChineseText(HTMLParser):
    """Texts and checked attributes of a Chinese page's elements that inherit its language."""

    def __init__(self, page_lang: str):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._open: list[tuple[str, bool]] = []     # (tag, its text is checked)
        self._page_lang = page_lang

    def _checked(self) -> bool:
        return self._open[-1][1] if self._open else self._page_lang == "zh"

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        checked = self._checked()
        if tag == "html":
            checked = (attrs.get("lang") or "").split("-")[0].lower() == "zh"
        elif "lang" in attrs or tag in NOT_TEXT or attrs.get("translate") == "no":
            checked = False
        if checked:
            self.found += [attrs[a] for a in CHECKED_ATTRIBUTES if attrs.get(a)]
        if tag not in VOID_ELEMENTS:
            self._open.append((tag, checked))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS:
            self._open.pop()

    def handle_endtag(self, tag):
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:
                del self._open[i:]
                break

    def handle_data(self, data):
        if self._checked() and data.strip():
            self.found.append(data)


def english_words_on_chinese_page(html: str) -> list[str]:
    """The English interface words of ``html`` where it is Chinese (a whole page, or a part of
    a page whose ``<html lang>`` is zh)."""
    match = re.search(r'<html[^>]*\blang="([^"]*)"', html)
    parser = _ChineseText(match.group(1) if match else "zh")
    parser.feed(html)
    vocabulary = english_interface_words()
    return sorted({word for text in parser.found for word in _WORD.findall(text)
                   if not word.isupper() and word.lower() in vocabulary})
