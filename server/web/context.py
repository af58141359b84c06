"""What a view needs about the request it answers: the running app's settings, store and published
files, the graph index of the pinned version, the page language, the plain-text error response."""

from __future__ import annotations

from flask import Response, current_app, request

from server.config import Settings
from server.services import i18n
from server.services.index import GraphIndex, graph_index
from server.services.published import Published
from server.store.base import Store

STORE_KEY = "cnc_kg.store"
SETTINGS_KEY = "cnc_kg.settings"
LANG_COOKIE = "lang"
_LANG_KEY = "cnc_kg.page_language"     # where the request's page language is kept
_INDEX_KEY = "cnc_kg.index"             # and the page index of the build it is pinned to


def current_store() -> Store:
    """The store of the running application."""
    return current_app.extensions[STORE_KEY]


def current_settings() -> Settings:
    """The settings of the running application."""
    return current_app.extensions[SETTINGS_KEY]


def current_published() -> Published:
    """The files of the build the application serves (``dist/``)."""
    return Published(current_settings().dist_dir)


def index() -> GraphIndex:
    """The index of the graph version this request sees (looked up once per request: the
    request is pinned to one build)."""
    environ = request.environ
    found = environ.get(_INDEX_KEY)
    if found is None:
        found = environ[_INDEX_KEY] = graph_index(current_store())
    return found


def page_language() -> str:
    """The language of this request's page (``?lang=``, then the cookie, then Accept-Language),
    chosen once per request."""
    environ = request.environ
    lang = environ.get(_LANG_KEY)
    if lang is None:
        lang = environ[_LANG_KEY] = i18n.choose_language(
            request.args.get("lang"), request.cookies.get(LANG_COOKIE),
            request.headers.get("Accept-Language"))
    return lang


def plain_error(status: int, message: str) -> Response:
    """An error response whose body is the message as UTF-8 text (what SPARQL clients show)."""
    return Response(message.rstrip() + "\n", status=status,
                    content_type="text/plain; charset=utf-8")


def whole_number(text: str) -> int | None:
    """``text`` as a non-negative integer if it is 1 to 9 ASCII digits, else ``None``
    (``str.isdigit`` also accepts "²", and ``int`` refuses 5,000 digits: both were 500s)."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None
