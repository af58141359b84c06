"""The dataset page for people (``/dataset`` and ``/.well-known/void`` asked by a browser): what
the dataset is, its size, version, licence, dumps with their checksums, the change feed and the
endpoint — the facts VoID and DCAT give machines, in the reader's language."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from rdflib import URIRef

from server.config import DATASET_IRI
from server.languages import pick
from server.services.browse import ClassCount, classes
from server.services.harvest import DATA_LICENSE, DESCRIPTIONS, TITLES
from server.services.i18n import format_date, format_number, format_size
from server.services.index import GraphIndex, Label
from server.services.published import Published


@dataclass(frozen=True)
class DumpRow:
    """One downloadable file of the whole graph, as the page shows it."""

    name: str
    label: str
    media_type: str
    size: str                  # in the reader's units ("192,6 ko")
    size_bytes: int
    sha256: str
    modified: datetime.datetime


@dataclass(frozen=True)
class VersionRow:
    """One recorded version of the dataset."""

    number: int
    date: str                  # in the reader's language
    date_iso: str
    added: int
    changed: int
    removed: int


@dataclass(frozen=True)
class DatasetView:
    """Everything the dataset page shows."""

    iri: URIRef
    title: Label
    description: Label | None
    version: int | None
    sha256: str
    built: str                  # in the reader's language ("" when unknown)
    built_iso: str
    counts: tuple[tuple[str, str], ...]       # (UI string key, number in the reader's style)
    license: URIRef
    dumps: tuple[DumpRow, ...]
    versions: tuple[VersionRow, ...]
    classes: tuple[ClassCount, ...]


def dump_rows(published: Published, lang: str) -> tuple[DumpRow, ...]:
    """Every dump present, with its size in the reader's units and its SHA-256."""
    return tuple(DumpRow(f.dump.name, f.dump.label, f.dump.media_type, format_size(f.size, lang),
                         f.size, f.sha256, f.modified) for f in published.dumps())


def version_rows(published: Published, lang: str) -> tuple[VersionRow, ...]:
    """The recorded versions, newest first."""
    return tuple(VersionRow(v["number"], format_date(v["date"][:10], lang), v["date"],
                            len(v["added"]), len(v["changed"]), len(v["removed"]))
                 for v in published.versions())


def dataset_view(index: GraphIndex, published: Published, lang: str) -> DatasetView:
    """The dataset as the build published it, for a reader of ``lang``."""
    record = published.build_record() or {}
    built = record.get("date", "")
    description = pick(DESCRIPTIONS, lang)
    counts = (("triples", index.triples), ("entities", index.entity_count()),
              ("classes_used", len(index.class_counts())),
              ("properties_used", len(index.property_counts())))
    return DatasetView(
        URIRef(DATASET_IRI), Label(*pick(TITLES, lang)),
        Label(*description) if description else None, record.get("version"),
        record.get("sha256", ""), format_date(built[:10], lang) if built else "", built,
        tuple((key, format_number(n, lang)) for key, n in counts), DATA_LICENSE,
        dump_rows(published, lang), version_rows(published, lang),
        tuple(classes(index, lang)))
