"""Where an IRI lives on this server: persistent IRIs under the base map to local paths.

RDF always keeps the persistent IRIs; only HTML links are rewritten, so a local server's pages
link to itself.
"""

from __future__ import annotations

import re

from rdflib import URIRef

from server.config import BASE_IRI, DATA_NAMESPACES, DATA_NS
from server.namespaces import local_name

__all__ = ["entity_iri", "entity_spaces", "href", "is_entity", "local_name", "local_path"]

# Entity slugs (ontology/README.md): lower-case letters, digits and hyphens.
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# What may become a link in a page: an absolute http(s) URL without spaces or control characters
# (browsers drop those before reading the scheme, so "java\tscript:" would run as javascript:).
WEB_LINK = re.compile(r"https?://[^\x00-\x20\x7f]*", re.IGNORECASE)


def local_path(iri: str, base_iri: str = BASE_IRI) -> str | None:
    """``/id/cnrs`` for ``https://w3id.org/cnc-kg/id/cnrs``; ``None`` for IRIs elsewhere."""
    if iri.startswith(base_iri):
        return "/" + iri[len(base_iri):]
    return None


def web_link(url: str) -> str | None:
    """``url`` if it may be a link target in a page (http or https), else ``None``: an IRI of
    the data such as ``javascript:…`` or ``data:…`` is shown as text, never followed."""
    return url if WEB_LINK.fullmatch(url) else None


def href(iri: str, base_iri: str = BASE_IRI) -> str | None:
    """The link target of ``iri`` in an HTML page: local path if ours, else the IRI itself if
    it is a web link (``web_link``), else ``None`` (show it as text)."""
    if web_link(iri) is None:
        return None
    return local_path(iri, base_iri) or iri


def entity_iri(slug: str, namespace: str = DATA_NS) -> URIRef | None:
    """The entity IRI of a slug taken from a URL, or ``None`` if it cannot be one of ours."""
    return URIRef(namespace + slug) if SLUG.match(slug) else None


def is_entity(iri: str) -> bool:
    """Whether ``iri`` is in one of the data namespaces (curated or synthetic entities)."""
    return iri.startswith(DATA_NAMESPACES)


def entity_spaces(base_iri: str = BASE_IRI) -> dict[str, str]:
    """``{"id": DATA_NS, "synthetic": SYNTHETIC_NS}``: the first path segment of each data
    namespace's pages and the namespace it serves."""
    return {namespace[len(base_iri):].strip("/"): namespace for namespace in DATA_NAMESPACES}
