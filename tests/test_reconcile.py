"""``cnc-kg reconcile``: offline proposals (exact, fuzzy), never applied unless accepted by name."""

from __future__ import annotations

from pathlib import Path

import pytest
from importing import SAMPLES, read_csv, run, sample_files, scratch_project, write_csv
from rdflib import Graph, URIRef

from server.project.reconcile import load_lookup, propose
from server.text import words

ROR = URIRef("https://w3id.org/cnc-kg/ontology/ror")


def test_lookup_table_identifiers_are_well_formed_and_sourced():
    table = load_lookup()  # re-checks every ROR checksum and Wikidata id
    assert table and all(v.verified_in and v.variant in {"fr", "en", "zh", "acronym"}
                         for v in table)
    # Each identifier cites the public registry record it was verified in (a URL anyone can
    # open, never a file outside the repository).
    records = {"ror": "https://ror.org/", "wikidata": "https://www.wikidata.org/wiki/"}
    assert all(v.verified_in == records[v.scheme] + v.identifier for v in table)


def test_exact_match_ignores_case_and_accents_and_fuzzy_match_is_scored():
    table = load_lookup()
    assert words("ACADÉMIE des  sciences de Chine") == "academie des sciences de chine"
    [exact] = propose("x", "data/", ["académie des sciences de chine"], {"ror"}, table)
    assert (exact.identifier, exact.match) == ("034t30j35", "exact")
    [fuzzy] = propose("x", "data/", ["Chinese Academy of Agricultural Science"], {"ror"}, table)
    assert fuzzy.identifier == "0313jb750" and fuzzy.match.startswith("fuzzy ")
    assert propose("x", "data/", ["Université de nulle part"], {"ror", "wikidata"}, table) == []
    assert propose("x", "data/", ["CAS"], {"ror"}, table)[0].match == "exact"   # acronym
    assert propose("x", "data/", ["CAZ"], {"ror"}, table) == []                 # never fuzzy


@pytest.fixture
def project(tmp_path: Path) -> Path:
    project = scratch_project(tmp_path / "project")
    assert run(project, "import", *map(str, sample_files())).exit_code == 0
    return project


def test_proposals_for_sheet_rows_and_data_are_listed_not_applied(project: Path):
    before = {p.name: p.read_bytes() for p in (project / "data").glob("*.ttl")}
    listed = run(project, "reconcile", str(SAMPLES / "organisations.csv"))
    assert listed.exit_code == 0
    assert "organisations.csv:6 ecnu=ror:02n96ep67  (exact match" in listed.output
    assert "organisations.csv:8 fudan=ror:013q1eq08" in listed.output
    assert "cnrs=" not in listed.output         # already has both identifiers
    in_data = run(project, "reconcile")
    assert "data/ ecnu=ror:02n96ep67" in in_data.output
    assert {p.name: p.read_bytes() for p in (project / "data").glob("*.ttl")} == before


def test_accept_writes_only_the_named_proposal(project: Path):
    refused = run(project, "reconcile", "--accept", "ecnu=ror:0313jb750")
    assert refused.exit_code == 1 and "nothing written" in refused.output
    assert not (project / "data" / "reconciled-identifiers.ttl").exists()

    accepted = run(project, "reconcile", "--accept", "ecnu=ror:02n96ep67")
    assert accepted.exit_code == 0, accepted.output
    graph = Graph().parse(project / "data" / "reconciled-identifiers.ttl")
    assert set(graph) == {(URIRef("https://w3id.org/cnc-kg/id/ecnu"), ROR,
                           URIRef("https://ror.org/02n96ep67"))}
    assert "ecnu=" not in run(project, "reconcile").output   # no longer lacking
    assert run(project, "validate", "--no-reasoner").exit_code == 0


def test_fuzzy_proposal_from_a_sheet(tmp_path: Path, project: Path):
    header, notes = read_csv(SAMPLES / "organisations.csv")[:2]
    row = dict.fromkeys(header, "")
    row.update(slug="test-caas", label_en="Chinese Academy of Agricultural Science")
    sheet = write_csv(tmp_path / "organisations.csv", [header, notes, [row[h] for h in header]])
    listed = run(project, "reconcile", str(sheet))
    assert "organisations.csv:3 test-caas=ror:0313jb750  (fuzzy" in listed.output
