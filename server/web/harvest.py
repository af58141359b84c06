"""Harvesting: full dumps with size and date, VoID at /.well-known/void, the DCAT record,
sitemap.xml (https://www.sitemaps.org/protocol.html) and robots.txt."""

from __future__ import annotations

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
from server.web.negotiation import GRAPH_FORMATS, HTML, negotiate
from server.web.page_response import finish, html_only, rdf_response, render_page

bp = Blueprint("harvest", __name__)


def _description() -> Graph:
    published = current_published()
    graph = harvest.description(current_store(), index(), published, request.url_root)
    change_feed.add_versions(graph, URIRef(DATASET_IRI), published, request.url_root)
    return graph


@bp.route("/dumps/")
@html_only
def dumps() -> Response:
    """The list of dumps with their size and date, and links to VoID and DCAT."""
    lang = page_language()
    published = current_published()
    return render_page("pages/dumps.html", lang, dumps=dump_rows(published, lang),
                       versions=version_rows(published, lang))


@bp.route("/dumps/<name>")
def dump(name: str) -> Response:
    """One dump file as built by ``cnc-kg build``."""
    found = current_published().dump_file(name)
    if found is None:
        abort(404)
    media_type = "application/gzip" if found.dump.gzipped else found.dump.media_type
    if not found.dump.gzipped and media_type != "application/ld+json":
        media_type += "; charset=utf-8"
    response = Response(found.body, content_type=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{found.dump.name}"'
    return finish(response)


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
        response = rdf_response(_description(), choice.format, choice.media_type)
    response.vary.add("Accept")
    return response


SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def _xml(body: str) -> Response:
    return finish(Response('<?xml version="1.0" encoding="UTF-8"?>\n' + body,
                           content_type="application/xml; charset=utf-8"))


def _urlset(paths: Sequence[str]) -> Response:
    root = request.url_root.rstrip("/")
    return _xml(f'<urlset xmlns="{SITEMAP_NS}">\n'
                + "".join(f"  <url><loc>{escape(root + path)}</loc></url>\n" for path in paths)
                + "</urlset>\n")


@bp.route("/sitemap.xml")
def sitemap() -> Response:
    """Every entity page, the home page and the lists, as absolute URLs; when they are more
    than ``sitemap_urls``, a sitemap index of the files ``/sitemap-N.xml`` that list them."""
    per_file = current_settings().sitemap_urls
    files = harvest.sitemap_files(index(), per_file)
    if files == 1:
        return _urlset(harvest.sitemap_paths(index(), 0, per_file))
    return _xml(f'<sitemapindex xmlns="{SITEMAP_NS}">\n'
                + "".join(f"  <sitemap><loc>{escape(request.url_root)}sitemap-{n}.xml</loc>"
                          "</sitemap>\n" for n in range(1, files + 1))
                + "</sitemapindex>\n")


@bp.route("/sitemap-<number>.xml")
def sitemap_file(number: str) -> Response:
    """File ``number`` (from 1) of a split sitemap."""
    per_file = current_settings().sitemap_urls
    file_number = whole_number(number)
    files = harvest.sitemap_files(index(), per_file)
    if file_number is None or not 1 <= file_number <= files or files == 1:
        abort(404)                               # a sitemap in one file has no parts
    return _urlset(harvest.sitemap_paths(index(), (file_number - 1) * per_file, per_file))


@bp.route("/robots.txt")
def robots() -> Response:
    """Points crawlers to the sitemap."""
    return Response(f"User-agent: *\nAllow: /\nSitemap: {request.url_root}sitemap.xml\n",
                    content_type="text/plain; charset=utf-8")

