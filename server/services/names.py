"""The name of any IRI a page shows, in the reader's language: the graph's own names (from the
page index), else our names of the other vocabularies' terms the data uses
(``i18n.EXTERNAL_NAMES``), else the IRI's last segment."""

from __future__ import annotations

from rdflib import URIRef

from server.languages import pick
from server.services.i18n import EXTERNAL_NAMES
from server.services.index import GraphIndex, Label
from server.services.iris import local_name


def name(index: GraphIndex, iri: str, lang: str) -> Label:
    """The name of ``iri`` in ``lang`` (fallback order of ``server.languages``)."""
    label = index.label(iri, lang)
    ours = EXTERNAL_NAMES.get(URIRef(iri))
    if ours and not label.lang and label.text == local_name(str(iri)):
        return Label(*pick(ours, lang))
    return label


def names(index: GraphIndex, iri: str) -> dict[str, str]:
    """``{lang: name}`` of ``iri``: the graph's names, else ours of an external term."""
    return index.names(str(iri)) or dict(EXTERNAL_NAMES.get(URIRef(iri), {}))
