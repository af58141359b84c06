"""Browsing: the home page, a list per class, the timeline and the network picture."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template

from server.services import browse
from server.services.entity import EntityViews
from server.services.i18n import ui
from server.services.iris import href
from server.web.app import current_store
from server.web.page_response import finish, index, page_language, render_page

bp = Blueprint("browse", __name__)


@bp.route("/")
def home() -> Response:
    """What the CNC is, declared vs recorded figures, axes, recent events, entry points."""
    lang = page_language()
    store, idx = current_store(), index()
    cnc = EntityViews(store, idx).build(browse.CNC_IRI, lang) if idx.knows(browse.CNC_IRI) \
        else None
    return render_page(
        "pages/home.html", lang, cnc=cnc,
        figures=browse.figures(store, idx, lang), axes=browse.axes(store, idx, lang),
        events=browse.recent_events(store, idx, lang),
        entry_points=browse.entry_points(idx, lang), classes=browse.classes(idx, lang))


@bp.route("/list/")
def lists() -> Response:
    """Every class of the data with its number of entities."""
    lang = page_language()
    return render_page("pages/lists.html", lang, classes=browse.classes(index(), lang))


@bp.route("/list/<key>")
def class_list(key: str) -> Response:
    """The entities of one class (and its subclasses)."""
    lang = page_language()
    cls = browse.class_from_key(index(), key)
    if cls is None:
        abort(404)
    return render_page("pages/list.html", lang, cls=cls, title=index().label(cls, lang),
                       items=browse.class_members(index(), cls, lang))


@bp.route("/timeline")
def timeline() -> Response:
    """Agreements and events in date order, by year."""
    lang = page_language()
    items = browse.dated(current_store(), index(), lang)
    years: dict[str, list] = {}
    for item in items:
        years.setdefault(item.date[:4], []).append(item)
    return render_page("pages/timeline.html", lang, years=years, idx=index())


@bp.route("/network")
def network() -> Response:
    """The network picture (server-drawn SVG) and the same links as a list."""
    lang = page_language()
    picture = browse.network_picture(current_store(), index(), lang)
    return render_page("pages/network.html", lang, picture=picture)


@bp.route("/network.svg")
def network_svg() -> Response:
    """The network picture alone, as an SVG file."""
    lang = page_language()
    picture = browse.network_picture(current_store(), index(), lang)
    body = render_template("pages/network.svg", picture=picture, lang=lang, t=ui(lang),
                           standalone=True, href=lambda iri: href(str(iri)))
    response = Response(body, content_type="image/svg+xml; charset=utf-8")
    response.vary.update(("Accept-Language", "Cookie"))
    return finish(response)
