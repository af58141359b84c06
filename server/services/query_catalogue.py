"""The public query catalogue: every ``queries/*.rq`` with the question its header comment asks.

The header gives the question per language either as ``# en: …`` / ``# fr: …`` / ``# zh: …``
lines, or as ``# CQ2 — …`` lines in the order English, French, Chinese (issue 2's convention);
the whole leading comment is kept as the query's explanation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from server.languages import pick

LANGUAGES = ("en", "fr", "zh")
_LANG_LINE = re.compile(
    r"^(?:question\s*)?[\[(]?(en|fr|zh)[\])]?\s*[:：]\s*(.*)$", re.IGNORECASE)
_NUMBERED_LINE = re.compile(r"^CQ\s*\d+\s*[—–:-]\s*(.+)$", re.IGNORECASE)


@dataclass(frozen=True)
class CatalogueQuery:
    """One query of the catalogue."""

    name: str                                   # file stem, e.g. "cq-05-steering-ministries"
    text: str                                   # the whole file
    questions: dict[str, str] = field(default_factory=dict)   # lang -> question
    comment: str = ""                           # the leading comment, without '#'


def _header(text: str) -> list[str]:
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            break
        lines.append(stripped.lstrip("#").strip())
    return lines


def parse_query_file(path: Path) -> CatalogueQuery:
    """Read one ``.rq`` file and its header comment."""
    text = path.read_text("utf-8")
    header = _header(text)
    questions: dict[str, str] = {}
    current = None
    numbered = iter(LANGUAGES)
    for line in header:
        match = _LANG_LINE.match(line)
        numbered_match = _NUMBERED_LINE.match(line)
        if numbered_match and not match:
            current = next(numbered, None)
            if current:
                questions[current] = numbered_match.group(1).strip()
        elif match:
            current = match.group(1).lower()
            questions[current] = match.group(2).strip()
        elif current and line and not re.match(r"^[\w ()]+\s*:", line):
            questions[current] = f"{questions[current]} {line}".strip()
        else:
            current = None
    if not questions and header:
        questions["en"] = next((line for line in header if line), "")
    return CatalogueQuery(path.stem, text, {k: v for k, v in questions.items() if v},
                          "\n".join(header).strip())


def catalogue_questions(folder: Path, lang: str) -> list[tuple[CatalogueQuery, tuple[str, str]]]:
    """Each query of ``folder`` that asks a question, with the question in ``lang`` (or the
    next language of its fallback order) and that language."""
    return [(q, picked) for q in load_catalogue(folder)
            if (picked := pick(q.questions, lang)) is not None]


def load_catalogue(folder: Path) -> list[CatalogueQuery]:
    """Every ``.rq`` of ``folder``, by file name."""
    if not folder.is_dir():
        return []
    return [parse_query_file(path) for path in sorted(folder.glob("*.rq"))]
