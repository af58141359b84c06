"""Language tags checked against their text (server/project/language_tags.py), and the repository's
own data and ontology free of any such warning (issue 13)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import FOAF, RDF, RDFS

from server.config import load_settings
from server.project import language_tags
from server.project.files import load_project
from server.project.language_tags import (
    HAN_UNDER_LATIN,
    IDENTIFIER,
    KANA_UNDER_ZH,
    NO_CJK,
    check_graph,
    identifier_mismatch,
    prose,
    script_mismatch,
    turtle_line,
)

REPO = Path(__file__).resolve().parent.parent
KG = "https://w3id.org/cnc-kg/id/"


@pytest.mark.parametrize(("text", "tag", "rule"), [
    ("中华人民共和国教育部与法兰西共和国高教科研部关于开展科研合作的意向书", "fr", HAN_UNDER_LATIN),
    ("生物多样性、全球变化与生态健康国际研讨会", "en", HAN_UNDER_LATIN),
    ("Peking University", "zh", NO_CJK),
    ("Beijing", "zh-Hans", NO_CJK),
    ("中仏カーボンニュートラルセンター", "zh", KANA_UNDER_ZH),
    ("Paris", "ja", NO_CJK),
])
def test_script_contradicts_the_tag(text, tag, rule):
    assert script_mismatch(text, tag)[0] == rule


@pytest.mark.parametrize(("text", "tag"), [
    ("中国农业大学", "zh"),
    ("中仏カーボンニュートラルセンター", "ja"),
    # Quoting Chinese inside an English sentence is not Chinese text.
    ("Cooperation in climate change and carbon neutrality (气候变化和碳中和).", "en"),
    ("hubtec.cn — 中法共建碳中和中心 (November 2023)", "zh"),
    ("Peking University", "en"),
])
def test_script_agrees_with_the_tag(text, tag):
    assert script_mismatch(text, tag) is None


@pytest.mark.parametrize(("text", "tag"), [
    ("Peking University", "fr"),
    ("China Scholarship Council", "fr"),
    ("Joint Statement of the People's Republic of China and the French Republic", "fr"),
    ("Comité de pilotage du CNC", "en"),
    ("Sorbonne Université", "en"),
    ("Ministère de l'Europe et des Affaires étrangères", "en"),
])
def test_identifier_catches_a_name_under_the_other_language(text, tag):
    assert identifier_mismatch(text, tag)[0] == IDENTIFIER


@pytest.mark.parametrize(("text", "tag"), [
    ("Pékin", "fr"),                                # one word: not prose
    ("Dialogue session", "en"),                     # English, close to French
    ("Administrative arrangement", "en"),
    ("Ministère de l'Europe et des Affaires étrangères", "fr"),
    ("Joint commission", "en"),
    ("LIA ECOLAND", "fr"),                          # acronyms: no confident verdict
])
def test_identifier_accepts_text_in_its_language_or_undecidable(text, tag):
    assert identifier_mismatch(text, tag) is None


def test_names_of_people_are_not_evidence_of_a_language():
    text = "Hervé Ladsous, Ambassador of France to China (2008)"
    assert "Hervé" not in prose(text, ["Hervé Ladsous"])
    assert identifier_mismatch(text, "en", ["Hervé Ladsous"]) is None
    graph = Graph()
    person = URIRef(KG + "p")
    graph.add((person, RDF.type, FOAF.Person))
    graph.add((person, RDFS.label, Literal("Valérie Pécresse", lang="en")))
    graph.add((person, RDFS.label, Literal("Valérie Pécresse", lang="fr")))
    assert check_graph(graph) == []


def test_check_graph_reports_subject_predicate_literal_and_rule():
    graph = Graph()
    subject = URIRef(KG + "pku")
    graph.add((subject, RDFS.label, Literal("Peking University", lang="fr")))
    graph.add((subject, RDFS.label, Literal("Peking University", lang="en")))
    graph.add((subject, RDFS.label, Literal("北京大学", lang="zh")))
    graph.add((subject, RDFS.comment, Literal("untagged text is not checked")))
    [found] = check_graph(graph)
    assert (found.subject, found.predicate, found.literal.language, found.rule) == (
        subject, RDFS.label, "fr", IDENTIFIER)
    assert "reads as English" in found.message
    assert check_graph(graph, identifier=False) == []


def test_turtle_line_finds_the_literal_with_its_tag():
    text = ('kg:x\n    rdfs:label "Same"@fr ;\n    rdfs:label "Same"@en ;\n'
            '    skos:note "say \\"hi\\""@en .\n')
    assert turtle_line(text, 1, Literal("Same", lang="en")) == 3
    assert turtle_line(text, 1, Literal("Same", lang="fr")) == 2
    assert turtle_line(text, 1, Literal('say "hi"', lang="en")) == 4
    assert turtle_line(text, 1, Literal("absent", lang="en")) is None


def _project_with_data(root: Path, statements: str) -> None:
    """A project at ``root``: the repository's ontology and shapes, and ``data/x.ttl``
    holding ``statements`` after the kg: and rdfs: prefixes."""
    for folder in ("ontology", "shapes"):
        (root / folder).symlink_to(REPO / folder)
    (root / "data").mkdir()
    (root / "data" / "x.ttl").write_text(
        "@prefix kg: <https://w3id.org/cnc-kg/id/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n\n" + statements,
        encoding="utf-8")


def test_report_entries_place_each_warning_at_its_literal(tmp_path: Path):
    _project_with_data(tmp_path, "kg:pku\n"
                                 '    rdfs:label "Peking University"@en ;\n'
                                 '    rdfs:label "Peking University"@fr ;\n'
                                 '    rdfs:label "Peking University"@zh .\n')
    project = load_project(load_settings(root=str(tmp_path)))
    entries = [e for e in language_tags.report_entries(project, tmp_path)
               if e.file == "data/x.ttl"]
    assert sorted((e.line, e.focus_node, e.path, e.severity, e.shape) for e in entries) == [
        (6, "kg:pku", "rdfs:label", "Warning", "(language) identifier"),
        (7, "kg:pku", "rdfs:label", "Warning", "(language) no-cjk"),
    ]


def test_repository_data_and_ontology_carry_no_language_warning():
    project = load_project(load_settings(root=str(REPO)))
    entries = language_tags.report_entries(project, REPO)
    assert not entries, "\n".join(f"{e.file}:{e.line} {e.focus_node} {e.value}: {e.message}"
                                  for e in entries)


def test_validate_reports_language_warnings_in_text_and_json(tmp_path: Path):
    _project_with_data(tmp_path, 'kg:letter\n    rdfs:label "中华人民共和国教育部意向书"@fr .\n')
    cnc_kg = str(Path(sys.executable).parent / "cnc-kg")
    args = [cnc_kg, "validate", "--root", str(tmp_path), "--no-reasoner", "--no-shapes-check"]
    text = subprocess.run(args, capture_output=True, text=True, timeout=300).stdout
    assert "Warning   rdfs:label = 中华人民共和国教育部意向书@fr: text in Chinese script" in text
    assert "kg:letter  (data/x.ttl:5)" in text
    report = json.loads(subprocess.run([*args, "--format", "json"], capture_output=True,
                                       text=True, timeout=300).stdout)
    [found] = [f for f in report["findings"] if f["shape"] == "(language) han-under-latin"]
    assert (found["file"], found["line"], found["severity"]) == ("data/x.ttl", 5, "Warning")
