"""``/status``: what this server process serves and how busy its engines are, as JSON — for
operators' health checks and for tests that wait on an event instead of a delay.

Each web worker answers for itself (its build, its reload checks, its engine processes).
"""

from __future__ import annotations

import os

from flask import Blueprint, Response, current_app, jsonify

from server.services.status import server_status
from server.web.context import current_store
from server.web.page_cache import cache_status

bp = Blueprint("status", __name__)


@bp.route("/status")
def status() -> Response:
    """``{"version", "build", "reload", "engines", "busy", "long", "answers", "caches",
    "worker"}``; never cached."""
    response = jsonify({**server_status(current_store()), "caches": cache_status(current_app),
                        "worker": os.getpid()})
    response.headers["Cache-Control"] = "no-store"
    return response
