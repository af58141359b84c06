"""The Flask application factory: settings, the store, blueprints, error handlers and CORS."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from server.config import Settings, load_settings
from server.store.base import (
    DatasetRefused,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    Store,
    StoreError,
    StoreUnavailable,
)
from server.store.factory import open_store
from server.web import (
    browse,
    changes,
    harvest,
    openapi,
    pages,
    quality,
    reconcile,
    search,
    sparql,
    status,
)
from server.web.context import (
    SETTINGS_KEY,
    STORE_KEY,
    current_settings,
    current_store,
    plain_error,
)
from server.web.lean_request import LeanRequest
from server.web.negotiation import NotAcceptable
from server.web.security_headers import add_security_headers
from server.web.utf8_input import refuse_invalid_utf8

# Every blueprint, registered in this order.
BLUEPRINTS = (sparql.bp, pages.bp, browse.bp, search.bp, harvest.bp, changes.bp, quality.bp,
              openapi.bp, status.bp, reconcile.bp)

# Status of each store error (the most specific class wins).
STORE_ERROR_STATUS: dict[type[StoreError], int] = {
    QuerySyntaxError: 400,
    DatasetRefused: 400,
    QueryRefused: 403,
    QueryTimeout: 503,
    StoreUnavailable: 503,
}

# Response headers a browser script may read across origins.
EXPOSED_HEADERS = ("Content-Type, Vary, Cnc-Kg-Result-Limit, Cnc-Kg-Result-Byte-Limit, "
                   "Cnc-Kg-Result-Truncated, Accept-Ranges, Content-Range")


def _store_error(error: StoreError) -> Response:
    status = next(code for cls, code in STORE_ERROR_STATUS.items() if isinstance(error, cls))
    response = plain_error(status, str(error))
    if isinstance(error, QueryTimeout | StoreUnavailable):
        response.headers["Retry-After"] = "5"
    return response


def _not_acceptable(error: NotAcceptable) -> Response:
    response = plain_error(406, f"Not Acceptable: {error}")
    response.headers["Vary"] = "Accept"
    return response


def _http_error(error: HTTPException) -> Response:
    response = error.get_response()
    if response.status_code >= 400:
        response = plain_error(error.code or 500, f"{error.name}: {error.description}")
        for name in ("Allow", "Retry-After", "Content-Range"):   # 405, 503, 416
            if name in error.get_response().headers:
                response.headers[name] = error.get_response().headers[name]
    return response


def _public_location(response: Response) -> Response:
    """Point redirects at the public base URL, never at the host the client's ``Host`` header
    names (werkzeug makes its slash redirects, ``/list`` → ``/list/``, absolute from it)."""
    location = response.headers.get("Location")
    if location and urlsplit(location).netloc:
        target = urlsplit(location)
        public = (current_settings().public_url.rstrip("/") + target.path
                  + (f"?{target.query}" if target.query else ""))
        response.headers["Location"] = public
        # werkzeug's body repeats the old URL as a link: say the new one instead
        response.set_data(f"Moved to {public}\n")
        response.content_type = "text/plain; charset=utf-8"
    return response


def _cors(response: Response) -> Response:
    """Let browser clients on any origin call the endpoint (Fetch standard, CORS protocol)."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = request.headers.get(
            "Access-Control-Request-Headers", "Accept, Content-Type")
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


def _pin_graph() -> None:
    """Every query of this request sees the same graph, even if a new build lands meanwhile."""
    pin = current_store().pinned()
    pin.__enter__()             # a build that cannot be opened raises here: a 503 that says so
    g.cnc_kg_pin = pin


def _unpin_graph(error: BaseException | None) -> None:
    pin = g.pop("cnc_kg_pin", None)
    if pin is not None:
        pin.__exit__(None, None, None)


def create_app(settings: Settings | None = None, store: Store | None = None) -> Flask:
    """Build the application; opens the store the settings name unless one is given."""
    settings = settings or load_settings()
    app = Flask("server", static_folder="static", template_folder="templates")
    app.request_class = LeanRequest
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.ensure_ascii = False
    app.extensions[SETTINGS_KEY] = settings
    app.extensions[STORE_KEY] = store if store is not None else open_store(settings)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.register_error_handler(StoreError, _store_error)
    app.register_error_handler(NotAcceptable, _not_acceptable)
    app.register_error_handler(HTTPException, _http_error)
    app.after_request(_cors)
    app.after_request(add_security_headers)
    app.after_request(_public_location)
    app.before_request(refuse_invalid_utf8)
    app.before_request(_pin_graph)
    app.teardown_request(_unpin_graph)
    return app


def close_app(app: Flask) -> None:
    """Release what ``create_app`` opened (the store and its engine processes)."""
    app.extensions[STORE_KEY].close()
