"""The quality dashboard the build publishes (dist/quality.json), cross-checked with rdflib."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

from server.config import DATA_NS
from server.namespaces import CNC
from server.services.published import Published


@pytest.fixture(scope="module")
def report_and_graph(built_root: Path):
    report = Published(built_root / "dist").quality()
    return report, Graph().parse(built_root / "dist" / "cnc-kg.nt", format="nt"), built_root


def test_report_is_json_with_every_section(report_and_graph):
    report, _, _ = report_and_graph
    assert set(report) == {"figures", "nodes_by_kind", "shacl_warnings", "language_warnings",
                           "missing_zh_label", "missing_external_identifier",
                           "sources_cited_most", "conflicts", "only_on_copies"}
    json.dumps(report)


def test_declared_figures_sit_beside_recorded_counts(report_and_graph):
    report, graph, _ = report_and_graph
    declared = {(str(graph.value(f, CNC.measure)), int(graph.value(f, CNC.value)))
                for f in graph.subjects(RDF.type, CNC.DeclaredFigure)}
    assert {(f["measure"], f["declared"]) for f in report["figures"]} == declared
    nodes = len(set(graph.subjects(RDF.type, CNC.NetworkNode)))
    for figure in report["figures"]:
        if figure["measure"] == str(CNC.MeasureResearchTeams):
            assert figure["recorded"] == nodes
    assert sum(report["nodes_by_kind"].values()) >= nodes  # a node may have several kinds


def test_conflicts_are_claims_disagreeing_on_the_same_entity_and_property(report_and_graph):
    report, graph, _ = report_and_graph
    values = defaultdict(set)
    for claim in graph.subjects(RDF.type, CNC.Claim):
        key = (str(graph.value(claim, CNC.claimAbout)), str(graph.value(claim, CNC.claimProperty)))
        values[key].add(graph.value(claim, CNC.claimValue))
    expected = {key for key, found in values.items() if len(found) > 1}
    assert {(c["entity"], c["property"]) for c in report["conflicts"]} == expected
    for conflict in report["conflicts"]:
        assert len({c["value"] for c in conflict["claims"]}) > 1


def test_missing_zh_labels_and_warnings_match_the_graph_and_the_build_report(report_and_graph):
    report, graph, root = report_and_graph
    for entity in report["missing_zh_label"]:
        assert entity.startswith(DATA_NS)
        assert not any(isinstance(label, Literal) and label.language == "zh"
                       for label in graph.objects(URIRef(entity), RDFS.label))
    build_report = json.loads((root / "dist" / "validation-report.json").read_text("utf-8"))
    assert len(report["shacl_warnings"]) == build_report["warnings"]
    cited = report["sources_cited_most"]
    assert [s["entities"] for s in cited] == sorted((s["entities"] for s in cited), reverse=True)


def test_facts_resting_only_on_copies_are_those_whose_every_source_is_a_copy(report_and_graph):
    report, graph, _ = report_and_graph
    copies = set(graph.subjects(RDF.type, CNC.CopiedDocument))
    expected = {str(fact) for fact in set(graph.subjects(DCTERMS.source, None))
                if set(graph.objects(fact, DCTERMS.source)) <= copies}
    assert {row["fact"] for row in report["only_on_copies"]} == expected
    assert URIRef(DATA_NS + "huang-hua") in map(URIRef, expected)  # the 1978 signatory
    for row in report["only_on_copies"]:
        assert row["copies"] and all(URIRef(c["source"]) in copies for c in row["copies"])


def test_language_warnings_are_the_reports_language_findings(report_and_graph):
    report, _, root = report_and_graph
    build_report = json.loads((root / "dist" / "validation-report.json").read_text("utf-8"))
    expected = [f for f in build_report["findings"] if f["shape"].startswith("(language) ")]
    assert len(report["language_warnings"]) == len(expected) == 0  # data/ carries none


def test_name_attestations_are_not_conflicts(report_and_graph):
    report, graph, _ = report_and_graph
    attestations = {str(a) for a in graph.subjects(RDF.type, CNC.NameAttestation)}
    assert attestations
    assert not {c["claim"] for conflict in report["conflicts"]
                for c in conflict["claims"]} & attestations
