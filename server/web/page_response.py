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
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Response, render_template, request
from rdflib import BNode, Graph
from rdflib.compare import to_canonical_graph
from werkzeug.http import http_date, is_resource_modified, quote_etag

from server.config import BASE_IRI
from server.namespaces import PREFIXES, bind_prefixes
from server.services import i18n
from server.services.iris import href
from server.web.context import LANG_COOKIE, index
from server.web.negotiation import GRAPH_FORMATS, HTML, Format, negotiate
from server.web.page_cache import MISSING, entries_of, memo

LANG_COOKIE_MAX_AGE = 365 * 24 * 3600
HTML_TYPE = "text/html; charset=utf-8"
GZIP_MIN_BYTES = 512            # below this, gzip's header costs more than it saves
COMPRESSIBLE = ("text/", "application/ld+json", "application/n-triples", "application/rdf+xml",
                "application/json", "application/xml", "image/svg+xml",
                "application/sparql-results+json", "application/sparql-results+xml")
JSONLD_CONTEXT = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
SINGLE_RANGE = re.compile(r"bytes=(?:[0-9]+-[0-9]*|-[0-9]+)")   # one byte range (RFC 9110 §14.1)


def vary_on(response: Response, *names: str) -> None:
    """Add ``names`` to the response's ``Vary`` header (once each). Werkzeug's ``vary`` set
    parses and rewrites the header at each change: three changes cost a cached page 4 % of its
    throughput."""
    present = response.headers.get("Vary")
    if not present:
        response.headers["Vary"] = ", ".join(names)
        return
    known = {name.strip().lower() for name in present.split(",")}
    missing = [name for name in names if name.lower() not in known]
    if missing:
        response.headers["Vary"] = ", ".join((present, *missing))


def html_only(view: Callable[..., Response]) -> Callable[..., Response]:
    """A view of a page that has no RDF form: 406 when the client's ``Accept`` refuses HTML
    (RFC 9110 §15.5.7), never HTML sent to a client that asked for something else."""
    @functools.wraps(view)
    def negotiated(*args, **kwargs) -> Response:
        negotiate((HTML,), request.headers.get("Accept"), request.args.get("format"))
        response = view(*args, **kwargs)
        vary_on(response, "Accept")
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
    """Finish an HTML page in ``lang`` (language cookie, Vary, gzip, ETag) as ``finish`` does,
    its headers written in one go."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    headers = [("Content-Language", lang), ("Vary", "Accept-Language, Cookie, Accept-Encoding")]
    if status == 200:
        data, described = _sent(HTML_TYPE, None, data, _wants_gzip(HTML_TYPE, data))
        headers += described
    response = Response(data, status=status, content_type=HTML_TYPE, headers=headers)
    if request.args.get("lang") in i18n.LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=LANG_COOKIE_MAX_AGE, samesite="Lax")
    return _conditional(response) if status == 200 else response


def replayed(*varied: str) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Keep a view's finished answers and send one again, without running the view, to a
    request that asks for it the same way: same build, path, query string and values of the
    request headers ``varied`` (those its answers vary on). This is a shared cache's rule
    (RFC 9111 §4.1) applied inside the worker: the most requested answer, a cached entity page,
    then costs little more than the cheapest route (the view's own work — negotiation, page
    language, cache lookups, headers — was a third of it).

    Kept: a 200 whose ``Vary`` names only headers of ``varied``, that sets no cookie, answered
    to a request without conditions; a conditional request for a kept answer is answered from
    it (304 when fresh)."""
    environ_names = tuple("HTTP_" + name.upper().replace("-", "_") for name in varied)
    allowed = frozenset(name.lower() for name in varied)

    def decorate(view: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(view)
        def replay(*args, **kwargs) -> Response:
            environ = request.environ
            key = (index().version, environ.get("PATH_INFO"), environ.get("QUERY_STRING"),
                   *[environ.get(name) for name in environ_names])
            answers = entries_of(replay)
            kept = answers.get(key)
            if kept is not MISSING:
                body, headers = kept
                return _conditional(Response(body, headers=headers))
            response = view(*args, **kwargs)
            if _replayable(response, allowed) and not _has_conditions(environ):
                answers.put(key, (response.get_data(), tuple(response.headers)))
            return response
        return replay
    return decorate


def _replayable(response: Response, allowed: frozenset[str]) -> bool:
    """A complete 200 that depends on no request header but ``allowed`` and sets no cookie (a
    cookie's expiry date is of its own time)."""
    if response.status_code != 200 or response.direct_passthrough \
            or "Set-Cookie" in response.headers:
        return False
    vary = response.headers.get("Vary", "")
    return all(name.strip().lower() in allowed for name in vary.split(",") if name.strip())


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


@dataclass(frozen=True)
class _Representation:
    """A body as sent (gzipped or not) and the headers that say so: ``Content-Encoding`` when
    it was gzipped here, and its ETag."""

    body: bytes
    headers: tuple[tuple[str, str], ...]


def _representation(content_type: str, encoding: str | None, body: bytes,
                    gzip_it: bool) -> _Representation:
    """The representation of ``body`` (in ``encoding`` already, or gzipped now); the tag names
    its type and encoding as well as its bytes."""
    gzipped: tuple[tuple[str, str], ...] = ()
    if gzip_it:
        body, encoding = gzip.compress(body, compresslevel=6, mtime=0), "gzip"
        gzipped = (("Content-Encoding", "gzip"),)
    digest = hashlib.sha256(f"{content_type}\n{encoding or ''}\n".encode() + body)
    return _Representation(body, (*gzipped, ("ETag", quote_etag(digest.hexdigest()[:32]))))


def _sent(content_type: str, encoding: str | None, body: bytes,
          gzip_it: bool) -> tuple[bytes, list[tuple[str, str]]]:
    """The body to send and the headers that describe it (encoding, ETag, Last-Modified: the
    build's time). Kept because the same cached pages are sent again and again: their gzip and
    tag are computed once (``per_page`` keeps a page as one bytes object, hashed once)."""
    sent = memo(_representation, content_type, encoding, body, gzip_it)
    headers = list(sent.headers)
    built = index().built
    if built is not None:
        headers.append(("Last-Modified", _http_date(built)))
    return sent.body, headers


@functools.lru_cache(maxsize=16)
def _http_date(text: str) -> str:
    """An ISO 8601 timestamp (the build's) as an HTTP date (RFC 9110 §5.6.7)."""
    return http_date(datetime.datetime.fromisoformat(text))


# Request headers that make a GET conditional or partial (RFC 9110 §13.1, §14.2): without any of
# them the full representation is the answer, and nothing needs comparing.
_CONDITIONS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH",
               "HTTP_IF_UNMODIFIED_SINCE", "HTTP_IF_RANGE", "HTTP_RANGE")


def _wants_gzip(media_type: str, body: bytes) -> bool:
    """Whether ``body`` (of ``media_type``) is worth gzipping and the client accepts it."""
    return (len(body) >= GZIP_MIN_BYTES and media_type.startswith(COMPRESSIBLE)
            and "gzip" in request.headers.get("Accept-Encoding", "").lower())


def _accepts_gzip(response: Response, body: bytes) -> bool:
    vary_on(response, "Accept-Encoding")
    return _wants_gzip(response.mimetype, body)


def _has_conditions(environ: dict) -> bool:
    return any(name in environ for name in _CONDITIONS)


def _conditional(response: Response) -> Response:
    """304 (or 412) when the request's conditions say so; compared only when it has any."""
    if _has_conditions(request.environ):
        return response.make_conditional(request)
    return response


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
        encoding = response.content_encoding
        gzip_it = _accepts_gzip(response, body) and encoding is None
        data, headers = _sent(response.content_type, encoding, body, gzip_it)
        if gzip_it:
            response.set_data(data)
        for name, value in headers:
            response.headers[name] = value
        if ranges:
            return response.make_conditional(_range_environ(response), accept_ranges=True,
                                             complete_length=len(data))
        return _conditional(response)
    return response
