"""Harvesting: full dumps with size and date, VoID at /.well-known/void, the DCAT record,
sitemap.xml (https://www.sitemaps.org/protocol.html) and robots.txt."""

from __future__ import annotations

import gzip
from collections.abc import Sequence
from xml.sax.saxutils import escape

from flask import Blueprint, Response, abort, request
from rdflib import Graph, URIRef

from server.config import DATASET_IRI
from server.services import change_feed, harvest
from server.services.dataset import dump_rows, version_rows
from server.web.context import (
    current_published,
    current_settings,
    current_store,
    index,
    page_language,
    whole_number,
)
from server.web.dataset import dataset_page
from server.web.negotiation import GRAPH_FORMATS, HTML, Format, negotiate
from server.web.page_cache import per_version
from server.web.page_response import (
    finish,
    html_only,
    rdf_response,
    render_page,
    serialize,
    vary_on,
)

bp = Blueprint("harvest", __name__)


def _description() -> Graph:
    published, public_url = current_published(), current_settings().public_url
    graph = harvest.description(current_store(), index(), published, public_url)
    change_feed.add_versions(graph, URIRef(DATASET_IRI), published, public_url)
    return graph


@bp.route("/dumps/")
@html_only
def dumps() -> Response:
    """The list of dumps with their size and date, and links to VoID and DCAT."""
    lang = page_language()
    published = current_published()
    return render_page("pages/dumps.html", lang, dumps=dump_rows(published, lang),
                       versions=version_rows(published, lang))


GZIP = "application/gzip"


def _reads_rdf_not_gzip(media_type: str) -> bool:
    """Whether the client prefers the dump's RDF format to a gzip file: RDF libraries ask for
    RDF formats only (Comunica: no ``*/*``), downloaders (curl, wget, browsers) for anything,
    and they get the file."""
    accept = request.accept_mimetypes
    return accept.quality(media_type) > accept.quality(GZIP)


@bp.route("/dumps/<name>")
def dump(name: str) -> Response:
    """One dump file as built by ``cnc-kg build``; byte ranges served (resumed downloads).

    ``cnc-kg.nt.gz`` is the gzip file (``application/gzip``) for downloaders; a client that
    asks for N-Triples rather than gzip gets it as ``application/n-triples``, with
    ``Content-Encoding: gzip`` (the same bytes) when it accepts gzip, else decoded.
    """
    published = current_published()
    found = published.dump_file(name)
    if found is None:
        abort(404)
    dump_info, body, encoding = found.dump, found.body, None
    filename = dump_info.name
    media_type = dump_info.media_type
    if dump_info.gzipped:
        if _reads_rdf_not_gzip(media_type):
            filename = dump_info.source
            if request.accept_encodings.quality("gzip") > 0:
                encoding = "gzip"
            else:
                decoded = published.dump_file(name, decoded=True)
                body = decoded.body if decoded is not None else gzip.decompress(body)
        else:
            media_type = GZIP
    if media_type not in (GZIP, "application/ld+json"):
        media_type += "; charset=utf-8"
    response = Response(body, content_type=media_type)
    if encoding:
        response.headers["Content-Encoding"] = encoding
    if dump_info.gzipped:
        vary_on(response, "Accept", "Accept-Encoding")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return finish(response, ranges=True)


@per_version
def _void_document(fmt: Format) -> bytes:
    """The VoID + DCAT description in ``fmt``, computed once per graph version (harvesters poll
    it: at 0.4 s a computation it saturated the server)."""
    return serialize(_description(), fmt)


# /dataset is the dataset's IRI: HTML first, as entity IRIs; the VoID well-known address
# answers RDF first (Turtle to a client that names no type), HTML to a browser.
DATASET_FORMATS = (HTML, *GRAPH_FORMATS)
VOID_FORMATS = (*GRAPH_FORMATS, HTML)


@bp.route("/.well-known/void")
@bp.route("/dataset")
def void() -> Response:
    """The VoID + DCAT description of the dataset: a page for people, RDF by ``Accept``."""
    table = DATASET_FORMATS if request.path == "/dataset" else VOID_FORMATS
    choice = negotiate(table, request.headers.get("Accept"), request.args.get("format"))
    if choice.format is HTML:
        response = dataset_page()
    else:
        response = rdf_response(_void_document(choice.format), choice.format, choice.media_type)
    vary_on(response, "Accept")
    return response


SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def _xml(body: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body).encode("utf-8")


def _urlset(paths: Sequence[str]) -> bytes:
    root = current_settings().public_url.rstrip("/")
    return _xml(f'<urlset xmlns="{SITEMAP_NS}">\n'
                + "".join(f"  <url><loc>{escape(root + path)}</loc></url>\n" for path in paths)
                + "</urlset>\n")


@per_version
def _sitemap_document(number: int) -> bytes | None:
    """File ``number`` of the sitemap (0: ``/sitemap.xml`` itself), once per graph version;
    ``None`` when there is no such file."""
    per_file = current_settings().sitemap_urls
    files = harvest.sitemap_files(index(), per_file)
    if number == 0 and files == 1:
        return _urlset(harvest.sitemap_paths(index(), 0, per_file))
    if number == 0:
        public_url = escape(current_settings().public_url)
        return _xml(f'<sitemapindex xmlns="{SITEMAP_NS}">\n'
                    + "".join(f"  <sitemap><loc>{public_url}sitemap-{n}.xml</loc></sitemap>\n"
                              for n in range(1, files + 1))
                    + "</sitemapindex>\n")
    if files == 1 or not 1 <= number <= files:     # a sitemap in one file has no parts
        return None
    return _urlset(harvest.sitemap_paths(index(), (number - 1) * per_file, per_file))


def _sitemap_response(body: bytes | None) -> Response:
    if body is None:
        abort(404)
    return finish(Response(body, content_type="application/xml; charset=utf-8"))


@bp.route("/sitemap.xml")
def sitemap() -> Response:
    """The HTML pages (home, lists, timeline, network, dumps, ontology, quality) and every
    entity page (HTML for browsers, RDF by Accept), as absolute URLs; when they are more than
    ``sitemap_urls``, a sitemap index of the files ``/sitemap-N.xml`` that list them."""
    return _sitemap_response(_sitemap_document(0))


@bp.route("/sitemap-<number>.xml")
def sitemap_file(number: str) -> Response:
    """File ``number`` (from 1) of a split sitemap."""
    file_number = whole_number(number)
    if not file_number:                  # there is no file 0
        abort(404)
    return _sitemap_response(_sitemap_document(file_number))


@bp.route("/robots.txt")
def robots() -> Response:
    """Points crawlers to the sitemap."""
    sitemap_url = current_settings().public_url + "sitemap.xml"
    return finish(Response(f"User-agent: *\nAllow: /\nSitemap: {sitemap_url}\n",
                           content_type="text/plain; charset=utf-8"))
