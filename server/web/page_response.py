"""What every page and document response of the linked-data blueprints shares: the page
language (``?lang=``, cookie, Accept-Language), rendering, RDF serialisation, gzip and
conditional requests (ETag/Last-Modified, RFC 9110 §13)."""

from __future__ import annotations

import datetime
import functools
import gzip
import hashlib
import re
from collections.abc import Callable
from urllib.parse import urlencode

from flask import Response, render_template, request
from rdflib import BNode, Graph
from rdflib.compare import to_canonical_graph
from werkzeug.http import is_resource_modified

from server.config import BASE_IRI
from server.namespaces import PREFIXES, bind_prefixes
from server.services import i18n
from server.services.iris import href
from server.web.context import LANG_COOKIE, index
from server.web.negotiation import GRAPH_FORMATS, HTML, Format, negotiate
from server.web.page_cache import memo

LANG_COOKIE_MAX_AGE = 365 * 24 * 3600
GZIP_MIN_BYTES = 512            # below this, gzip's header costs more than it saves
COMPRESSIBLE = ("text/", "application/ld+json", "application/n-triples", "application/rdf+xml",
                "application/json", "application/xml", "image/svg+xml",
                "application/sparql-results+json", "application/sparql-results+xml")
JSONLD_CONTEXT = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
SINGLE_RANGE = re.compile(r"bytes=(?:[0-9]+-[0-9]*|-[0-9]+)")   # one byte range (RFC 9110 §14.1)


def html_only(view: Callable[..., Response]) -> Callable[..., Response]:
    """A view of a page that has no RDF form: 406 when the client's ``Accept`` refuses HTML
    (RFC 9110 §15.5.7), never HTML sent to a client that asked for something else."""
    @functools.wraps(view)
    def negotiated(*args, **kwargs) -> Response:
        negotiate((HTML,), request.headers.get("Accept"), request.args.get("format"))
        response = view(*args, **kwargs)
        response.vary.add("Accept")
        return response
    return negotiated


def _switch_links() -> list[tuple[str, str, str]]:
    """(language, its name, this page's URL in it) for the language switcher."""
    args = {k: v for k, v in request.args.items() if k != "lang"}
    return [(lang, i18n.LANGUAGE_NAMES[lang],
             request.path + "?" + urlencode({**args, "lang": lang}))
            for lang in i18n.LANGUAGES]


def render_body(template: str, lang: str, alternates: tuple[tuple[Format, str], ...] = (),
                **context) -> str:
    """The HTML of ``template`` in ``lang`` (language switcher, alternates, links)."""
    return render_template(
        template, lang=lang, t=i18n.ui(lang), languages=_switch_links(),
        alternates=alternates, href=lambda iri: href(str(iri), BASE_IRI),
        language_badge=lambda tag: i18n.language_badge(tag, lang), base_iri=BASE_IRI,
        **context)


def page_response(body: str | bytes, lang: str, status: int = 200) -> Response:
    """Finish an HTML page in ``lang`` (language cookie, Vary, gzip, ETag)."""
    response = Response(body, status=status, content_type="text/html; charset=utf-8")
    response.content_language = lang
    if request.args.get("lang") in i18n.LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=LANG_COOKIE_MAX_AGE, samesite="Lax")
    response.vary.update(("Accept-Language", "Cookie"))
    return finish(response)


def render_page(template: str, lang: str, status: int = 200,
                alternates: tuple[tuple[Format, str], ...] = (), **context) -> Response:
    """Render ``template`` in ``lang`` and finish the response."""
    return page_response(render_body(template, lang, alternates, **context), lang, status)


def serialize(graph: Graph, fmt: Format) -> bytes:
    """``graph`` in one of the RDF formats of ``GRAPH_FORMATS``.

    Blank nodes get canonical labels first, so the same graph gives the same bytes (and ETag).
    """
    if any(isinstance(term, BNode) for triple in graph for term in triple):
        canonical = bind_prefixes(Graph())
        canonical += to_canonical_graph(graph)
        graph = canonical
    if fmt.name == "jsonld":
        return graph.serialize(format="json-ld", context=JSONLD_CONTEXT,
                               auto_compact=True).encode("utf-8")
    return graph.serialize(format=fmt.rdflib, encoding="utf-8")


def rdf_response(graph: Graph | bytes, fmt: Format, media_type: str | None = None) -> Response:
    """An RDF document response from a graph or its serialised bytes (CORS comes from the app
    for every response)."""
    content_type = media_type or fmt.media_type
    if not content_type.startswith("application/ld+json") and fmt.name != "rdfxml":
        content_type += "; charset=utf-8"
    body = graph if isinstance(graph, bytes) else serialize(graph, fmt)
    return finish(Response(body, content_type=content_type))


def format_by_extension(extension: str) -> Format | None:
    """The RDF format of a file extension (``ttl``, ``nt``, ``jsonld``, ``rdf``), if any."""
    return next((f for f in GRAPH_FORMATS if f.extension == extension), None)


def _etag(content_type: str, encoding: str, body: bytes) -> str:
    return hashlib.sha256(f"{content_type}\n{encoding}\n".encode() + body).hexdigest()[:32]


@functools.lru_cache(maxsize=16)
def _date(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


def _gzip(body: bytes) -> bytes:
    return gzip.compress(body, compresslevel=6, mtime=0)


def _gzipped(body: bytes) -> bytes:
    """gzip of a body; cached because the same cached pages are sent again and again."""
    return memo(_gzip, body)


def _accepts_gzip(response: Response, body: bytes) -> bool:
    response.vary.add("Accept-Encoding")
    return (len(body) >= GZIP_MIN_BYTES
            and any(response.mimetype.startswith(p) for p in COMPRESSIBLE)
            and "gzip" in request.headers.get("Accept-Encoding", "").lower())


def compress(response: Response) -> Response:
    """gzip a one-off answer (a query's) when the client accepts it; level 4: most of the
    saving at a fraction of the CPU of level 9 on answers of megabytes."""
    if response.status_code == 200 and not response.direct_passthrough:
        body = response.get_data()
        if _accepts_gzip(response, body):
            response.set_data(gzip.compress(body, compresslevel=4, mtime=0))
            response.headers["Content-Encoding"] = "gzip"
    return response


def _range_environ(response: Response) -> dict:
    """The request's environment with its ``Range`` kept only when one byte range is asked of
    a representation that changed (RFC 9110 §13.2.2: a fresh copy answers 304 first; §14.2: a
    server may ignore a Range it does not serve, such as several ranges or another unit)."""
    environ = dict(request.environ)
    asked = environ.get("HTTP_RANGE", "")
    unchanged = not is_resource_modified(environ, response.headers.get("ETag"),
                                         last_modified=response.headers.get("Last-Modified"))
    if unchanged or not SINGLE_RANGE.fullmatch(asked.strip()):
        environ.pop("HTTP_RANGE", None)
    return environ


def finish(response: Response, ranges: bool = False) -> Response:
    """Compress when the client accepts gzip (unless the response is encoded already), tag with
    ETag/Last-Modified, answer 304 if fresh; with ``ranges``, serve one byte range of the body
    (206, 416 if it is outside; ``Accept-Ranges: bytes``), as downloads resume."""
    if response.status_code == 200 and not response.direct_passthrough:
        body = response.get_data()
        if _accepts_gzip(response, body) and "Content-Encoding" not in response.headers:
            body = _gzipped(body)
            response.set_data(body)
            response.headers["Content-Encoding"] = "gzip"
        # The tag names the representation: its type and encoding as well as its bytes.
        response.set_etag(memo(_etag, response.content_type, response.content_encoding or "",
                               body))
        built = index().built
        if built is not None:
            response.last_modified = _date(built)
        if ranges:
            response = response.make_conditional(_range_environ(response), accept_ranges=True,
                                                 complete_length=len(body))
        else:
            response = response.make_conditional(request)
    return response
