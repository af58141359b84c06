"""Every Chinese organisation, person and place in data/ has a sourced Chinese name or a note
saying none was found (issue 13); every Chinese name of an organisation, person or place is
sourced by a cnc:NameAttestation citing the page that shows it.

"Chinese": an organisation whose country (its own, or its parent's through
org:subOrganizationOf) is China; a place in China (and China itself); a person who holds a
membership in such an organisation or carries a Chinese name.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, RDF, RDFS, SKOS

from server.namespaces import CNC

REPO = Path(__file__).resolve().parent.parent
KG = "https://w3id.org/cnc-kg/id/"
CHINA = URIRef(KG + "china")
NONE_FOUND = "No Chinese name found"


@pytest.fixture(scope="module")
def graph() -> Graph:
    """ontology/ + data/: the class hierarchy is needed to find organisations and places."""
    graph = Graph()
    for path in sorted([*(REPO / "ontology").glob("*.ttl"), *(REPO / "data").glob("*.ttl")]):
        graph.parse(path, format="turtle")
    return graph


def instances(graph: Graph, cls: URIRef) -> set[URIRef]:
    classes = set(graph.transitive_subjects(RDFS.subClassOf, cls))
    return {s for c in classes for s in graph.subjects(RDF.type, c)
            if isinstance(s, URIRef) and str(s).startswith(KG)}


def in_china(graph: Graph, entity: URIRef) -> bool:
    """The entity, or an organisation it belongs to, has cnc:country kg:china."""
    return entity == CHINA or any(
        (node, CNC.country, CHINA) in graph
        for node in graph.transitive_objects(entity, ORG.subOrganizationOf))


def zh_labels(graph: Graph, entity: URIRef) -> list[Literal]:
    return [o for o in graph.objects(entity, RDFS.label)
            if isinstance(o, Literal) and (o.language or "").startswith("zh")]


def attested(graph: Graph, entity: URIRef, name: Literal) -> bool:
    """A cnc:NameAttestation with a source states ``name`` as a label of ``entity``."""
    return any(
        (claim, RDF.type, CNC.NameAttestation) in graph
        and (claim, CNC.claimProperty, RDFS.label) in graph
        and (claim, CNC.claimValue, name) in graph
        and graph.value(claim, DCTERMS.source) is not None
        for claim in graph.subjects(CNC.claimAbout, entity))


def says_none_found(graph: Graph, entity: URIRef) -> bool:
    return any(str(note).startswith(NONE_FOUND)
               for note in graph.objects(entity, SKOS.editorialNote))


def chinese_entities(graph: Graph) -> dict[str, set[URIRef]]:
    organisations = {o for o in instances(graph, CNC.Organisation) if in_china(graph, o)}
    places = {p for p in instances(graph, CNC.Place) if in_china(graph, p)}
    people = set()
    for person in instances(graph, FOAF.Person):
        memberships = graph.subjects(ORG.member, person)
        if zh_labels(graph, person) or any(graph.value(m, ORG.organization) in organisations
                                           for m in memberships):
            people.add(person)
    return {"organisation": organisations, "place": places, "person": people}


def test_the_chinese_entities_are_found(graph):
    found = chinese_entities(graph)
    assert URIRef(KG + "cas") in found["organisation"]
    assert URIRef(KG + "cas-institute-of-zoology") in found["organisation"]  # through its parent
    assert URIRef(KG + "beijing") in found["place"] and CHINA in found["place"]
    assert URIRef(KG + "peimin-jiang") in found["person"]  # through a CAU membership
    assert URIRef(KG + "cnrs") not in found["organisation"]


@pytest.mark.parametrize("kind", ["organisation", "person", "place"])
def test_every_chinese_entity_has_a_sourced_chinese_name_or_a_note(graph, kind):
    missing = []
    for entity in sorted(chinese_entities(graph)[kind]):
        labels = zh_labels(graph, entity)
        if labels:
            missing += [f"{entity} {label}: no attestation" for label in labels
                        if not attested(graph, entity, label)]
        elif not says_none_found(graph, entity):
            missing.append(f"{entity}: no Chinese name and no note saying none was found")
    assert not missing, "\n".join(missing)


def test_every_chinese_name_of_an_organisation_person_or_place_is_sourced(graph):
    entities = (instances(graph, CNC.Organisation) | instances(graph, CNC.Place)
                | instances(graph, FOAF.Person))
    unsourced = [f"{e} {label}" for e in sorted(entities) for label in zh_labels(graph, e)
                 if not attested(graph, e, label)]
    assert not unsourced, "\n".join(unsourced)


def test_a_note_never_sits_beside_a_chinese_name(graph):
    both = [e for e in instances(graph, CNC.Organisation) | instances(graph, FOAF.Person)
            | instances(graph, CNC.Place) if zh_labels(graph, e) and says_none_found(graph, e)]
    assert not both, both
