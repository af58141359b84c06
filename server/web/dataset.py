"""The dataset page for people: what ``/dataset`` and ``/.well-known/void`` answer a browser
(``web/harvest.py`` negotiates; RDF clients get VoID and DCAT there)."""

from __future__ import annotations

from flask import Response

from server.services.dataset import dataset_view
from server.web.context import current_published, index, page_language
from server.web.negotiation import GRAPH_FORMATS
from server.web.page_response import render_page

# The description in each RDF format, as links on the page (``format=`` of the same URL).
RDF_LINKS = tuple((fmt, f"/dataset?format={fmt.name}") for fmt in GRAPH_FORMATS)


def dataset_page() -> Response:
    """The dataset, its size, version, licence, dumps with checksums, change feed, endpoint."""
    lang = page_language()
    return render_page("pages/dataset.html", lang,
                       view=dataset_view(index(), current_published(), lang),
                       alternates=RDF_LINKS)
