"""``cnc-kg load``: push the built graph to an external store."""

from __future__ import annotations

import urllib.parse

import click

from server import dist
from server.cli.common import with_settings
from server.cli.errors import BadInput
from server.config import Settings
from server.store.factory import graph_iri
from server.store.push import PushFailed, bulk_load_virtuoso, put_graph


@click.command()
@click.option("--to", "url", default=None,
              help="Graph Store Protocol endpoint (e.g. http://host:3030/ds/data).")
@click.option("--isql", "isql_port", type=int, default=None,
              help="Virtuoso on this machine: its isql port; uses the bulk loader.")
@click.option("--graph", default=None, help="Target named graph (default: the dataset IRI).")
@click.option("--user", default=None, help="User for the store (Virtuoso: dba).")
@click.option("--password", envvar="CNC_KG_STORE_PASSWORD", default=None,
              help="Password (or $CNC_KG_STORE_PASSWORD).")
@with_settings
def load(settings: Settings, url: str | None, isql_port: int | None, graph: str | None,
         user: str | None, password: str | None) -> None:
    """Push dist/cnc-kg.nt to an external SPARQL store."""
    dump = settings.dist_dir / dist.NTRIPLES
    if not dump.is_file():
        raise BadInput(f"{dump} does not exist: run `cnc-kg build` first")
    if url is not None and urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise click.BadParameter(f"{url!r} is not an http:// or https:// URL", param_hint="--to")
    graph = graph or graph_iri(settings)
    if (url is None) == (isql_port is None):
        raise click.UsageError("give exactly one of --to URL or --isql PORT")
    try:
        if url is not None:
            status = put_graph(dump, url, graph, user, password)
            click.echo(f"{dump} -> <{graph}> at {url}: HTTP {status}")
        else:
            bulk_load_virtuoso(dump, graph, isql_port, user or "dba", password or "dba")
            click.echo(f"{dump} -> <{graph}> in Virtuoso (isql port {isql_port})")
    except PushFailed as error:
        raise click.ClickException(str(error)) from error
