"""Names of a batch of IRIs, for the query page's result table: each IRI's name in the reader's
language (when the graph or our vocabulary names it), its short name with one of the project's
prefixes, and where it links (its page here, or the IRI itself when it is a web address)."""

from __future__ import annotations

from rdflib import URIRef

from server.languages import pick
from server.namespaces import PREFIXES
from server.services.index import GraphIndex
from server.services.iris import href
from server.services.names import names

MAX_IRIS = 1000          # IRIs named per request (the page asks in batches)
# Longest namespace first, so that kg: wins over a shorter namespace it starts with.
_NAMESPACES = sorted(((str(ns), prefix) for prefix, ns in PREFIXES.items()),
                     key=lambda pair: -len(pair[0]))


def short_name(iri: str) -> str | None:
    """``kg:cnc`` for ``https://w3id.org/cnc-kg/id/cnc``; ``None`` outside the prefixes."""
    for namespace, prefix in _NAMESPACES:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return None


def labels(index: GraphIndex, iris: list[str], lang: str) -> dict[str, dict]:
    """``{iri: {"label", "lang", "short", "url"}}``: ``label`` is ``None`` when nothing names
    the IRI, ``url`` ``None`` when it is no web address (a URN, a mail address…)."""
    found = {}
    for iri in dict.fromkeys(iris):
        picked = pick(names(index, URIRef(iri)), lang)
        found[iri] = {"label": picked[0] if picked else None,
                      "lang": picked[1] if picked else "",
                      "short": short_name(iri),
                      "url": href(iri)}
    return found
