"""The Flask application factory: settings, the store, blueprints, error handlers and CORS."""

from __future__ import annotations

import importlib

from flask import Flask, Response, current_app, g, request
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
from server.web.negotiation import NotAcceptable

# "module:attribute" of every blueprint, registered in this order.
BLUEPRINTS: list[str] = [
    "server.web.sparql:bp",
    "server.web.pages:bp",
    "server.web.browse:bp",
    "server.web.search:bp",
    "server.web.harvest:bp",
    "server.web.changes:bp",
    "server.web.quality:bp",
    "server.web.openapi:bp",
]

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
                   "Cnc-Kg-Result-Truncated")


def current_store() -> Store:
    """The store of the running application."""
    return current_app.extensions["cnc_kg.store"]


def current_settings() -> Settings:
    """The settings of the running application."""
    return current_app.extensions["cnc_kg.settings"]


def plain_error(status: int, message: str) -> Response:
    """An error response whose body is the message as UTF-8 text (what SPARQL clients show)."""
    return Response(message.rstrip() + "\n", status=status,
                    content_type="text/plain; charset=utf-8")


def whole_number(text: str) -> int | None:
    """``text`` as a non-negative integer if it is 1 to 9 ASCII digits, else ``None``
    (``str.isdigit`` also accepts "²", and ``int`` refuses 5,000 digits: both were 500s)."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


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
        for name in ("Allow", "Retry-After"):
            if name in error.get_response().headers:
                response.headers[name] = error.get_response().headers[name]
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
    g.cnc_kg_pin = current_store().pinned()
    g.cnc_kg_pin.__enter__()


def _unpin_graph(error: BaseException | None) -> None:
    pin = g.pop("cnc_kg_pin", None)
    if pin is not None:
        pin.__exit__(None, None, None)


def create_app(settings: Settings | None = None, store: Store | None = None) -> Flask:
    """Build the application; opens the store the settings name unless one is given."""
    from server.services.warmup import prepare_in_background
    from server.store.factory import open_store
    from server.web.security_headers import add_security_headers
    from server.web.utf8_input import refuse_invalid_utf8

    settings = settings or load_settings()
    app = Flask("server", static_folder="static", template_folder="templates")
    app.config["MAX_CONTENT_LENGTH"] = settings.max_query_bytes * 4   # form encoding overhead
    app.json.ensure_ascii = False
    app.extensions["cnc_kg.settings"] = settings
    app.extensions["cnc_kg.store"] = store if store is not None else open_store(settings)
    for target in BLUEPRINTS:
        module, attr = target.split(":")
        app.register_blueprint(getattr(importlib.import_module(module), attr))
    app.register_error_handler(StoreError, _store_error)
    app.register_error_handler(NotAcceptable, _not_acceptable)
    app.register_error_handler(HTTPException, _http_error)
    app.after_request(_cors)
    app.after_request(add_security_headers)
    app.before_request(refuse_invalid_utf8)
    app.before_request(_pin_graph)
    app.teardown_request(_unpin_graph)
    prepare_in_background(app.extensions["cnc_kg.store"])
    return app
