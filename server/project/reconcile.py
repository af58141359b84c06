"""Reconciliation: propose ROR / Wikidata identifiers for organisations that lack one.

Offline: names are matched against the versioned table ``reconciliation/lookup.csv`` (name
variants fr/en/zh/acronym -> identifier, each with the public registry record it was verified
in), exactly and fuzzily, by ``server.project.matching`` (the matcher the reconciliation service
uses too). Proposals are only listed; ``--accept SLUG=SCHEME:ID`` writes the ones a curator
names to ``data/reconciled-identifiers.ttl``, nothing else.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from server.namespaces import CNC, bind_prefixes
from server.project import identifiers
from server.project.matching import NameTable

LOOKUP_TABLE = Path(__file__).parent / "reconciliation" / "lookup.csv"
ACCEPTED_FILE = "reconciled-identifiers.ttl"
FUZZY_THRESHOLD = 90      # lowest fuzzy score (token_sort_ratio, 0-100) proposed
SCHEMES = {"ror": (CNC.ror, identifiers.ROR_PREFIX), "wikidata": (CNC.wikidata,
                                                                identifiers.WIKIDATA_PREFIX)}
EXIT_REFUSED = 1


@dataclass(frozen=True)
class Variant:
    """One row of the lookup table."""

    name: str
    variant: str        # fr | en | zh | acronym
    scheme: str         # ror | wikidata
    identifier: str     # bare: 02feahw73, Q280413
    verified_in: str


@dataclass(frozen=True)
class Proposal:
    """An identifier proposed for a record, and why."""

    slug: str
    where: str          # "data/" or "file:row" of a sheet
    scheme: str
    identifier: str
    match: str          # "exact" | "fuzzy 93"
    name: str           # the record's name that matched
    variant: Variant

    @property
    def iri(self) -> URIRef:
        """The identifier as the IRI stored in the graph."""
        return URIRef(SCHEMES[self.scheme][1] + self.identifier)


def load_lookup(path: Path = LOOKUP_TABLE) -> list[Variant]:
    """The lookup table's rows (identifiers are re-checked: a bad row is a bug in the table)."""
    with path.open(encoding="utf-8", newline="") as handle:
        variants = [Variant(**row) for row in csv.DictReader(handle)]
    for variant in variants:
        if variant.scheme == "ror":
            identifiers.ror_id(variant.identifier)
        else:
            identifiers.wikidata_id(variant.identifier)
    return variants


def propose(slug: str, where: str, names: list[str], missing: set[str],
            table: list[Variant], threshold: int = FUZZY_THRESHOLD) -> list[Proposal]:
    """Best match per scheme in ``missing`` for a record called ``names`` (exact before fuzzy;
    ties go to the first name, then to the table's first row)."""
    rows = NameTable((variant, variant.name) for variant in table if variant.scheme in missing)
    best: dict[str, Proposal] = {}
    found = rows.best(names, threshold)
    for variant in table:
        hit = found.get(variant)
        if hit is None:
            continue
        current = best.get(variant.scheme)
        if current is None or hit.match > found[current.variant].match:
            best[variant.scheme] = Proposal(slug, where, variant.scheme, variant.identifier,
                                            str(hit.match), hit.query, variant)
    return [best[scheme] for scheme in sorted(best)]


def data_proposals(data: Graph, ontology: Graph, table: list[Variant]) -> list[Proposal]:
    """Proposals for every organisation of ``data`` lacking a ROR or Wikidata identifier."""
    from server.importer.mapping import slug_of
    from server.importer.templates import subclasses

    organisation_classes = subclasses(ontology, CNC.Organisation)
    used = {str(o) for scheme in SCHEMES.values() for o in data.objects(None, scheme[0])}
    proposals = []
    for subject in sorted({s for s, _, c in data.triples((None, RDF.type, None))
                           if c in organisation_classes and slug_of(s)}):
        missing = {name for name, (predicate, _) in SCHEMES.items()
                   if data.value(subject, predicate) is None}
        names = [str(n) for p in (RDFS.label, SKOS.altLabel) for n in data.objects(subject, p)]
        proposals += [p for p in propose(slug_of(subject), "data/", names, missing, table)
                      if str(p.iri) not in used]  # an identifier already held is no proposal
    return proposals


def sheet_proposals(paths: list[Path], table: list[Variant]) -> list[Proposal]:
    """Proposals for the rows of sheets whose ror / wikidata cells are empty."""
    from server.importer.sheets import read_sheets

    proposals = []
    for path in paths:
        for sheet in read_sheets(path):
            if "ror" not in sheet.header and "wikidata" not in sheet.header:
                continue
            for row, cells in sheet.rows:
                missing = {s for s in SCHEMES if s in sheet.header and not cells.get(s)}
                names = [cells[c] for c in ("label_fr", "label_en", "label_zh") if cells.get(c)]
                names += [a.strip() for a in cells.get("alt_labels", "").split("|") if a.strip()]
                proposals += propose(cells.get("slug", ""), f"{sheet.label}:{row}", names,
                                     missing, table)
    return proposals


def accepted_graph(proposals: list[Proposal], accepted: list[str],
                   existing: Graph | None) -> Graph:
    """The statements for the proposals named by ``accepted`` ("slug=scheme:id"), added to
    ``existing``; raises ValueError for a name that is not a current proposal."""
    from server.importer.mapping import record_iri

    graph = bind_prefixes(Graph())
    if existing is not None:
        graph += existing
    offered = {f"{p.slug}={p.scheme}:{p.identifier}": p for p in proposals}
    for choice in accepted:
        proposal = offered.get(choice.strip())
        if proposal is None:
            raise ValueError(f"{choice!r} is not one of the proposals listed by `cnc-kg "
                             "reconcile` (write it as slug=scheme:identifier)")
        graph.add((record_iri(proposal.slug), SCHEMES[proposal.scheme][0], proposal.iri))
    return graph
