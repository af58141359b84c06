"""``cnc-kg serve``: the SPARQL endpoint and the pages, on gunicorn."""

from __future__ import annotations

import click

from server import dist
from server.cli.common import with_settings
from server.config import Settings, load_settings
from server.web import gunicorn_app


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
        dump = settings.dist_dir / dist.BUILD_RECORD
        if not dump.is_file():
            raise click.ClickException(f"{dump} does not exist: run `cnc-kg build` first")
    base = f"http://{settings.host}:{settings.port}/"
    click.echo(f"cnc-kg: serving {settings.root}"
               + (f" over {settings.store}" if settings.store else " (embedded engine)")
               + f"\n  home page:       {base}\n  SPARQL endpoint: {base}sparql", err=True)
    gunicorn_app.run(settings)
