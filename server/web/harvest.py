"""Harvesting: full dumps with size and date, VoID at /.well-known/void, the DCAT record,
sitemap.xml (https://www.sitemaps.org/protocol.html) and robots.txt."""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from flask import Blueprint, Response, abort, request
from rdflib import Graph, URIRef

from server.config import DATASET_IRI
from server.services import change_feed, harvest
from server.services.browse import page_of
from server.web.context import (
    current_published,
    current_settings,
    current_store,
    index,
    page_language,
    whole_number,
)
from server.web.negotiation import GRAPH_FORMATS, Format, negotiate
from server.web.page_cache import per_version
from server.web.page_response import finish, rdf_response, render_page, serialize

bp = Blueprint("harvest", __name__)


def _description() -> Graph:
    published, public_url = current_published(), current_settings().public_url
    graph = harvest.description(current_store(), index(), published, public_url)
    change_feed.add_versions(graph, URIRef(DATASET_IRI), published, public_url)
    return graph


@bp.route("/dumps/")
def dumps() -> Response:
    """The list of dumps with their size and date, and links to VoID and DCAT."""
    lang = page_language()
    published = current_published()
    return render_page("pages/dumps.html", lang, files=published.dumps(),
                       versions=change_feed.feed_entries(published,
                                                          current_settings().public_url))


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


@per_version
def _void_document(fmt: Format) -> bytes:
    """The VoID + DCAT description in ``fmt``, computed once per graph version (harvesters poll
    it: at 0.4 s a computation it saturated the server)."""
    return serialize(_description(), fmt)


@bp.route("/.well-known/void")
@bp.route("/dataset")
def void() -> Response:
    """The VoID + DCAT description of the dataset (RDF; Turtle unless asked otherwise)."""
    choice = negotiate(GRAPH_FORMATS, request.headers.get("Accept"), request.args.get("format"))
    response = rdf_response(_void_document(choice.format), choice.format, choice.media_type)
    response.vary.add("Accept")
    return response


SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
# Pages that are not entities, listed first.
SITEMAP_PAGES = ("/", "/list/", "/timeline", "/network", "/dumps/", "/ontology", "/quality")


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
    paths = (*SITEMAP_PAGES, *harvest.sitemap_paths(index()))
    per_file = current_settings().sitemap_urls
    files = page_of(paths, 1, per_file)
    if number == 0 and files.count == 1:
        return _urlset(files.items)
    if number == 0:
        public_url = escape(current_settings().public_url)
        return _xml(f'<sitemapindex xmlns="{SITEMAP_NS}">\n'
                    + "".join(f"  <sitemap><loc>{public_url}sitemap-{n}.xml</loc></sitemap>\n"
                              for n in range(1, files.count + 1))
                    + "</sitemapindex>\n")
    part = page_of(paths, number, per_file) if files.count > 1 else None
    return None if part is None else _urlset(part.items)


def _sitemap_response(body: bytes | None) -> Response:
    if body is None:
        abort(404)
    return finish(Response(body, content_type="application/xml; charset=utf-8"))


@bp.route("/sitemap.xml")
def sitemap() -> Response:
    """Every entity page, the home page and the lists, as absolute URLs; when they are more
    than ``sitemap_urls``, a sitemap index of the files ``/sitemap-N.xml`` that list them."""
    return _sitemap_response(_sitemap_document(0))


@bp.route("/sitemap-<number>.xml")
def sitemap_file(number: str) -> Response:
    """File ``number`` (from 1) of a split sitemap."""
    file_number = whole_number(number)
    if not file_number:                  # a sitemap in one file has no parts; there is no 0
        abort(404)
    return _sitemap_response(_sitemap_document(file_number))


@bp.route("/robots.txt")
def robots() -> Response:
    """Points crawlers to the sitemap."""
    sitemap_url = current_settings().public_url + "sitemap.xml"
    return finish(Response(f"User-agent: *\nAllow: /\nSitemap: {sitemap_url}\n",
                           content_type="text/plain; charset=utf-8"))
