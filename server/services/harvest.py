"""Harvesting: the VoID + DCAT description of the dataset (https://www.w3.org/TR/void/,
https://www.w3.org/TR/vocab-dcat-3/) with its dumps, and the sitemap's URLs."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID, XSD

from server.config import DATA_NS, DATASET_IRI, ONTOLOGY_NS
from server.namespaces import PREFIXES, bind_prefixes
from server.services.index import GraphIndex
from server.services.iris import local_path
from server.services.published import Published
from server.store.base import Store

DATA_LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
CNC_IRI = URIRef(DATA_NS + "cnc")

TITLES = {"fr": "Graphe de connaissances du Centre franco-chinois sur la Neutralité Carbone",
          "en": "Knowledge graph of the Franco-Chinese Carbon Neutrality Center",
          "zh": "中法碳中和中心知识图谱"}
DESCRIPTIONS = {
    "en": "Sourced linked data about the CNC: its network nodes, partner organisations, "
          "agreements, events, funding instruments and declared figures.",
    "fr": "Données liées et sourcées sur le CNC : nœuds du réseau, organisations partenaires, "
          "accords, événements, instruments de financement et chiffres déclarés.",
    "zh": "关于中法碳中和中心的关联数据，每项均注明来源：网络节点、合作机构、协议、活动、"
          "资助工具和公布的数字。",
}
# Checksums of distributions, as DCAT 3 gives them (SPDX terms):
# https://www.w3.org/TR/vocab-dcat-3/#Property:distribution_checksum
SPDX = Namespace("http://spdx.org/rdf/terms#")


def description(store: Store, index: GraphIndex, published: Published,
                public_url: str) -> Graph:
    """The VoID + DCAT description of the dataset, with links on the server at ``public_url``."""
    graph = bind_prefixes(Graph())
    dataset = URIRef(DATASET_IRI)
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, RDF.type, DCAT.Dataset))
    for lang, title in TITLES.items():
        graph.add((dataset, DCTERMS.title, Literal(title, lang=lang)))
    for lang, text in DESCRIPTIONS.items():
        graph.add((dataset, DCTERMS.description, Literal(text, lang=lang)))
    graph.add((dataset, DCTERMS.license, DATA_LICENSE))
    built = published.build_date()
    if built is not None:
        graph.add((dataset, DCTERMS.modified, Literal(built.isoformat(), datatype=XSD.dateTime)))
    graph.add((dataset, DCAT.landingPage, URIRef(public_url)))
    graph.add((dataset, VOID.triples, Literal(store.triple_count(), datatype=XSD.integer)))
    graph.add((dataset, VOID.entities, Literal(index.entity_count(), datatype=XSD.integer)))
    class_counts, property_counts = index.class_counts(), index.property_counts()
    graph.add((dataset, VOID.classes, Literal(len(class_counts), datatype=XSD.integer)))
    graph.add((dataset, VOID.properties, Literal(len(property_counts),
                                                 datatype=XSD.integer)))
    graph.add((dataset, VOID.uriSpace, Literal(DATA_NS)))
    graph.add((dataset, VOID.sparqlEndpoint, URIRef(public_url + "sparql")))
    if index.knows(CNC_IRI):
        graph.add((dataset, VOID.rootResource, CNC_IRI))
        graph.add((dataset, VOID.exampleResource, CNC_IRI))
    for vocabulary in vocabularies(index):
        graph.add((dataset, VOID.vocabulary, vocabulary))
    for cls, count in sorted(class_counts.items()):
        partition = BNode()
        graph.add((dataset, VOID.classPartition, partition))
        graph.add((partition, VOID["class"], cls))
        graph.add((partition, VOID.entities, Literal(count, datatype=XSD.integer)))
    for prop, count in sorted(property_counts.items()):
        partition = BNode()
        graph.add((dataset, VOID.propertyPartition, partition))
        graph.add((partition, VOID.property, prop))
        graph.add((partition, VOID.triples, Literal(count, datatype=XSD.integer)))
    for file in published.dumps():
        if file.dump.name == "context.jsonld":
            continue
        url = URIRef(public_url + "dumps/" + file.dump.name)
        graph.add((dataset, VOID.dataDump, url))
        distribution = BNode()
        graph.add((dataset, DCAT.distribution, distribution))
        graph.add((distribution, RDF.type, DCAT.Distribution))
        graph.add((distribution, DCTERMS.title, Literal(file.dump.label, lang="en")))
        graph.add((distribution, DCAT.downloadURL, url))
        graph.add((distribution, DCAT.mediaType, URIRef(
            "https://www.iana.org/assignments/media-types/" + file.dump.media_type)))
        if file.dump.gzipped:
            graph.add((distribution, DCAT.compressFormat,
                       URIRef("https://www.iana.org/assignments/media-types/application/gzip")))
        graph.add((distribution, DCAT.byteSize,
                   Literal(file.size, datatype=XSD.nonNegativeInteger)))
        graph.add((distribution, DCTERMS.modified,
                   Literal(file.modified.isoformat(), datatype=XSD.dateTime)))
        graph.add((distribution, DCTERMS.license, DATA_LICENSE))
        checksum = BNode()
        graph.add((distribution, SPDX.checksum, checksum))
        graph.add((checksum, RDF.type, SPDX.Checksum))
        graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        graph.add((checksum, SPDX.checksumValue, Literal(file.sha256, datatype=XSD.hexBinary)))
    service = URIRef(public_url + "sparql")
    graph.add((service, RDF.type, DCAT.DataService))
    graph.add((service, DCAT.endpointURL, service))
    graph.add((service, DCAT.servesDataset, dataset))
    return graph


def vocabularies(index: GraphIndex) -> list[URIRef]:
    """Namespaces of the properties and classes the data uses (our ontology first)."""
    used = set(index.property_counts()) | set(index.class_counts())
    found = [URIRef(str(ns)) for prefix, ns in PREFIXES.items()
             if prefix not in ("kg", "cncsh") and any(str(t).startswith(str(ns)) for t in used)]
    return sorted(found, key=lambda ns: (str(ns) != ONTOLOGY_NS, str(ns)))


# Pages for people (HTML) that are not entities, listed first in the sitemap; the entity pages
# that follow also answer RDF. Pages without an RDF form are never claimed as RDF.
SITEMAP_PAGES = ("/", "/list/", "/timeline", "/network", "/dumps/", "/ontology", "/quality")


def sitemap_files(index: GraphIndex, per_file: int) -> int:
    """How many sitemap files list every page, ``per_file`` URLs each."""
    return max(1, -(-(len(SITEMAP_PAGES) + index.entity_count()) // per_file))


def sitemap_paths(index: GraphIndex, offset: int, limit: int) -> list[str]:
    """Local paths of the sitemap's URLs from ``offset``: the pages, then every entity page."""
    pages = list(SITEMAP_PAGES[offset:offset + limit])
    start = max(0, offset - len(SITEMAP_PAGES))
    entities = index.entities(start, limit - len(pages)) if limit > len(pages) else []
    return pages + [path for path in (local_path(str(iri)) for iri in entities) if path]
