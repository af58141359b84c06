"""Declared figures beside what the graph records, as the home page and the quality dashboard
both show them: one source for both, the build's report (``dist/quality.json``, written by
``server.project.quality``), said in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef

from server.namespaces import CNC
from server.services.i18n import format_date, format_number, ui
from server.services.index import GraphIndex, Label
from server.services.names import name as name_of
from server.text import fold

# Qualifiers said before the number ("environ 80", "over 320", "约 80"); others follow it.
BEFORE_NUMBER = frozenset((CNC.QualifierAbout, CNC.QualifierOver))


@dataclass(frozen=True)
class Figure:
    """A declared figure beside what the graph records."""

    measure: URIRef
    measure_label: Label
    declared: str            # the number with its qualifier, in the reader's language
    as_of: str               # the date the source gives, in the reader's language ("" if none)
    source: URIRef | None
    recorded: int | None     # None: the graph records nothing to count for this measure


def declared_text(value: int, qualifier: URIRef | None, index: GraphIndex, lang: str) -> str:
    """"environ 80", "over 320", "9 (plus one, unexplained)": the number with the name of its
    qualifier (a concept of cnc:ValueQualifiers) in ``lang``."""
    number = format_number(value, lang)
    if qualifier is None:
        return number
    said = name_of(index, qualifier, lang).text
    pattern = "figure_before" if qualifier in BEFORE_NUMBER else "figure_after"
    return ui(lang)[pattern].format(value=number, qualifier=said)


def figures(report: dict | None, index: GraphIndex, lang: str) -> list[Figure]:
    """The declared figures of the build's quality report, by measure name then date."""
    rows = []
    for figure in (report or {}).get("figures", []):
        measure = URIRef(figure["measure"])
        qualifier = figure.get("standard_qualifier")
        rows.append(Figure(
            measure, name_of(index, measure, lang),
            declared_text(figure["declared"], URIRef(qualifier) if qualifier else None,
                          index, lang),
            format_date(figure["as_of"], lang) if figure.get("as_of") else "",
            URIRef(figure["source"]) if figure.get("source") else None,
            figure.get("recorded")))
    return sorted(rows, key=lambda f: (fold(f.measure_label.text), f.as_of, str(f.source)))
