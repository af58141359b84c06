"""The ontology and shapes as documents, and the view of one ontology term (class or property).

Both come as the build published them (``services.published``); the term page adds usage counts
from the published graph's index.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from server.config import ONTOLOGY_IRI, ONTOLOGY_NS, SHAPES_NS
from server.namespaces import bind_prefixes
from server.services.i18n import EXTERNAL_NAMES, LANGUAGES, pick, primary
from server.services.index import GraphIndex, Label
from server.services.labels import short_name
from server.services.names import name as name_of


def concise_description(graph: Graph, iri: URIRef, inbound: bool = True) -> Graph:
    """``iri``'s statements with their blank-node closure, and (if ``inbound``) the statements
    pointing at it — the RDF document of one term or shape."""
    out = bind_prefixes(Graph())
    todo, seen = [iri], set()
    while todo:
        subject = todo.pop()
        if subject in seen:
            continue
        seen.add(subject)
        for p, o in graph.predicate_objects(subject):
            out.add((subject, p, o))
            if isinstance(o, BNode):
                todo.append(o)
    if inbound:
        for s, p in graph.subject_predicates(iri):
            if isinstance(s, URIRef):
                out.add((s, p, iri))
    return out


@dataclass(frozen=True)
class TermLink:
    """Another term, named in the page language."""

    iri: URIRef
    label: Label


@dataclass
class TermView:
    """Everything the documentation page of a class or property shows."""

    iri: URIRef
    kind: str                                  # "class", "property" or "individual"
    title: Label
    labels: list[tuple[str, str]]              # (language, label) in fr, en, zh order
    definitions: list[tuple[str, str]]
    notes: list[tuple[str, str]]
    superterms: list[TermLink]
    subterms: list[TermLink]
    domains: list[TermLink]
    ranges: list[TermLink]
    usage: int


def _texts(graph: Graph, iri: URIRef, predicate: URIRef) -> list[tuple[str, str]]:
    found = [(o.language or "", str(o)) for o in graph.objects(iri, predicate)
             if isinstance(o, Literal)]
    order = {lang: i for i, lang in enumerate(LANGUAGES)}
    return sorted(found, key=lambda pair: (order.get(primary(pair[0]), 9), pair))


def term_label(graph: Graph, iri: URIRef, lang: str) -> Label:
    """A term's rdfs:label (or skos:prefLabel) in ``lang`` with fallback; else our name of
    another vocabulary's term; else its short name (``prov:Entity``) or the IRI itself (an
    unlabelled term is shown as code: ``Label.lang`` is then empty)."""
    texts = dict(_texts(graph, iri, RDFS.label) or _texts(graph, iri, SKOS.prefLabel)) \
        or EXTERNAL_NAMES.get(iri, {})
    picked = pick(texts, lang)
    return Label(*picked) if picked else Label(short_name(str(iri)) or str(iri))


def _links(graph: Graph, iris, lang: str) -> list[TermLink]:
    unique = {i for i in iris if isinstance(i, URIRef)}
    return sorted((TermLink(i, term_label(graph, i, lang)) for i in unique),
                  key=lambda link: link.label.text.casefold())


def _union_members(graph: Graph, node) -> list:
    """The classes of an ``owl:unionOf`` blank node, or the node itself."""
    members = graph.value(node, OWL.unionOf) if isinstance(node, BNode) else None
    if members is None:
        return [node]
    return list(graph.items(members))


def term_view(graph: Graph, index: GraphIndex, iri: URIRef, lang: str) -> TermView | None:
    """The page of ontology term ``iri`` in ``lang``; ``None`` if the ontology lacks it."""
    if (iri, None, None) not in graph:
        return None
    types = set(graph.objects(iri, RDF.type))
    if types & {OWL.Class, RDFS.Class}:
        kind, up, usage = "class", RDFS.subClassOf, index.class_counts().get(iri, 0)
    elif types & {OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property,
                  OWL.AnnotationProperty}:
        kind, up, usage = "property", RDFS.subPropertyOf, index.property_counts().get(iri, 0)
    else:
        kind, up, usage = "individual", SKOS.broader, 0
    return TermView(
        iri=iri, kind=kind, title=term_label(graph, iri, lang),
        labels=_texts(graph, iri, RDFS.label) or _texts(graph, iri, SKOS.prefLabel),
        definitions=_texts(graph, iri, SKOS.definition) or _texts(graph, iri, RDFS.comment),
        notes=_texts(graph, iri, SKOS.scopeNote) + _texts(graph, iri, SKOS.note),
        superterms=_links(graph, graph.objects(iri, up), lang),
        subterms=_links(graph, graph.subjects(up, iri), lang),
        domains=_links(graph, [m for d in graph.objects(iri, RDFS.domain)
                               for m in _union_members(graph, d)], lang),
        ranges=_links(graph, [m for r in graph.objects(iri, RDFS.range)
                              for m in _union_members(graph, r)], lang),
        usage=usage,
    )


def ontology_terms(graph: Graph, lang: str) -> dict[str, list[TermLink]]:
    """The ontology's own terms by kind (classes, properties, individuals), by label."""
    kinds = {"class": (OWL.Class,), "property": (OWL.ObjectProperty, OWL.DatatypeProperty,
                                                 OWL.AnnotationProperty)}
    out: dict[str, list[TermLink]] = {}
    placed: set[URIRef] = set()
    for kind, classes in kinds.items():
        iris = {s for c in classes for s in graph.subjects(RDF.type, c)
                if isinstance(s, URIRef) and str(s).startswith(ONTOLOGY_NS)}
        out[kind] = _links(graph, iris, lang)
        placed |= iris
    others = {s for s in graph.subjects() if isinstance(s, URIRef)
              and str(s).startswith(ONTOLOGY_NS) and s not in placed}
    out["individual"] = _links(graph, others, lang)
    return out


def ontology_header(graph: Graph, lang: str) -> tuple[Label, list[tuple[str, str]]]:
    """The ontology's title and descriptions."""
    iri = URIRef(ONTOLOGY_IRI)
    titles = dict(_texts(graph, iri, DCTERMS.title) or _texts(graph, iri, RDFS.label))
    picked = pick(titles, lang)
    title = Label(*picked) if picked else Label("CNC ontology", "en")
    return title, _texts(graph, iri, DCTERMS.description)


def shape_iri(name: str) -> URIRef:
    """The IRI of a shape from its local name."""
    return URIRef(SHAPES_NS + name)


def term_instances(index: GraphIndex, iri: URIRef, lang: str,
                   limit: int) -> list[tuple[URIRef, Label]]:
    """The first ``limit`` entities typed ``iri`` (by IRI), each with its name in ``lang``."""
    return [(i, name_of(index, i, lang)) for i in index.instances(iri, limit)]
