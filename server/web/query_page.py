"""What the HTML query page shows: prefixes, the example catalogue, the formats to download."""

from __future__ import annotations

from server.config import DATA_NS
from server.namespaces import sparql_prologue
from server.services.query_catalogue import LANGUAGES, load_catalogue
from server.web.context import current_settings
from server.web.negotiation import GRAPH_FORMATS, RESULT_FORMATS


def page_context(query: str) -> dict:
    """Template variables of ``sparql/query.html``; ``query`` pre-fills the editor (permalink)."""
    settings = current_settings()
    prologue = sparql_prologue()
    catalogue = [{"name": q.name, "text": q.text, "questions": q.questions}
                 for q in load_catalogue(settings.queries_dir)]
    return {
        "query": query,
        "endpoint_url": settings.public_url + "sparql",
        "autorun": bool(query),
        "default_query": prologue + "\nSELECT ?s ?p ?o\nWHERE { ?s ?p ?o }\nLIMIT 25\n",
        "catalogue": catalogue,
        "languages": LANGUAGES,
        "page_config": {
            "dataNs": DATA_NS,
            "resultFormats": [{"name": f.name, "mediaType": f.media_type} for f in RESULT_FORMATS],
            "graphFormats": [{"name": f.name, "mediaType": f.media_type} for f in GRAPH_FORMATS],
            "maxRows": settings.max_result_rows,
            "maxMegabytes": settings.max_result_bytes / 2**20,
            "timeout": settings.query_timeout,
        },
    }
