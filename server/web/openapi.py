"""The OpenAPI description of the HTTP interface (server/web/openapi.yaml) at /openapi.json."""

from __future__ import annotations

from functools import cache
from importlib import resources

from flask import Blueprint, Response, jsonify

bp = Blueprint("openapi", __name__)


@cache
def openapi_document() -> dict:
    """The parsed OpenAPI document (read once)."""
    # Imported here, not at the top: it would add ~50 ms to every worker's start.
    import yaml

    text = resources.files("server.web").joinpath("openapi.yaml").read_text("utf-8")
    return yaml.safe_load(text)


@bp.route("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3 description as JSON."""
    return jsonify(openapi_document())
