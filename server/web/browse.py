"""Browsing: the home page, a list per class, the timeline and the network picture.

Each page is cached per graph version (``page_cache``). Long lists are cut in pages
(``?page=N``) so that no page grows with the graph.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for

from server.config import BASE_IRI
from server.services import browse, class_lists, network_layout
from server.services.entity import EntityViews
from server.services.figures import figures
from server.services.i18n import ui
from server.services.iris import href
from server.services.names import name
from server.web.context import (
    current_published,
    current_store,
    index,
    page_language,
    whole_number,
)
from server.web.page_cache import per_page, per_version
from server.web.page_response import finish, html_only, page_response, render_body, vary_on

bp = Blueprint("browse", __name__)


def _page_number() -> int:
    """The ``?page=`` of the request (1 without one); 404 when it is not a whole number."""
    number = whole_number(request.args.get("page", "1"))
    if number is None:
        abort(404)
    return number


def _page(body: bytes | None) -> Response:
    """The response of a cached page body; 404 when the page does not exist."""
    if body is None:
        abort(404)
    return page_response(body, page_language())


@bp.route("/favicon.ico")
def favicon() -> Response:
    """The site's icon, for clients that ask the conventional address (pages link it)."""
    return redirect(url_for("static", filename="img/favicon.svg"), code=301)


@bp.route("/")
@html_only
def home() -> Response:
    """What the CNC is, declared vs recorded figures, axes, recent events, entry points."""
    return _page(_home())


@per_page
def _home() -> str:
    store, idx, lang = current_store(), index(), page_language()
    cnc = EntityViews(store, idx).build(browse.CNC_IRI, lang) if idx.knows(browse.CNC_IRI) \
        else None
    return render_body(
        "pages/home.html", lang, cnc=cnc,
        figures=figures(current_published().quality(), idx, lang),
        axes=browse.axes(store, idx, lang),
        events=browse.recent_events(idx, lang),
        entry_points=browse.entry_points(idx, lang), classes=_classes(lang))


@per_version
def _classes(lang: str) -> list[browse.ClassCount]:
    return browse.classes(index(), lang)


@bp.route("/list/")
@html_only
def lists() -> Response:
    """Every class of the data with its number of entities."""
    return _page(_lists())


@per_page
def _lists() -> str:
    lang = page_language()
    return render_body("pages/lists.html", lang, classes=_classes(lang))


@bp.route("/list/<key>")
@html_only
def class_list(key: str) -> Response:
    """The entities of one class (and its subclasses) as a table, a page of ``LIST_PAGE_SIZE``
    at a time, sorted by ``?sort=`` (name or a column) in ``?order=`` (asc or desc)."""
    return _page(_class_list(key, _page_number(), request.args.get("sort"),
                             request.args.get("order", "asc")))


@per_page
def _class_list(key: str, number: int, sort: str | None, order: str) -> str | None:
    lang, idx = page_language(), index()
    cls = browse.class_from_key(idx, key)
    if cls is None:
        return None
    default = class_lists.default_sort(idx, cls)
    sorts = class_lists.sorts(idx, cls)
    if (sort or default) not in sorts or order not in ("asc", "desc"):
        return None
    page = class_lists.class_page(idx, cls, lang, number, sort or default, order == "desc")
    if page is None:
        return None
    return render_body("pages/list.html", lang, cls=cls, title=name(idx, cls, lang),
                       page=page, page_links=_page_links(page), columns=sorts[1:],
                       sort=sort or default, order=order,
                       sort_links=_sort_links(sorts, sort or default, order, default))


def _sort_links(sorts: tuple[str, ...], current: str, order: str, default: str
                ) -> dict[str, str]:
    """``{column: URL}`` that sorts the list by each column (the current one: the other way),
    from page 1; the default order is the bare path."""
    args = {k: v for k, v in request.args.items() if k not in ("page", "sort", "order")}
    links = {}
    for column in sorts:
        wanted = "desc" if column == current and order == "asc" else "asc"
        params = {**args, **({} if column == default and wanted == "asc" else
                             {"sort": column, **({"order": wanted} if wanted == "desc" else {})})}
        links[column] = request.path + ("?" + urlencode(params) if params else "")
    return links


def _page_links(page: browse.Page) -> dict[str, str]:
    """``{"prev": url, "next": url}`` of the pages around ``page`` (this path, other args kept)."""
    args = {k: v for k, v in request.args.items() if k != "page"}
    links = {}
    for rel, number in (("prev", page.number - 1), ("next", page.number + 1)):
        if 1 <= number <= page.count:
            query = urlencode({**args, "page": number} if number > 1 else args)
            links[rel] = request.path + ("?" + query if query else "")
    return links


@bp.route("/timeline")
@html_only
def timeline() -> Response:
    """Agreements and events in date order, by year, a page of ``TIMELINE_PAGE_SIZE`` at a time."""
    return _page(_timeline(_page_number()))


@per_page
def _timeline(number: int) -> str | None:
    lang = page_language()
    page = browse.timeline_page(index(), lang, number)
    if page is None:
        return None
    years: dict[str, list] = {}
    for item in page.items:
        years.setdefault(item.date[:4], []).append(item)
    return render_body("pages/timeline.html", lang, years=years, idx=index(), page=page,
                       page_links=_page_links(page),
                       all_query="/sparql?" + urlencode({"query": browse.timeline_query()}))


@bp.route("/network")
@html_only
def network() -> Response:
    """The network picture (server-drawn SVG) and the same links as a list."""
    return _page(_network())


@per_page
def _network() -> str:
    lang = page_language()
    return render_body("pages/network.html", lang, picture=_picture(lang))


@per_version
def _picture(lang: str) -> network_layout.NetworkPicture:
    return network_layout.network_picture(current_store(), index(), lang)


@bp.route("/network.svg")
def network_svg() -> Response:
    """The network picture alone, as an SVG file."""
    lang = page_language()
    response = Response(_network_svg(lang), content_type="image/svg+xml; charset=utf-8")
    vary_on(response, "Accept-Language", "Cookie")
    return finish(response)


@per_version
def _network_svg(lang: str) -> str:
    return render_template("pages/network.svg", layout=_picture(lang).layouts[0], lang=lang,
                           t=ui(lang), href=lambda iri: href(str(iri), BASE_IRI))
