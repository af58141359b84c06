"""The application as each HTTP server candidate of ``bench/http_front.py`` loads it: the same
``create_app`` (settings from ``CNC_KG_*`` and the working folder), built in each worker."""

from __future__ import annotations

from server.config import load_settings
from server.web.app import create_app
from server.web.whole_request import WholeRequests

# Threads a2wsgi runs the WSGI app in, per worker process (gunicorn gthread's default here).
WSGI_THREADS = 4


def wsgi_app():
    """The WSGI application (gunicorn, waitress, granian)."""
    return create_app()


def asgi_app():
    """The WSGI application behind a2wsgi's ASGI adapter, requests read whole first (uvicorn,
    gunicorn's asgi worker, granian's asgi interface)."""
    from a2wsgi import WSGIMiddleware

    settings = load_settings()
    return WholeRequests(WSGIMiddleware(create_app(settings), workers=WSGI_THREADS), settings)
