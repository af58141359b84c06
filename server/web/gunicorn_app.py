"""The application on gunicorn's asgi worker (never Flask's development server).

Each worker process reads requests in its event loop — request line, headers (bounded: 414, 431)
and body (``whole_request``) — and only then runs the Flask app in one of its ``threads``
(a2wsgi's thread pool), so a slow client holds no thread. gunicorn's arbiter keeps what the
store needs: ``workers`` processes, each building its own app after it starts (no preload), and
a graceful stop. Why this server and not gthread, uvicorn, granian or waitress:
docs/operating.md, "Why this HTTP server".
"""

from __future__ import annotations

import socket

from a2wsgi import WSGIMiddleware
from gunicorn.app.base import BaseApplication

from server.config import Settings
from server.web.asgi_worker import ARBITER_MARGIN_S

# Seconds gunicorn's arbiter lets a worker go without a heartbeat before replacing it: the event
# loop beats every second even while threads run queries, so this only catches a stuck loop.
HEARTBEAT_TIMEOUT_S = 30


class _Gunicorn(BaseApplication):
    """gunicorn embedded: options from ``Settings``, the app built in each worker process."""

    def __init__(self, settings: Settings, listener: socket.socket):
        self.settings = settings
        self.listener_fd = listener.detach()   # gunicorn takes the socket over (and closes it)
        self.flask_app = None          # this worker's app (set in the worker by ``load``)
        super().__init__()

    def load_config(self) -> None:
        settings = self.settings
        options = {
            "bind": f"fd://{self.listener_fd}",
            "workers": settings.workers,
            "worker_class": "server.web.asgi_worker.StoppingASGIWorker",
            "asgi_lifespan": "off",          # the app is built in ``load``, nothing to start
            # uvloop: cheap ASKs ~1.7× asyncio's rate here (docs/operating.md); a dependency,
            # and gunicorn warns at start if it is missing.
            "asgi_loop": "uvloop",
            # The parser's own limit, far beyond ours, only stops absurd lines cheaply: up to
            # it ``whole_request`` answers a long GET query with a 414 that says to POST it.
            "limit_request_line": max(settings.max_request_line_bytes, settings.max_body_bytes),
            "limit_request_fields": settings.max_header_fields,
            "limit_request_field_size": settings.max_header_bytes,
            "keepalive": settings.keepalive_timeout,
            "timeout": HEARTBEAT_TIMEOUT_S,
            "graceful_timeout": settings.stop_timeout + ARBITER_MARGIN_S,
            "accesslog": settings.access_log or None,
            "preload_app": False,   # each worker opens the store and starts its engines
            "control_socket_disable": True,
            "worker_exit": self._close_app,
        }
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self):
        from server.web.app import create_app
        from server.web.whole_request import WholeRequests

        self.flask_app = create_app(self.settings)
        return WholeRequests(WSGIMiddleware(self.flask_app, workers=self.settings.threads),
                             self.settings)

    def _close_app(self, _arbiter, _worker) -> None:
        """Stop this worker's engine processes before the interpreter waits for its threads:
        a query still running then ends at once instead of holding the stop up."""
        if self.flask_app is not None:
            from server.web.app import close_app

            close_app(self.flask_app)


def _import_app_modules() -> None:
    """Import the application's modules once, before gunicorn forks its workers: each worker
    then only builds the app instead of repeating ~0.4 s of imports at the same time."""
    import server.web.app  # noqa: F401 - imports every blueprint


def run(settings: Settings, listener: socket.socket) -> None:
    """Serve the application with ``settings`` on ``listener`` until stopped."""
    _import_app_modules()
    _Gunicorn(settings, listener).run()
