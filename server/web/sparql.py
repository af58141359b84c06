"""The SPARQL 1.1 Protocol endpoint, read-only (https://www.w3.org/TR/sparql11-protocol/).

``GET /sparql?query=``, ``POST`` form-encoded, ``POST`` ``application/sparql-query``; an HTML
query page for browsers and a Service Description for RDF clients when no query is given.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, request, url_for

from server.services import endpoint as service
from server.web.context import current_settings, current_store, page_language, plain_error
from server.web.negotiation import GRAPH_FORMATS, HTML, RESULT_FORMATS, Choice, negotiate
from server.web.page_response import compress, render_page
from server.web.query_page import page_context

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"
READ_ONLY = ("This endpoint is read-only: SPARQL Update is not accepted. "
             "Download the data from /.well-known/void to change a copy.")


def _protocol_request() -> tuple[str | None, list[str], list[str]]:
    """(query, default-graph-uri list, named-graph-uri list) of a protocol request.

    Aborts with 403 for updates, 413 for oversized queries, 415 for unknown bodies.
    """
    limit = current_settings().max_query_bytes
    if request.method == "GET":
        params = request.args
        if "update" in params:
            abort(plain_error(403, READ_ONLY))
        query = params.get("query")
    else:
        mime = request.mimetype
        body_limit = current_settings().max_body_bytes
        if request.content_length is not None and request.content_length > body_limit:
            abort(plain_error(413, f"Request body over {body_limit} bytes"))
        if mime == FORM:
            params = request.form
            if "update" in params:
                abort(plain_error(403, READ_ONLY))
            query = params.get("query")
        elif mime == QUERY_BODY:
            params = request.args
            query = request.get_data(as_text=True)
        elif mime == UPDATE_BODY:
            abort(plain_error(403, READ_ONLY))
        else:
            abort(plain_error(415, f"Unsupported Media Type {mime or '(none)'!r}: send "
                                   f"{FORM} or {QUERY_BODY}"))
    if query is not None and len(query.encode("utf-8")) > limit:
        abort(plain_error(413, f"Query over {limit} bytes (max_query_bytes)"))
    if request.method == "POST" and not query:
        abort(plain_error(400, "Missing the 'query' parameter"))
    return query, params.getlist("default-graph-uri"), params.getlist("named-graph-uri")


def _choice(table: tuple) -> Choice:
    return negotiate(table, request.headers.get("Accept"), request.values.get("format"))


def _describe_service() -> Response:
    """The query page for browsers, the Service Description for RDF clients."""
    choice = _choice((HTML, *GRAPH_FORMATS))
    if choice.format is HTML:
        return _page("")
    endpoint = url_for("sparql.endpoint", _external=True)
    void_url = request.url_root + ".well-known/void"
    graph = service.service_description(current_store(), current_settings(), endpoint, void_url)
    body = graph.serialize(format=choice.format.rdflib, encoding="utf-8")
    return _response(body, choice)


def _page(query: str) -> Response:
    """The query page, in the site's layout and the page language (``?lang=``, cookie)."""
    lang = page_language()
    response = render_page("sparql/query.html", lang, **page_context(query, lang))
    response.vary.add("Accept")
    return response


def _response(body: bytes, choice: Choice) -> Response:
    response = Response(body, content_type=f"{choice.media_type}; charset=utf-8")
    response.headers["Vary"] = "Accept"
    return compress(response)


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    """Answer a SPARQL query in the negotiated format (or describe the service)."""
    query, default_graphs, named_graphs = _protocol_request()
    if query is None:
        return _describe_service()
    form = service.query_form(query)
    table = RESULT_FORMATS if form in ("select", "ask") else GRAPH_FORMATS
    if request.method == "GET":
        table = (*table, HTML)          # a permalink opened in a browser shows the page
    choice = _choice(table)
    if choice.format is HTML:
        return _page(query)
    settings = current_settings()
    result = service.answer(current_store(), query, choice.format.media_type, default_graphs,
                            named_graphs)
    response = _response(result.body or b"", choice)
    response.headers["Cnc-Kg-Result-Limit"] = str(settings.max_result_rows)
    if result.truncated:
        response.headers["Cnc-Kg-Result-Truncated"] = "true"
    if request.values.get("format"):
        name = f"results.{choice.format.extension}"
        response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response
