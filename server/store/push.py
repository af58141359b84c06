"""Pushing the built graph to an external store.

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

from rdflib import URIRef

from server.store.queries import sparql_term

ISQL = "isql-vt"     # Debian's name for Virtuoso's isql


class PushFailed(Exception):
    """The external store refused the graph or could not be reached."""


def put_graph(dump: Path, url: str, graph: str, user: str | None = None,
              password: str | None = None, timeout: float = 300.0) -> int:
    """Replace ``graph`` at the Graph Store endpoint ``url`` with ``dump``; return the status."""
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
        raise PushFailed(
            f"{target}: HTTP {error.code}: {error.read().decode('utf-8', 'replace')[:500]}"
        ) from error
    except (urllib.error.URLError, TimeoutError) as error:  # no answer: refused, unknown host
        raise PushFailed(f"{target}: {getattr(error, 'reason', error)}") from error


def _sql_string(text: str) -> str:
    """A SQL string literal (quotes doubled): the only way values enter the isql script."""
    return "'" + text.replace("'", "''") + "'"


def bulk_load_virtuoso(dump: Path, graph: str, port: int, user: str = "dba",
                       password: str = "dba", timeout: float = 600.0) -> str:
    """Load ``dump`` into ``graph`` with Virtuoso's bulk loader (its folder must be in the
    server's DirsAllowed); the graph is cleared first. Returns isql's output."""
    isql = shutil.which(ISQL)
    if isql is None:
        raise PushFailed(f"{ISQL} not found: install virtuoso-opensource")
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
        raise PushFailed(f"Virtuoso bulk load failed:\n{output}")
    return output
