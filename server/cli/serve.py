"""``cnc-kg serve``: the SPARQL endpoint and the pages, on gunicorn's asgi worker.

Exit codes: 0 once stopped (Ctrl-C, SIGTERM), 2 for a bad option or setting, 3 when the
address cannot be listened on (a taken port) — each with one line on stderr.
"""

from __future__ import annotations

import sys

import click

from server import dist
from server.cli.common import EXIT_USAGE, settings_or_exit, with_settings
from server.config import Settings
from server.web import gunicorn_app
from server.web.listener import CannotListen, listen

EXIT_CANNOT_LISTEN = 3


@click.command()
@click.option("--store", default=None,
              help="URL of an external SPARQL endpoint (default: the embedded engine).")
@click.option("--graph", default=None, help="Named graph of the external store holding the data.")
@click.option("--host", default=None, help="Interface to bind (default from settings).")
@click.option("--port", type=int, default=None, help="Port, 1 to 65535 (default from settings).")
@click.option("--workers", type=int, default=None, help="Web worker processes.")
@click.option("--threads", type=int, default=None, help="Threads per web worker.")
@with_settings
def serve(settings: Settings, store: str | None, graph: str | None, host: str | None,
          port: int | None, workers: int | None, threads: int | None) -> None:
    """Serve the SPARQL endpoint and the entity pages."""
    settings = settings_or_exit(root=settings.root, store=store, store_graph=graph, host=host,
                                port=port, workers=workers, threads=threads)
    if not settings.store:
        dump = settings.dist_dir / dist.BUILD_RECORD
        if not dump.is_file():
            click.echo(f"cnc-kg: {dump} does not exist: run `cnc-kg build` first", err=True)
            sys.exit(EXIT_USAGE)
    try:
        listener = listen(settings.host, settings.port)
    except CannotListen as error:
        click.echo(f"cnc-kg: {error}", err=True)
        sys.exit(EXIT_CANNOT_LISTEN)
    base = settings.public_url
    click.echo(f"cnc-kg: serving {settings.root}"
               + (f" over {settings.store}" if settings.store else " (embedded engine)")
               + f"\n  home page:       {base}\n  SPARQL endpoint: {base}sparql", err=True)
    gunicorn_app.run(settings, listener)
