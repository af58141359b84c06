"""Where an IRI lives on this server: persistent IRIs under the base map to local paths.

RDF always keeps the persistent IRIs; only HTML links are rewritten, so a local server's pages
link to itself.
"""

from __future__ import annotations

import re

from rdflib import URIRef

from server.config import BASE_IRI, DATA_NS

# Entity slugs (ontology/README.md): lower-case letters, digits and hyphens.
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def local_path(iri: str, base_iri: str = BASE_IRI) -> str | None:
    """``/id/cnrs`` for ``https://w3id.org/cnc-kg/id/cnrs``; ``None`` for IRIs elsewhere."""
    if iri.startswith(base_iri):
        return "/" + iri[len(base_iri):]
    return None


def href(iri: str, base_iri: str = BASE_IRI) -> str:
    """The link target of ``iri`` in an HTML page: local path if ours, else the IRI itself."""
    return local_path(iri, base_iri) or iri


def entity_iri(slug: str) -> URIRef | None:
    """The entity IRI of a slug taken from a URL, or ``None`` if it cannot be one of ours."""
    return URIRef(DATA_NS + slug) if SLUG.match(slug) else None


def local_name(iri: str) -> str:
    """The last segment of an IRI (after ``#`` or ``/``), a readable last-resort label."""
    return re.split(r"[#/]", iri.rstrip("/#"))[-1] or iri
