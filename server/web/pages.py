"""Dereferenceable IRIs: entity pages and documents, ontology terms, the ontology and the shapes.

Pattern (Cool URIs for the Semantic Web, §4.3 "direct answers"): ``/id/x`` answers HTML or RDF
by ``Accept`` with ``Vary: Accept`` and ``Content-Location`` naming the format's own URL;
``/id/x.ttl``, ``.nt``, ``.jsonld``, ``.rdf`` (and ``.html``) always answer that format.
RDF keeps the persistent IRIs (https://w3id.org/cnc-kg/...); HTML links point to this server.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, request
from rdflib import Graph, URIRef
from werkzeug.exceptions import NotFound

from server.config import ONTOLOGY_IRI, ONTOLOGY_NS, SHAPES_NS
from server.services.entity import EntityViews, entity_document
from server.services.iris import entity_iri, entity_spaces
from server.services.search import similar
from server.services.vocabulary import (
    concise_description,
    ontology_header,
    ontology_terms,
    shape_iri,
    term_instances,
    term_view,
)
from server.web.context import (
    current_published,
    current_settings,
    current_store,
    index,
    page_language,
    plain_error,
)
from server.web.negotiation import GRAPH_FORMATS, HTML, NotAcceptable, negotiate
from server.web.page_cache import per_page, per_version
from server.web.page_response import (
    format_by_extension,
    page_response,
    rdf_response,
    render_body,
    render_page,
    replayed,
    serialize,
    vary_on,
)

bp = Blueprint("pages", __name__)

# What an IRI answers: HTML for people first (browsers name it), then every RDF format.
DOCUMENT_FORMATS = (HTML, *GRAPH_FORMATS)


def _split_extension(name: str) -> tuple[str, str | None]:
    """``("cnrs", "ttl")`` for ``cnrs.ttl``; ``("cnrs", None)`` without a known extension."""
    stem, dot, extension = name.rpartition(".")
    if dot and (extension == HTML.extension or format_by_extension(extension)):
        return stem, extension
    return name, None


def _choose(extension: str | None):
    """The format asked for by file extension, ``format=`` or ``Accept`` (406 if none fits)."""
    if extension == HTML.extension:
        return HTML, HTML.media_type, False
    if extension:
        fmt = format_by_extension(extension)
        return fmt, fmt.media_type, False
    choice = negotiate(DOCUMENT_FORMATS, request.headers.get("Accept"), request.args.get("format"))
    return choice.format, choice.media_type, True


def _alternates(path: str):
    """(format, URL) of every RDF version of the page at ``path``."""
    return tuple((fmt, f"{path}.{fmt.extension}") for fmt in GRAPH_FORMATS)


def _negotiated(response: Response, path: str, fmt, negotiated: bool) -> Response:
    """``Vary: Accept`` on an answer chosen by ``Accept``, and where its format lives."""
    if negotiated:
        vary_on(response, "Accept")
        if response.status_code in (200, 304):
            response.headers["Content-Location"] = f"{path}.{fmt.extension}"
    return response


@per_page
def _entity_html(iri: URIRef, path: str) -> str | None:
    """The entity's HTML page at ``path``; ``None`` if the graph has no view of it."""
    lang = page_language()
    view = EntityViews(current_store(), index()).build(iri, lang)
    if view is None:
        return None
    return render_body("pages/entity.html", lang, view=view, alternates=_alternates(path))


@per_version
def _entity_document_bytes(iri: URIRef, fmt) -> bytes:
    """The entity's RDF document serialised in ``fmt``."""
    return serialize(entity_document(current_store(), iri, URIRef(f"{iri}.{fmt.extension}")),
                     fmt)


# Every data namespace answers at its own first segment: /id/<slug>, /synthetic/<slug>.
ENTITY_SPACES = entity_spaces()


@replayed("Accept", "Accept-Language", "Cookie", "Accept-Encoding")
def entity(space: str, name: str) -> Response:
    """An entity of the graph (curated or synthetic), as HTML or RDF."""
    slug, extension = _split_extension(name)
    iri = entity_iri(slug, ENTITY_SPACES[space])
    fmt, media_type, negotiated = _choose(extension)
    path = f"/{space}/{slug}"
    if iri is None or not index().knows(iri):
        return _negotiated(not_found_response(html=fmt is HTML), path, fmt, negotiated)
    if fmt is not HTML:
        response = rdf_response(_entity_document_bytes(iri, fmt), fmt, media_type)
        return _negotiated(response, path, fmt, negotiated)
    body = _entity_html(iri, path)
    if body is None:
        return _negotiated(not_found_response(html=True), path, fmt, negotiated)
    return _negotiated(page_response(body, page_language()), path, fmt, negotiated)


for _space in ENTITY_SPACES:           # one plain rule each, as the OpenAPI document lists them
    bp.add_url_rule(f"/{_space}/<name>", view_func=entity, defaults={"space": _space})


@bp.route("/ontology", defaults={"name": None})
@bp.route("/ontology.<name>")
def ontology(name: str | None) -> Response:
    """The whole ontology in every format; its HTML page lists the terms."""
    fmt, media_type, negotiated = _choose(name if name is None else _extension_only(name))
    graph = current_published().ontology()
    if fmt is HTML:
        lang = page_language()
        title, descriptions = ontology_header(graph, lang)
        response = render_page("pages/ontology.html", lang, title=title,
                               descriptions=descriptions, terms=ontology_terms(graph, lang),
                               ontology_iri=ONTOLOGY_IRI, alternates=_alternates("/ontology"))
    else:
        response = rdf_response(graph, fmt, media_type)
    return _negotiated(response, "/ontology", fmt, negotiated)


def _extension_only(name: str) -> str:
    stem, extension = _split_extension("x." + name)
    if extension is None:
        abort(404)
    return extension


@bp.route("/ontology/<name>")
def term(name: str) -> Response:
    """One class, property or individual of the ontology, documented or as RDF."""
    stem, extension = _split_extension(name)
    fmt, media_type, negotiated = _choose(extension)
    iri = URIRef(ONTOLOGY_NS + stem)
    graph = current_published().ontology()
    path = f"/ontology/{stem}"
    if (iri, None, None) not in graph:
        return _negotiated(not_found_response(html=fmt is HTML), path, fmt, negotiated)
    if fmt is HTML:
        lang = page_language()
        view = term_view(graph, index(), iri, lang)
        response = render_page("pages/term.html", lang, view=view, alternates=_alternates(path),
                               instances=term_instances(index(), iri, lang,
                                                        current_settings().term_instances_shown))
    else:
        response = rdf_response(concise_description(graph, iri), fmt, media_type)
    return _negotiated(response, path, fmt, negotiated)


@bp.route("/shapes", defaults={"name": None})
@bp.route("/shapes.<name>")
def shapes(name: str | None) -> Response:
    """Every SHACL shape, in every format; the HTML page shows the Turtle source."""
    fmt, media_type, negotiated = _choose(name if name is None else _extension_only(name))
    graph = current_published().shapes()
    return _negotiated(_source_or_rdf(graph, fmt, media_type, "/shapes", SHAPES_NS),
                       "/shapes", fmt, negotiated)


@bp.route("/shapes/<name>")
def shape(name: str) -> Response:
    """One shape (with its property shapes), in every format."""
    stem, extension = _split_extension(name)
    fmt, media_type, negotiated = _choose(extension)
    graph = current_published().shapes()
    iri = shape_iri(stem)
    path = f"/shapes/{stem}"
    if (iri, None, None) not in graph:
        return _negotiated(not_found_response(html=fmt is HTML), path, fmt, negotiated)
    document = concise_description(graph, iri, inbound=False)
    return _negotiated(_source_or_rdf(document, fmt, media_type, path, str(iri)),
                       path, fmt, negotiated)


def _source_or_rdf(graph: Graph, fmt, media_type: str, path: str, title: str) -> Response:
    if fmt is HTML:
        return render_page("pages/source.html", page_language(), title=title,
                           source=serialize(graph, GRAPH_FORMATS[0]).decode("utf-8"),
                           alternates=_alternates(path))
    return rdf_response(graph, fmt, media_type)


def not_found_response(html: bool) -> Response:
    """404: for people a page with a search box and similar names; for machines plain text."""
    if not html:
        return plain_error(404, f"Not Found: nothing in the graph has the IRI of {request.path}")
    lang = page_language()
    words = request.path.rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0].replace("-", " ")
    return render_page("pages/not_found.html", lang, status=404, path=request.path,
                       query=words, similar=_similar(words, lang))


@per_version
def _similar(words: str, lang: str) -> list:
    """Names close to ``words`` (a scan of every entity's names)."""
    return similar(index(), words, lang)


def _wants_html() -> bool:
    try:
        return negotiate(DOCUMENT_FORMATS, request.headers.get("Accept")).format is HTML
    except NotAcceptable:
        return False


@bp.app_errorhandler(404)
def page_not_found(error: NotFound) -> Response:
    """Any unknown address: the helpful page for browsers, plain text for other clients."""
    return not_found_response(html=_wants_html())

