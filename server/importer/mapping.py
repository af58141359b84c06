"""Sheet cells to RDF terms and back: stable IRIs ``kg:<slug>``, typed dates, identifier IRIs.

``literal_or_iri`` reads one cell value (raising ``CellError`` with a curator's message);
``export_rows`` turns a graph back into the rows of a sheet (the round trip the tests check), each
value neutralised against formula injection.
"""

from __future__ import annotations

import datetime
import re

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from server.config import DATA_NS
from server.importer.cells import export_value
from server.importer.templates import MULTI_SEPARATOR, Column, Template, term_name
from server.project import identifiers

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_DATE_FORMATS = ((re.compile(r"^\d{4}-\d{2}-\d{2}$"), XSD.date, "%Y-%m-%d"),
                 (re.compile(r"^\d{4}-\d{2}$"), XSD.gYearMonth, "%Y-%m"),
                 (re.compile(r"^\d{4}$"), XSD.gYear, "%Y"))
TRUE_WORDS = {"yes", "true", "oui", "1", "是"}
_FALSE_WORDS = {"no", "false", "non", "0", "否"}


class CellError(ValueError):
    """A cell whose text cannot be read as its column asks."""


def record_iri(slug: str) -> URIRef:
    """The IRI of the record with ``slug``."""
    return URIRef(DATA_NS + slug)


def slug_of(iri: Node) -> str | None:
    """The slug of a ``kg:`` IRI, None for any other term."""
    text = str(iri)
    return text[len(DATA_NS):] if isinstance(iri, URIRef) and text.startswith(DATA_NS) else None


def split_cell(column: Column, text: str) -> list[str]:
    """The values of a cell: several for a multi-valued column (separated by ``|``)."""
    if not text:
        return []
    if not column.multiple:
        return [text]
    return [part.strip() for part in text.split(MULTI_SEPARATOR) if part.strip()]


def check_slug(text: str) -> str:
    """``text`` if it is a valid slug, else CellError."""
    if not SLUG.match(text):
        raise CellError(f"{text!r} is not a valid slug: use lower-case a-z, 0-9 and single "
                        "hyphens (e.g. e2p2l, cnrs-cas-2023)")
    return text


def date_literal(text: str) -> Literal:
    """An ISO date at the precision given: xsd:date, xsd:gYearMonth or xsd:gYear."""
    for pattern, datatype, fmt in _DATE_FORMATS:
        if pattern.match(text):
            try:
                datetime.datetime.strptime(text, fmt)
            except ValueError:
                break
            return Literal(text, datatype=datatype)
    raise CellError(f"bad date {text!r}: write YYYY-MM-DD, YYYY-MM or YYYY (e.g. 2023-11-24)")


def _url(text: str) -> URIRef:
    if not re.match(r"^https?://[^\s<>\"{}|\\^`]+$", text):
        raise CellError(f"{text!r} is not a web address: write it in full, https://…")
    return URIRef(text)


def literal_or_iri(column: Column, text: str, choices: dict[str, URIRef]) -> Node:
    """The RDF term of one value of a non-reference column."""
    value = column.value
    try:
        if value in ("label", "langtext"):
            return Literal(text, lang=column.lang)
        if value == "text":
            return Literal(text)
        if value == "date":
            return date_literal(text)
        if value == "integer":
            if not re.match(r"^[0-9]+$", text) or int(text) < 1:
                raise CellError(f"{text!r} is not a whole number from 1 up")
            return Literal(int(text))
        if value == "boolean":
            if text.lower() not in TRUE_WORDS | _FALSE_WORDS:
                raise CellError(f"{text!r}: write yes or no")
            return Literal(text.lower() in TRUE_WORDS)
        if value == "url":
            return _url(text)
        if value == "ror":
            return URIRef(identifiers.ROR_PREFIX + identifiers.ror_id(text))
        if value == "orcid":
            return URIRef(identifiers.ORCID_PREFIX + identifiers.orcid_id(text))
        if value == "wikidata":
            return URIRef(identifiers.WIKIDATA_PREFIX + identifiers.wikidata_id(text))
    except identifiers.IdentifierError as error:
        raise CellError(str(error)) from error
    if value in ("choice", "type"):
        if text not in choices:
            raise CellError(f"unknown value {text!r}: choose one of {', '.join(choices)}")
        return choices[text]
    raise CellError(f"column kind {value!r} has no reader")  # a template bug, not a curator's


def _cell_text(column: Column, term: Node) -> str:
    """The text a curator writes in a cell for ``term`` (the inverse of ``literal_or_iri``)."""
    if column.value in ("ref", "source"):
        return slug_of(term) or str(term)
    if column.value in ("choice", "type"):
        return term_name(term)
    if column.value == "boolean":
        return "yes" if term.toPython() is True else "no"
    text = str(term)
    if column.value in ("ror", "orcid", "wikidata"):  # written bare, as the template asks
        for prefix in (identifiers.ROR_PREFIX, identifiers.ORCID_PREFIX,
                       identifiers.WIKIDATA_PREFIX):
            text = text.removeprefix(prefix)
    return text


def _column_values(template: Template, column: Column, graph: Graph, subject: URIRef) -> list[Node]:
    if column.value == "slug":
        return []
    values = list(graph.objects(subject, column.predicate))
    if column.lang is not None:
        values = [v for v in values if isinstance(v, Literal) and v.language == column.lang]
    if column.value == "type":
        implied = {template.kind.cls, *template.kind.extra_types}
        values = [v for v in values if v not in implied]
    return values


def export_rows(template: Template, graph: Graph) -> list[list[str]]:
    """The rows (header first) of a sheet describing ``graph``, an import of ``template``'s kind."""
    header = [c.name for c in template.columns]
    rows = []
    kind = template.kind
    subject_column = template.column(kind.subject_column)
    # the graph is one kind's imported file: every record in it is of that kind
    subjects = sorted({s for s in graph.subjects() if slug_of(s)})
    for subject in subjects:
        # each value neutralised (server/importer/cells.py): data/ may hold text a spreadsheet
        # would run as a formula, and the import takes the apostrophe off again
        cells = {c.name: " | ".join(sorted(export_value(_cell_text(c, v)) for v in
                                           _column_values(template, c, graph, subject)))
                 for c in template.columns}
        cells[subject_column.name] = slug_of(subject)
        if kind.subject_column == "slug":
            rows.append([cells[name] for name in header])
            continue
        # one row per value of the (single) relation column: node-partners
        relation = next(c for c in template.columns if c.value == "ref" and c.predicate)
        values = graph.objects(subject, relation.predicate)
        for value in sorted(export_value(_cell_text(relation, v)) for v in values):
            rows.append([value if name == relation.name else cells[name] for name in header])
    return [header, *rows]
