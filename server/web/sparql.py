"""The SPARQL 1.1 Protocol endpoint, read-only (https://www.w3.org/TR/sparql11-protocol/).

``GET /sparql?query=``, ``POST`` form-encoded, ``POST`` ``application/sparql-query``; an HTML
query page for browsers and a Service Description for RDF clients when no query is given.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, request

from server.services import endpoint as service
from server.web.context import current_settings, current_store, page_language, plain_error
from server.web.negotiation import GRAPH_FORMATS, HTML, RESULT_FORMATS, Choice, Format, negotiate
from server.web.page_cache import per_version
from server.web.page_response import compress, render_page, vary_on
from server.web.query_page import page_context

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"
READING = ("GET", "HEAD")      # HEAD answers as GET does, without the body
READ_ONLY = ("This endpoint is read-only: SPARQL Update is not accepted. "
             "Download the data from /.well-known/void to change a copy.")
# SPARQLWrapper 2.0 sends a query as update= when a comment before it holds "create", "add"
# (in "address"), "load"…: its comment stripper keeps every other comment line and its form
# detection has no word boundaries. docs/clients.md says how to avoid it.
QUERY_AS_UPDATE = ("This endpoint is read-only, and this request sends a {form} query as a "
                   "SPARQL Update (update=). SPARQLWrapper 2.0 does that when a comment before "
                   "the query holds a word such as 'create' or 'address': remove the comments "
                   "or set the client's queryType after setQuery (see docs/clients.md).")


def _read_only(update: str | None) -> Response:
    """403 for an update; the message says so when the 'update' is in fact a query."""
    form = service.form_if_query(update or "")
    if form is None:
        return plain_error(403, READ_ONLY)
    return plain_error(403, QUERY_AS_UPDATE.format(form=form.upper()))


def _one_query(*sources) -> str | None:
    """The ``query`` parameter, which the protocol allows once (400 if repeated)."""
    queries = [q for source in sources for q in source.getlist("query")]
    if len(queries) > 1:
        abort(plain_error(400, f"{len(queries)} 'query' parameters: a request carries one "
                               "query (SPARQL 1.1 Protocol, 2.1)"))
    return queries[0] if queries else None


def _protocol_request() -> tuple[str | None, list[str], list[str]]:
    """(query, default-graph-uri list, named-graph-uri list) of a protocol request.

    Aborts with 400 for repeated queries, 403 for updates, 413 for oversized queries, 415 for
    unknown bodies.
    """
    limit = current_settings().max_query_bytes
    if request.method in READING:
        params = request.args
        if "update" in params:
            abort(_read_only(params.get("update")))
        query = _one_query(params)
    else:
        mime = request.mimetype
        body_limit = current_settings().max_body_bytes
        if request.content_length is not None and request.content_length > body_limit:
            abort(plain_error(413, f"Request body over {body_limit} bytes"))
        if mime == FORM:
            params = request.form
            if "update" in params:
                abort(_read_only(params.get("update")))
            query = _one_query(params, request.args)
        elif mime == QUERY_BODY:
            params = request.args
            if "query" in params:
                abort(plain_error(400, "a query in the body (application/sparql-query) and "
                                       "another in the URL: send one"))
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
    return _response(_service_document(choice.format), choice)


@per_version
def _service_document(fmt: Format) -> bytes:
    """The Service Description in ``fmt``, computed once per graph version."""
    public_url = current_settings().public_url
    endpoint, void_url = public_url + "sparql", public_url + ".well-known/void"
    graph = service.service_description(current_store(), current_settings(), endpoint, void_url)
    return graph.serialize(format=fmt.rdflib, encoding="utf-8")


def _page(query: str) -> Response:
    """The query page, in the site's layout and the page language (``?lang=``, cookie)."""
    lang = page_language()
    response = render_page("sparql/query.html", lang, **page_context(query, lang))
    vary_on(response, "Accept")
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
    if request.method in READING:
        table = (*table, HTML)          # a permalink opened in a browser shows the page
    choice = _choice(table)
    if choice.format is HTML:
        return _page(query)
    settings = current_settings()
    result = service.answer(current_store(), query, choice.format.media_type, default_graphs,
                            named_graphs)
    response = _response(result.body or b"", choice)
    response.headers["Cnc-Kg-Result-Limit"] = str(settings.max_result_rows)
    response.headers["Cnc-Kg-Result-Byte-Limit"] = str(settings.max_result_bytes)
    if result.truncated:
        response.headers["Cnc-Kg-Result-Truncated"] = "true"
    if request.values.get("format"):
        name = f"results.{choice.format.extension}"
        response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response
