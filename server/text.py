"""Text as search, sorting and matching compare it: one folding for every layer."""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[^\w]+")


def fold(text: str) -> str:
    """Lower-case, accent-free, NFKD-normalised text ("Énergie" -> "energie", "ＣＮＣ" -> "cnc")."""
    if text.isascii():      # most names: nothing to decompose, and casefold is lower
        return text.lower().strip()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def words(text: str) -> str:
    """``fold`` with punctuation and runs of spaces made single spaces ("Académie des
    Sciences!" -> "academie des sciences")."""
    return " ".join(_NOT_WORD.sub(" ", fold(text)).split())
