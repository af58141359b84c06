"""Every prefix the project uses, bound once; our own terms as a namespace that refuses typos."""

import re

from rdflib import Graph, Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, TIME, VOID, XSD

from server.config import DATA_NS, ONTOLOGY_NS, SHAPES_NS

KG = Namespace(DATA_NS)
CNCSH = Namespace(SHAPES_NS)
SCHEMA = Namespace("https://schema.org/")
VANN = Namespace("http://purl.org/vocab/vann/")
FRAPO = Namespace("http://purl.org/cerif/frapo/")
SH = Namespace("http://www.w3.org/ns/shacl#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
WD = Namespace("http://www.wikidata.org/entity/")

# CNC is filled in below from the ontology's term list (see cnc_terms.py).
from server.cnc_terms import CNC  # noqa: E402

PREFIXES: dict[str, Namespace] = {
    "cnc": Namespace(ONTOLOGY_NS),
    "kg": KG,
    "cncsh": CNCSH,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "foaf": FOAF,
    "org": ORG,
    "prov": PROV,
    "time": TIME,
    "schema": SCHEMA,
    "dcat": DCAT,
    "void": VOID,
    "vann": VANN,
    "frapo": FRAPO,
    "sh": SH,
    "sd": SD,
    "wd": WD,
}

__all__ = ["CNC", "KG", "CNCSH", "SCHEMA", "VANN", "FRAPO", "SH", "SD", "WD", "PREFIXES",
           "bind_prefixes", "local_name"]


def bind_prefixes(graph: Graph) -> Graph:
    """Bind every project prefix on ``graph`` (replacing rdflib's defaults) and return it."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    return graph


def local_name(iri: str) -> str:
    """The last segment of an IRI (after ``#`` or ``/``), a readable last-resort label."""
    return re.split(r"[#/]", iri.rstrip("/#"))[-1] or iri


def sparql_prologue() -> str:
    """PREFIX lines for the query page and internal queries."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
