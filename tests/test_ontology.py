"""The CNC ontology: parses, is annotated, matches ``server.cnc_terms``; HermiT finds it sound."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from server.cnc_terms import CNC, INDIVIDUALS, TERMS
from server.config import ONTOLOGY_IRI, ONTOLOGY_NS
from server.namespaces import VANN
from server.project.reasoning import JavaMissingError, check_ontology

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
CORE = ONTOLOGY_DIR / "cnc.ttl"
ALIGNMENTS = ONTOLOGY_DIR / "alignments.ttl"
ONTOLOGY = URIRef(ONTOLOGY_IRI)
PRESENTATION = URIRef("https://w3id.org/cnc-kg/id/cnc-presentation-2025")
E2P2L_RELEASE = URIRef(
    "https://www.e2p2l.com/en/press-release/"
    "e2p2l-enhances-its-commitment-achieving-carbon-neutrality-joining-sino-french-carbon")
TERM_KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
PROPERTY_KINDS = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
AXES = (CNC.AxisAgriculture, CNC.AxisBiodiversity, CNC.AxisEnvironment)


@pytest.fixture(scope="module")
def core() -> Graph:
    return Graph().parse(CORE)


@pytest.fixture(scope="module")
def both(core: Graph) -> Graph:
    graph = Graph()
    for triple in core:
        graph.add(triple)
    return graph.parse(ALIGNMENTS)


def _declared_terms(graph: Graph) -> set[URIRef]:
    return {s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(ONTOLOGY_NS)
            and str(s) != ONTOLOGY_NS}


def _classes_and_properties(graph: Graph) -> list[URIRef]:
    return sorted(t for kind in TERM_KINDS for t in graph.subjects(RDF.type, kind)
                  if str(t).startswith(ONTOLOGY_NS))


def _languages(graph: Graph, subject: URIRef, predicate: URIRef) -> list[str]:
    return sorted(o.language or "" for o in graph.objects(subject, predicate)
                   if isinstance(o, Literal))


def test_both_files_parse_as_turtle(core: Graph, both: Graph) -> None:
    assert len(core) > 500
    assert len(both) > len(core)


def test_term_namespace_matches_declared_terms_both_ways(core: Graph) -> None:
    declared = {str(t)[len(ONTOLOGY_NS):] for t in _declared_terms(core)}
    assert declared - set(TERMS) == set(), "declared in cnc.ttl but missing from cnc_terms.py"
    assert set(TERMS) - declared == set(), "in cnc_terms.py but not declared in cnc.ttl"
    assert len(TERMS) == len(set(TERMS))


def test_term_namespace_refuses_a_misspelt_term() -> None:
    assert str(CNC.NetworkNode) == ONTOLOGY_NS + "NetworkNode"
    with pytest.raises(AttributeError):
        _ = CNC.NetworkNod


def test_every_cnc_term_has_exactly_one_kind(core: Graph) -> None:
    kinds = (*TERM_KINDS, SKOS.Concept, SKOS.ConceptScheme)
    for term in _declared_terms(core):
        found = [k for k in kinds if (term, RDF.type, k) in core]
        assert len(found) == 1, f"{term}: typed {found}"


def test_no_iri_has_two_property_kinds(both: Graph) -> None:
    # OWL 2 DL forbids one IRI being e.g. both an annotation and an object property.
    for prop in set(both.subjects(RDF.type, None)):
        found = [k for k in PROPERTY_KINDS if (prop, RDF.type, k) in both]
        assert len(found) <= 1, f"{prop} is declared as {found}"


def test_every_class_and_property_is_annotated(core: Graph) -> None:
    terms = _classes_and_properties(core)
    assert len(terms) == len(TERMS) - len(INDIVIDUALS)  # the others are controlled individuals
    for term in terms:
        assert _languages(core, term, RDFS.label) == ["en", "fr", "zh"], term
        assert _languages(core, term, SKOS.definition) == ["en", "fr"], term
        assert list(core.objects(term, RDFS.isDefinedBy)) == [ONTOLOGY], term


def test_annotations_follow_the_same_order_in_every_term_block() -> None:
    order = ["a", "rdfs:subClassOf", "rdfs:subPropertyOf", "rdfs:domain", "rdfs:range",
             "skos:hasTopConcept", "skos:inScheme", "skos:topConceptOf", "rdfs:label",
             "skos:prefLabel", "skos:definition", "skos:note", "skos:editorialNote",
             "dcterms:source",
             "rdfs:isDefinedBy"]
    blocks = [b for b in CORE.read_text(encoding="utf-8").split("\n\n") if b.startswith("cnc:")]
    assert len(blocks) == len(TERMS)
    for block in blocks:
        predicates = re.findall(r"^    (\S+) ", block, flags=re.MULTILINE)
        positions = [order.index(p) for p in predicates]
        assert positions == sorted(positions), f"{block.split()[0]}: {predicates}"
        assert predicates[-1] == "rdfs:isDefinedBy", block.split()[0]


def test_ontology_metadata(core: Graph) -> None:
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in core
    for predicate in (DCTERMS.title, DCTERMS.description):
        assert _languages(core, ONTOLOGY, predicate) == ["en", "fr", "zh"], predicate
    assert core.value(ONTOLOGY, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/")
    assert core.value(ONTOLOGY, OWL.versionIRI) == URIRef(ONTOLOGY_IRI + "/0.1.0")
    assert core.value(ONTOLOGY, OWL.versionInfo) == Literal("0.1.0")
    assert core.value(ONTOLOGY, VANN.preferredNamespacePrefix) == Literal("cnc")
    assert core.value(ONTOLOGY, VANN.preferredNamespaceUri) == Literal(ONTOLOGY_NS)
    assert core.value(ONTOLOGY, DCTERMS.creator) == Literal("cnc-kg contributors")
    for predicate in (DCTERMS.created, DCTERMS.modified):
        assert core.value(ONTOLOGY, predicate) == Literal("2026-11-28", datatype=XSD.date)


def test_research_axes_are_sourced_and_have_no_invented_chinese_label(core: Graph) -> None:
    assert set(core.objects(CNC.ResearchAxes, SKOS.hasTopConcept)) == set(AXES)
    for axis in AXES:
        assert (axis, SKOS.inScheme, CNC.ResearchAxes) in core
        assert _languages(core, axis, RDFS.label) == ["en", "fr"], axis
        assert set(core.objects(axis, DCTERMS.source)) == {PRESENTATION, E2P2L_RELEASE}
        assert any("No Chinese label" in note
                   for note in core.objects(axis, SKOS.editorialNote))
    labels_fr = {str(o) for a in AXES for o in core.objects(a, RDFS.label) if o.language == "fr"}
    assert labels_fr == {"Agriculture", "Biodiversité", "Environnement"}


def test_roles_measures_and_qualifiers_are_labelled_in_three_languages(core: Graph) -> None:
    for scheme in (CNC.Roles, CNC.Measures, CNC.ValueQualifiers):
        members = set(core.subjects(SKOS.inScheme, scheme))
        assert members and members == set(core.objects(scheme, SKOS.hasTopConcept))
        for member in members:
            assert _languages(core, member, RDFS.label) == ["en", "fr", "zh"], member
            assert _languages(core, member, SKOS.definition) == ["en", "fr"], member
    for role in core.subjects(SKOS.inScheme, CNC.Roles):
        assert (role, RDF.type, URIRef("http://www.w3.org/ns/org#Role")) in core


def test_publication_flag_is_a_boolean_on_people(core: Graph) -> None:
    assert core.value(CNC.publicationAllowed, RDFS.range) == XSD.boolean
    assert core.value(CNC.publicationAllowed, RDFS.domain) == URIRef(
        "http://xmlns.com/foaf/0.1/Person")


def test_every_alignment_targets_an_external_term(both: Graph) -> None:
    aligned = 0
    for predicate in (RDFS.subClassOf, RDFS.subPropertyOf):
        for subject, target in Graph().parse(ALIGNMENTS).subject_objects(predicate):
            assert str(subject).startswith(ONTOLOGY_NS)
            assert not str(target).startswith(ONTOLOGY_NS), (subject, target)
            assert any((target, RDF.type, k) in both for k in (OWL.Class, *PROPERTY_KINDS)), target
            aligned += 1
    assert aligned >= 50


# --- Reasoner (real HermiT through owlready2; needs java) -----------------------

def test_hermit_proves_the_ontology_consistent_with_every_class_satisfiable() -> None:
    result = check_ontology([CORE, ALIGNMENTS])
    assert result.consistent, result.message
    assert result.unsatisfiable == [], result.message
    assert result.ok


UNSATISFIABLE = """
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/> .
ex:Ministry a owl:Class .
ex:Person a owl:Class ; owl:disjointWith ex:Ministry .
# Broken on purpose: a subclass of two disjoint classes can have no member.
ex:MinisterMinistry a owl:Class ; rdfs:subClassOf ex:Ministry , ex:Person .
"""

INCONSISTENT = """
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
ex:Ministry a owl:Class .
ex:Person a owl:Class ; owl:disjointWith ex:Ministry .
# Broken on purpose: one individual in two disjoint classes; its year stays a gYear, which
# HermiT must treat as opaque rather than fail on.
ex:someone a ex:Ministry , ex:Person ; ex:since "2023"^^xsd:gYear .
ex:since a owl:DatatypeProperty .
"""


def test_a_class_under_two_disjoint_classes_is_reported_unsatisfiable(tmp_path: Path) -> None:
    broken = tmp_path / "unsatisfiable.ttl"
    broken.write_text(UNSATISFIABLE, encoding="utf-8")
    result = check_ontology([broken])
    assert result.consistent
    assert result.unsatisfiable == ["http://example.org/MinisterMinistry"]
    assert not result.ok
    assert "MinisterMinistry" in result.message


def test_an_individual_in_disjoint_classes_makes_the_union_inconsistent(tmp_path: Path) -> None:
    # Added to the real ontology, as data files would be.
    broken = tmp_path / "inconsistent.ttl"
    broken.write_text(INCONSISTENT, encoding="utf-8")
    result = check_ontology([CORE, ALIGNMENTS, broken])
    assert not result.consistent
    assert not result.ok
    assert "inconsistent" in result.message and str(broken) in result.message


def test_missing_java_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no java on PATH
    with pytest.raises(JavaMissingError, match="needs Java"):
        check_ontology([CORE])
