"""The three languages of the graph's pages and the order a name falls back in when it lacks the
reader's language (shared by the page index, which sorts lists by name, and the pages)."""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES = ("fr", "en", "zh")
DEFAULT_LANGUAGE = "en"

# When a label is missing in the reader's language, the next one in this order is shown.
FALLBACK = {"fr": ("fr", "en", "zh"), "en": ("en", "fr", "zh"), "zh": ("zh", "en", "fr")}


def primary(tag: str | None) -> str:
    """The primary subtag of a language tag, lower-cased ("zh-Hans" -> "zh"); "" if none."""
    return (tag or "").split("-")[0].lower()


def pick(texts: Mapping[str, str], lang: str) -> tuple[str, str] | None:
    """``(text, its language tag)`` from ``{tag: text}`` following the fallback order of ``lang``.

    An untagged text comes after the three languages; any other language after that.
    """
    if not texts:
        return None
    by_primary: dict[str, str] = {}
    for tag in sorted(texts):
        by_primary.setdefault(primary(tag), tag)
    for wanted in (*FALLBACK.get(lang, LANGUAGES), ""):
        tag = by_primary.get(wanted)
        if tag is not None:
            return texts[tag], tag
    tag = sorted(texts)[0]
    return texts[tag], tag
