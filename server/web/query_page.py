"""What the HTML query page shows: the catalogue as questions in the page language (each a
link that runs its query), the prefixes every query may use undeclared, the formats to
download, and the words its script writes (in the page language)."""

from __future__ import annotations

from urllib.parse import urlencode

from server.namespaces import PREFIXES
from server.services.i18n import LANGUAGE_NAMES_IN, format_number, ui
from server.services.query_catalogue import catalogue_questions
from server.web.context import current_settings
from server.web.negotiation import GRAPH_FORMATS, RESULT_FORMATS

# A first query that shows what the page does: names and links in the page language.
DEFAULT_QUERY = """SELECT ?node ?partner ?country
WHERE {
  ?node a cnc:NetworkNode ;
        cnc:partner ?partner .
  OPTIONAL { ?partner cnc:country ?country }
}
ORDER BY ?node ?country
LIMIT 100
"""
# The UI strings the page's script writes are those whose key starts with this.
SCRIPT_STRINGS = "q_"


def page_context(query: str, lang: str) -> dict:
    """Template variables of ``sparql/query.html``; ``query`` pre-fills the editor (a
    permalink, run when the page opens)."""
    settings = current_settings()
    catalogue = [{"name": q.name, "question": question,
                  "href": "/sparql?" + urlencode({"query": q.text})}
                 for q, question in catalogue_questions(settings.queries_dir, lang)]
    return {
        "query": query or DEFAULT_QUERY,
        "endpoint_url": settings.public_url + "sparql",
        "catalogue": catalogue,
        "prefixes": [(prefix, str(namespace)) for prefix, namespace in PREFIXES.items()],
        "timeout": f"{settings.query_timeout:g}",
        "max_rows": format_number(settings.max_result_rows, lang),
        "page_config": {
            "autorun": bool(query),
            "lang": lang,
            "labelsApi": "/api/labels",
            "languageNames": LANGUAGE_NAMES_IN[lang],
            "resultFormats": [{"name": f.name, "mediaType": f.media_type} for f in RESULT_FORMATS],
            "graphFormats": [{"name": f.name, "mediaType": f.media_type} for f in GRAPH_FORMATS],
            "maxRows": settings.max_result_rows,
            "maxMegabytes": settings.max_result_bytes / 2**20,
            "strings": {key: text for key, text in ui(lang).items()
                        if key.startswith(SCRIPT_STRINGS)},
        },
    }
