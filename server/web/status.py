"""``/status``: what this server process serves and how busy its engines are, as JSON — for
operators' health checks and for tests that wait on an event instead of a delay.

Each web worker answers for itself (its build, its reload checks, its engine processes).
"""

from __future__ import annotations

import os

from flask import Blueprint, Response, jsonify

from server.services.status import server_status
from server.web.context import current_store

bp = Blueprint("status", __name__)


@bp.route("/status")
def status() -> Response:
    """``{"version", "build", "reload", "engines", "busy", "long", "answers", "worker"}``; never
    cached."""
    response = jsonify({**server_status(current_store()), "worker": os.getpid()})
    response.headers["Cache-Control"] = "no-store"
    return response
