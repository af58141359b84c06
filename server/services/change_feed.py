"""The dataset's history for harvesters: the Atom change feed, its JSON twin, per-version dumps
and the DCAT version links.

Atom: https://www.rfc-editor.org/rfc/rfc4287; DCAT versions:
https://www.w3.org/TR/vocab-dcat-3/#dataset-versions.

Everything is read from the versions the build recorded (server/project/versions.py).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, XSD, ClosedNamespace

from server.config import DATASET_IRI
from server.namespaces import bind_prefixes
from server.services.harvest import DATA_LICENSE, TITLES
from server.services.published import Published

# DCAT 3 versioning terms, which rdflib's DCAT (version 2) does not know yet.
DCAT_VERSIONS = ClosedNamespace(str(DCAT), ["version", "previousVersion", "hasVersion",
                                            "hasCurrentVersion"])
ATOM_NS = "http://www.w3.org/2005/Atom"
XHTML_NS = "http://www.w3.org/1999/xhtml"
ATOM_MEDIA_TYPE = "application/atom+xml"
FEED_PATH = "changes.atom"
JSON_PATH = "changes.json"
VERSION_DUMPS_PATH = "dumps/versions/"
MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
# The kinds of change, in the order the feed lists them.
CHANGE_KINDS = ("added", "changed", "removed")

ET.register_namespace("", ATOM_NS)


def version_iri(number: int) -> URIRef:
    """The persistent IRI of one version of the dataset (served at ``/dataset/v<N>``)."""
    return URIRef(f"{DATASET_IRI}/v{number}")


def feed_entries(published: Published, public_url: str, since: int = 0) -> list[dict]:
    """The versions after ``since``, newest first, each with the absolute URL of its dump."""
    return [{**entry, "iri": str(version_iri(entry["number"])),
             "dump": public_url + VERSION_DUMPS_PATH + entry["dump"].rsplit("/", 1)[-1]}
            for entry in published.versions(since)]


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attributes)
    if text is not None:
        element.text = text
    return element


def _changes_xhtml(content: ET.Element, entry: dict) -> None:
    """The entry's content: one list of entity IRIs per kind of change, as XHTML."""
    div = ET.SubElement(content, f"{{{XHTML_NS}}}div")
    for kind in CHANGE_KINDS:
        heading = ET.SubElement(div, f"{{{XHTML_NS}}}h2")
        heading.text = f"{kind} ({len(entry[kind])})"
        listing = ET.SubElement(div, f"{{{XHTML_NS}}}ul", {"class": kind})
        for iri in entry[kind]:
            item = ET.SubElement(listing, f"{{{XHTML_NS}}}li")
            ET.SubElement(item, f"{{{XHTML_NS}}}a", {"href": iri}).text = iri


def atom_feed(published: Published, public_url: str, since: int = 0) -> bytes:
    """The change feed as an Atom document: one entry per version, newest first.

    Each entry links to its dump (``rel="enclosure"``) and lists the entity IRIs added, changed
    and removed since the previous version (the first version lists every entity as added).
    """
    every = feed_entries(published, public_url)
    entries = [entry for entry in every if entry["number"] > since]
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    _sub(feed, "id", f"{DATASET_IRI}/changes")
    _sub(feed, "title", f"{TITLES['en']} — changes")
    # The feed changed when the newest version was recorded (epoch: nothing recorded yet).
    _sub(feed, "updated", every[0]["date"] if every else "1970-01-01T00:00:00+00:00")
    author = _sub(feed, "author")
    _sub(author, "name", "CNC knowledge graph curators")
    _sub(feed, "link", rel="self", type=ATOM_MEDIA_TYPE, href=public_url + FEED_PATH)
    _sub(feed, "link", rel="alternate", type="application/json", href=public_url + JSON_PATH)
    _sub(feed, "link", rel="related", type="text/turtle", href=public_url + "dataset")
    _sub(feed, "rights", "CC BY 4.0 " + str(DATA_LICENSE))
    for entry in entries:
        item = _sub(feed, "entry")
        _sub(item, "id", entry["iri"])
        _sub(item, "title", f"Version {entry['number']}")
        _sub(item, "updated", entry["date"])
        _sub(item, "published", entry["date"])
        _sub(item, "link", rel="enclosure", type="application/gzip", href=entry["dump"],
             title=f"v{entry['number']} N-Triples (gzip), sha256 {entry['sha256']}")
        _sub(item, "link", rel="alternate", type="text/turtle",
             href=public_url + f"dataset/v{entry['number']}")
        _sub(item, "summary", ", ".join(f"{len(entry[kind])} {kind}" for kind in CHANGE_KINDS))
        _changes_xhtml(_sub(item, "content", type="xhtml"), entry)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _version_node(graph: Graph, entry: dict, public_url: str) -> URIRef:
    """Describe one version: a dataset with its date, its predecessor and its dump."""
    node = version_iri(entry["number"])
    graph.add((node, RDF.type, DCAT.Dataset))
    graph.add((node, DCAT_VERSIONS.version, Literal(str(entry["number"]))))
    graph.add((node, DCTERMS.issued, Literal(entry["date"], datatype=XSD.dateTime)))
    graph.add((node, DCTERMS.isVersionOf, URIRef(DATASET_IRI)))
    graph.add((node, DCTERMS.license, DATA_LICENSE))
    if entry["previous"] is not None:
        graph.add((node, DCAT_VERSIONS.previousVersion, version_iri(entry["previous"])))
    distribution = BNode()
    graph.add((node, DCAT.distribution, distribution))
    graph.add((distribution, RDF.type, DCAT.Distribution))
    graph.add((distribution, DCAT.downloadURL, URIRef(entry["dump"])))
    graph.add((distribution, DCAT.mediaType, URIRef(MEDIA_TYPES + "application/n-triples")))
    graph.add((distribution, DCAT.compressFormat, URIRef(MEDIA_TYPES + "application/gzip")))
    graph.add((distribution, DCTERMS.license, DATA_LICENSE))
    return node


def add_versions(graph: Graph, dataset: URIRef, published: Published, public_url: str) -> None:
    """Add the version links to the dataset's description: ``dcat:version`` (the current
    number), ``dcat:previousVersion``, ``dcat:hasVersion``/``dcat:hasCurrentVersion`` and every
    version with its ``dcat:distribution`` (its dump), so a harvester can sync incrementally."""
    entries = feed_entries(published, public_url)
    if not entries:
        return
    current = entries[0]
    graph.add((dataset, DCAT_VERSIONS.version, Literal(str(current["number"]))))
    graph.add((dataset, DCAT_VERSIONS.hasCurrentVersion, version_iri(current["number"])))
    if current["previous"] is not None:
        graph.add((dataset, DCAT_VERSIONS.previousVersion, version_iri(current["previous"])))
    for entry in entries:
        graph.add((dataset, DCAT_VERSIONS.hasVersion, _version_node(graph, entry, public_url)))


def version_description(published: Published, public_url: str, number: int) -> Graph | None:
    """The description of one version (what ``/dataset/v<N>`` serves), ``None`` if unknown."""
    entry = next((e for e in feed_entries(published, public_url) if e["number"] == number), None)
    if entry is None:
        return None
    graph = bind_prefixes(Graph())
    _version_node(graph, entry, public_url)
    return graph
