"""Search: the results page and the JSON autocomplete API over every name of every entity."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from server.services.iris import href
from server.services.search import MAX_RESULTS, search
from server.web.context import index, page_language
from server.web.page_response import finish, render_page

bp = Blueprint("search", __name__)

AUTOCOMPLETE_LIMIT = 10


@bp.route("/search")
def search_page() -> Response:
    """Results for ``?q=``, best first."""
    lang = page_language()
    query = request.args.get("q", "")
    hits = search(index(), query, lang) if query.strip() else []
    return render_page("pages/search.html", lang, query=query, hits=hits, idx=index())


@bp.route("/api/search")
def autocomplete() -> Response:
    """``[{"iri", "label", "lang", "matched", "url", "types"}]`` for ``?q=`` (``limit`` ≤ 50)."""
    lang = page_language()
    try:
        limit = min(int(request.args.get("limit", AUTOCOMPLETE_LIMIT)), MAX_RESULTS)
    except ValueError:
        limit = AUTOCOMPLETE_LIMIT
    hits = search(index(), request.args.get("q", ""), lang, limit)
    response = jsonify([{"iri": str(h.iri), "label": h.label.text, "lang": h.label.lang,
                         "matched": h.matched.text, "matchedLang": h.matched.lang,
                         "url": href(str(h.iri)), "types": [str(t) for t in h.types]}
                        for h in hits])
    response.vary.update(("Accept-Language", "Cookie"))
    return finish(response)
