"""``cnc-kg load``: push the built graph to an external store.

Either the SPARQL 1.1 Graph Store HTTP Protocol (``--to URL``: ``PUT URL?graph=IRI``,
https://www.w3.org/TR/sparql11-http-rdf-update/), or, for a Virtuoso on this machine, its bulk
loader through ``isql`` (``--isql PORT``), which is much faster on big files.
"""

from __future__ import annotations

import shutil
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import click
from rdflib import URIRef

from server.cli import with_settings
from server.cli_errors import BadInput
from server.config import Settings
from server.store.base import sparql_term
from server.store.factory import DUMP_NAME, graph_iri

ISQL = "isql-vt"     # Debian's name for Virtuoso's isql


def put_graph(dump: Path, url: str, graph: str, user: str | None = None,
              password: str | None = None, timeout: float = 300.0) -> int:
    """Replace ``graph`` at the Graph Store endpoint ``url`` with ``dump``; return the status."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise click.BadParameter(f"{url!r} is not an http:// or https:// URL", param_hint="--to")
    target = url + ("&" if "?" in url else "?") + urllib.parse.urlencode({"graph": graph})
    handlers = []
    if user:
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, url, user, password or "")
        handlers = [urllib.request.HTTPBasicAuthHandler(passwords),
                    urllib.request.HTTPDigestAuthHandler(passwords)]
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(target, data=dump.read_bytes(), method="PUT",
                                     headers={"Content-Type": "application/n-triples"})
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        raise click.ClickException(
            f"{target}: HTTP {error.code}: {error.read().decode('utf-8', 'replace')[:500]}"
        ) from error
    except (urllib.error.URLError, TimeoutError) as error:  # no answer: refused, unknown host
        raise click.ClickException(f"{target}: {getattr(error, 'reason', error)}") from error


def _sql_string(text: str) -> str:
    """A SQL string literal (quotes doubled): the only way values enter the isql script."""
    return "'" + text.replace("'", "''") + "'"


def bulk_load_virtuoso(dump: Path, graph: str, port: int, user: str = "dba",
                       password: str = "dba", timeout: float = 600.0) -> str:
    """Load ``dump`` into ``graph`` with Virtuoso's bulk loader (its folder must be in the
    server's DirsAllowed); the graph is cleared first. Returns isql's output."""
    isql = shutil.which(ISQL)
    if isql is None:
        raise click.ClickException(f"{ISQL} not found: install virtuoso-opensource")
    script = "\n".join([
        f"SPARQL CLEAR GRAPH {sparql_term(URIRef(graph))};",
        "DELETE FROM DB.DBA.load_list;",
        f"ld_dir({_sql_string(str(dump.parent.resolve()))}, {_sql_string(dump.name)}, "
        f"{_sql_string(graph)});",
        "rdf_loader_run();",
        "checkpoint;",
        "SELECT ll_file, ll_state, ll_error FROM DB.DBA.load_list;",
        "",
    ])
    done = subprocess.run([isql, str(port), user, password], input=script, text=True,
                          capture_output=True, timeout=timeout)
    output = done.stdout + done.stderr
    if done.returncode != 0 or "*** Error" in output:
        raise click.ClickException(f"Virtuoso bulk load failed:\n{output}")
    return output


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
    dump = settings.dist_dir / DUMP_NAME
    if not dump.is_file():
        raise BadInput(f"{dump} does not exist: run `cnc-kg build` first")
    graph = graph or graph_iri(settings)
    if (url is None) == (isql_port is None):
        raise click.UsageError("give exactly one of --to URL or --isql PORT")
    if url is not None:
        status = put_graph(dump, url, graph, user, password)
        click.echo(f"{dump} -> <{graph}> at {url}: HTTP {status}")
    else:
        bulk_load_virtuoso(dump, graph, isql_port, user or "dba", password or "dba")
        click.echo(f"{dump} -> <{graph}> in Virtuoso (isql port {isql_port})")
