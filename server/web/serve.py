"""``cnc-kg serve``: the application on gunicorn (never Flask's development server).

gunicorn was measured against waitress here: 2 workers × 4 threads answered ~2× more cheap
queries per second (see README, "SPARQL endpoint").
"""

from __future__ import annotations

import click
from gunicorn.app.base import BaseApplication

from server.cli import with_settings
from server.config import Settings, load_settings


class _Gunicorn(BaseApplication):
    """gunicorn embedded: options from ``Settings``, the app built in each worker process."""

    def __init__(self, settings: Settings):
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        options = {
            "bind": f"{self.settings.host}:{self.settings.port}",
            "workers": self.settings.workers,
            "threads": self.settings.threads,
            "worker_class": "gthread",
            # Our own 413 applies to long GET queries, not gunicorn's 4 KiB request line.
            "limit_request_line": 0,
            # A query may legitimately run until the query limit; leave headroom for the kill.
            "timeout": int(self.settings.query_timeout) + 30,
            "graceful_timeout": 5,
            "accesslog": self.settings.access_log or None,
            "preload_app": False,   # each worker loads the store, then forks its query workers
            "control_socket_disable": True,
        }
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self):
        from server.web.app import create_app

        return create_app(self.settings)


def _import_app_modules() -> None:
    """Import the application's modules once, before gunicorn forks its workers: each worker
    then only builds the app instead of repeating ~0.4 s of imports at the same time."""
    import importlib

    from server.web.app import BLUEPRINTS

    for target in BLUEPRINTS:
        importlib.import_module(target.split(":")[0])


@click.command()
@click.option("--store", default=None,
              help="URL of an external SPARQL endpoint (default: the embedded engine).")
@click.option("--graph", default=None, help="Named graph of the external store holding the data.")
@click.option("--host", default=None, help="Interface to bind (default from settings).")
@click.option("--port", type=int, default=None, help="Port (default from settings).")
@click.option("--workers", type=int, default=None, help="gunicorn worker processes.")
@click.option("--threads", type=int, default=None, help="Threads per gunicorn worker.")
@with_settings
def serve(settings: Settings, store: str | None, graph: str | None, host: str | None,
          port: int | None, workers: int | None, threads: int | None) -> None:
    """Serve the SPARQL endpoint and the entity pages."""
    settings = load_settings(root=settings.root, store=store, store_graph=graph, host=host,
                             port=port, workers=workers, threads=threads)
    if not settings.store:
        from server.store.factory import DUMP_NAME

        dump = settings.dist_dir / DUMP_NAME
        if not dump.is_file():
            raise click.ClickException(f"{dump} does not exist: run `cnc-kg build` first")
    click.echo(f"cnc-kg: serving {settings.root} on http://{settings.host}:{settings.port}/sparql"
               + (f" over {settings.store}" if settings.store else " (embedded engine)"),
               err=True)
    _import_app_modules()
    _Gunicorn(settings).run()
