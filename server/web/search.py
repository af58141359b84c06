"""Search: the results page and the JSON autocomplete API over every name of every entity,
and the names of a batch of IRIs (the query page's result table)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, request

from server.services.iris import href
from server.services.labels import MAX_IRIS, labels
from server.services.search import MAX_RESULTS, search
from server.web.context import index, page_language
from server.web.page_response import finish, html_only, render_page, vary_on

bp = Blueprint("search", __name__)

AUTOCOMPLETE_LIMIT = 10


@bp.route("/search")
@html_only
def search_page() -> Response:
    """Results for ``?q=``, best first."""
    lang = page_language()
    query = request.args.get("q", "")
    hits = search(index(), query, lang) if query.strip() else []
    return render_page("pages/search.html", lang, query=query, hits=hits)


@bp.route("/api/search")
def autocomplete() -> Response:
    """``[{"iri", "label", "lang", "matched", "url", "types", "kind", "description"}]`` for
    ``?q=`` (``limit`` ≤ 50): ``kind`` names the entity's type, ``description`` is one line of
    its description (or its country, date and parent), both in the page language."""
    lang = page_language()
    try:
        limit = min(int(request.args.get("limit", AUTOCOMPLETE_LIMIT)), MAX_RESULTS)
    except ValueError:
        limit = AUTOCOMPLETE_LIMIT
    hits = search(index(), request.args.get("q", ""), lang, limit)
    response = jsonify([{"iri": str(h.iri), "label": h.label.text, "lang": h.label.lang,
                         "matched": h.matched.text, "matchedLang": h.matched.lang,
                         "url": href(str(h.iri)), "types": [str(t) for t in h.types],
                         "kind": h.kind.text if h.kind else "",
                         "description": h.description.text if h.description else
                         " · ".join(part.text for part in h.context),
                         "descriptionLang": h.description.lang if h.description else lang}
                        for h in hits])
    vary_on(response, "Accept-Language", "Cookie")
    return finish(response)


@bp.route("/api/labels", methods=["GET", "POST"])
def iri_labels() -> Response:
    """``{iri: {"label", "lang", "short", "url"}}`` for each ``iri`` parameter (form-encoded
    in a POST for long lists; at most ``MAX_IRIS``), named in the page language."""
    iris = request.values.getlist("iri")
    if len(iris) > MAX_IRIS:
        abort(400, description=f"at most {MAX_IRIS} iri parameters per request")
    response = jsonify(labels(index(), iris, page_language()))
    vary_on(response, "Accept-Language", "Cookie")
    return finish(response)
