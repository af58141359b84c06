"""The SHACL shapes (shapes/*.ttl) and server.project.shacl, driven by the graphs in tests/shapes/.

tests/shapes/valid/*.ttl must conform; each tests/shapes/invalid/*.ttl starts with a header
naming the shape it breaks, the focus node that must be reported and the severity:

    # rule: cncsh:RorShape-checksum
    # focus: https://w3id.org/cnc-kg/id/test-ror-checksum
    # severity: Violation
    # also: cncsh:OtherShape        (optional: another shape the same defect trips)

Every test graph is read together with valid/network.ttl, the base that defines the entities
the small files point to. All invalid files are validated in one run (their focus nodes are
distinct) to keep the suite fast; each file still gets its own assertions.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH

from bench.validation import pyshacl_findings
from server.config import ONTOLOGY_NS, SHAPES_NS
from server.project.shacl import Finding, check_shapes, load_shapes, validate

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = Path(__file__).resolve().parent / "shapes"
BASE = EXAMPLES / "valid" / "network.ttl"
VALID = sorted((EXAMPLES / "valid").glob("*.ttl"))
INVALID = sorted((EXAMPLES / "invalid").glob("*.ttl"))
HEADER = re.compile(r"^#\s*(rule|focus|severity|also):\s*(\S+)\s*$")

# Shape parameters that are not constraints: a shape with nothing else only groups others.
NON_CONSTRAINTS = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf,
                   SH.property, SH.path, SH.severity, SH.message, SH.name, SH.description,
                   SH.deactivated, SH.order, SH.group}


@dataclass(frozen=True)
class Expectation:
    """What an invalid example's header says must be reported."""

    file: Path
    rule: str
    focus: str
    severity: str
    also: frozenset[str]


def _expand(curie: str) -> str:
    """cncsh:Name -> full shape IRI."""
    return SHAPES_NS + curie.removeprefix("cncsh:") if curie.startswith("cncsh:") else curie


def expectation(file: Path) -> Expectation:
    """Parse the header comment of an invalid example."""
    fields: dict[str, list[str]] = {}
    for line in file.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        match = HEADER.match(line)
        if match:
            fields.setdefault(match[1], []).append(match[2])
    missing = {"rule", "focus", "severity"} - fields.keys()
    assert not missing, f"{file.name}: header lacks {sorted(missing)}"
    return Expectation(file, _expand(fields["rule"][0]), fields["focus"][0],
                       fields["severity"][0], frozenset(_expand(a) for a in fields.get("also", [])))


def parse(*files: Path) -> Graph:
    """One graph from several Turtle files."""
    graph = Graph()
    for file in files:
        graph.parse(file, format="turtle")
    return graph


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes(ROOT / "shapes")


@pytest.fixture(scope="module")
def ontology() -> Graph:
    files = sorted((ROOT / "ontology").glob("*.ttl"))
    assert files, "ontology/*.ttl missing: the shapes are run on data + ontology"
    return parse(*files)


@pytest.fixture(scope="module")
def invalid_report(shapes, ontology):
    """One validation of the base plus every invalid example."""
    return validate(parse(BASE, *INVALID), ontology, shapes)


def constraint_shapes(shapes: Graph) -> set[URIRef]:
    """Named shapes that carry constraints of their own (not just sh:property links)."""
    named = {s for s in shapes.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)}
    named |= {s for s in shapes.subjects(RDF.type, SH.PropertyShape) if isinstance(s, URIRef)}
    annotations = NON_CONSTRAINTS | {RDF.type, RDFS.label}
    return {s for s in named if set(shapes.predicates(s)) - annotations}


# --- the shapes graph itself ---------------------------------------------------------------

def test_shapes_graph_is_valid_shacl(shapes):
    report = check_shapes(shapes)
    assert report.conforms, "\n".join(f"{f.focus_node}: {f.message}" for f in report.findings)


def test_check_shapes_rejects_malformed_shapes():
    broken = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <https://example.org/BrokenShape> a sh:NodeShape ;
            sh:property [ sh:path <https://example.org/p> ; sh:minCount "one" ] .
    """, format="turtle")
    assert not check_shapes(broken).conforms


def test_load_shapes_refuses_an_empty_folder(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_shapes(tmp_path)


def test_every_constraint_has_a_message_and_a_severity(shapes):
    for shape in constraint_shapes(shapes):
        assert shapes.value(shape, SH.severity) is not None, f"{shape} has no sh:severity"
        messages = list(shapes.objects(shape, SH.message))
        for sparql in shapes.objects(shape, SH.sparql):
            messages += shapes.objects(sparql, SH.message)
        assert messages, f"{shape} has no sh:message"


def test_each_file_holds_one_severity(shapes):
    expected = {"core.ttl": SH.Violation, "identifiers.ttl": SH.Violation,
                "recommendations.ttl": SH.Warning}
    for name, severity in expected.items():
        graph = parse(ROOT / "shapes" / name)
        assert set(graph.objects(None, SH.severity)) == {severity}, name


def test_every_ontology_class_needs_a_source(shapes, ontology):
    """SourceShape lists top classes; a new ontology class must be reached by one of them."""
    targets = set(shapes.objects(URIRef(SHAPES_NS + "SourceShape"), SH.targetClass))
    exempt = {URIRef(ONTOLOGY_NS + "SourceDocument")}
    for cls in ontology.subjects(RDF.type, OWL.Class):
        if not str(cls).startswith(ONTOLOGY_NS) or cls in exempt:
            continue
        ancestors = set(ontology.transitive_objects(cls, RDFS.subClassOf))
        assert ancestors & targets or ancestors & exempt, f"no source rule reaches {cls}"


def test_engine_report_is_pyshacls(shapes, ontology):
    """The Rust engine is used because its report is pySHACL's, finding for finding
    (bench/validation.md): checked again on every example, so an upgrade that changes it fails."""
    data = parse(BASE, *VALID, *INVALID)
    ours = validate(data, ontology, shapes).findings
    theirs = pyshacl_findings(data + ontology, shapes)
    assert len(ours) > len(INVALID)
    assert Counter(ours) == Counter(theirs)


# --- valid examples ------------------------------------------------------------------------

@pytest.mark.parametrize("file", VALID, ids=lambda f: f.name)
def test_valid_example_conforms(file, shapes, ontology):
    report = validate(parse(BASE, file), ontology, shapes)
    assert report.conforms, "\n".join(f"{f.focus_node} {f.shape}: {f.message}"
                                      for f in report.violations)


# --- invalid examples ----------------------------------------------------------------------

@pytest.mark.parametrize("file", INVALID, ids=lambda f: f.name)
def test_invalid_example_is_rejected(file, invalid_report):
    expected = expectation(file)
    hits = [f for f in invalid_report.findings
            if f.shape == expected.rule and f.focus_node == expected.focus]
    assert hits, f"{file.name}: no finding of {expected.rule} on {expected.focus}"
    assert {f.severity for f in hits} == {expected.severity}
    assert all(f.message for f in hits)
    # the defect is the only problem of its focus node: no other rule fires on it
    others = [f for f in invalid_report.violations
              if f.focus_node == expected.focus and f.shape not in {expected.rule} | expected.also]
    assert not others, _describe(others)


def test_invalid_examples_break_nothing_else(invalid_report):
    """Every violation in the combined run is the one an example announces."""
    announced = {(e.focus, r) for e in map(expectation, INVALID) for r in {e.rule} | e.also}
    stray = [f for f in invalid_report.violations if (f.focus_node, f.shape) not in announced]
    assert not stray, _describe(stray)


def test_every_shape_has_a_negative_test(shapes):
    exercised = {expectation(file).rule for file in INVALID}
    declared = {str(s) for s in constraint_shapes(shapes)}
    assert not exercised - declared, f"headers name unknown shapes: {exercised - declared}"
    assert not declared - exercised, f"shapes without a negative test: {declared - exercised}"


def test_findings_report_path_and_value(invalid_report):
    ror = next(f for f in invalid_report.findings if f.shape == SHAPES_NS + "RorShape-checksum"
               and f.focus_node.endswith("test-ror-checksum"))
    assert ror.path == ONTOLOGY_NS + "ror"
    assert ror.value == "https://ror.org/02feahw74"
    assert ror.constraint.startswith(str(SH))


def _describe(findings: list[Finding]) -> str:
    return "\n".join(f"{f.severity} {f.focus_node} {f.shape} {f.path}: {f.message}"
                     for f in findings)


# --- the repository's own graph ------------------------------------------------------------

def test_every_class_used_in_data_has_a_node_shape(shapes, ontology):
    data_files = sorted((ROOT / "data").glob("*.ttl"))
    assert data_files, "data/*.ttl missing"
    data = parse(*data_files)
    targets = set(shapes.objects(None, SH.targetClass))
    for cls in set(data.objects(None, RDF.type)):
        reached = {cls, *ontology.transitive_objects(cls, RDFS.subClassOf)}
        assert reached & targets, f"no node shape targets {cls} (used in data/)"


def test_repository_graph_conforms(shapes, ontology):
    data_files = sorted((ROOT / "data").glob("*.ttl"))
    assert data_files, "data/*.ttl missing"
    report = validate(parse(*data_files), ontology, shapes)
    assert report.conforms, _describe(report.violations)
