"""Pushing the built graph to an external store.

Either the SPARQL 1.1 Graph Store HTTP Protocol (``--to URL``: ``PUT URL?graph=IRI``,
https://www.w3.org/TR/sparql11-http-rdf-update/), or, for a Virtuoso on this machine, its bulk
loader through ``isql`` (``--isql PORT``), which is much faster on big files.
"""

from __future__ import annotations

import base64
import shutil
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
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
    request = urllib.request.Request(target, data=dump.read_bytes(), method="PUT",
                                     headers={"Content-Type": "application/n-triples"})
    opener = urllib.request.build_opener()
    try:
        authorization = _authorization(request, user, password or "", timeout) if user else None
        if authorization:
            request.add_unredirected_header("Authorization", authorization)
        elif user:   # no challenge to a HEAD: answer the upload's own, if it comes
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            passwords.add_password(None, url, user, password or "")
            opener = urllib.request.build_opener(urllib.request.HTTPBasicAuthHandler(passwords),
                                                 urllib.request.HTTPDigestAuthHandler(passwords))
        with opener.open(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        raise PushFailed(
            f"{target}: HTTP {error.code}: {error.read().decode('utf-8', 'replace')[:500]}"
        ) from error
    except (urllib.error.URLError, TimeoutError) as error:  # no answer: refused, unknown host
        raise PushFailed(f"{target}: {getattr(error, 'reason', error)}") from error


def _authorization(request: urllib.request.Request, user: str, password: str,
                   timeout: float) -> str | None:
    """The ``Authorization`` header of ``request``, from the challenge of a bodiless ``HEAD``
    and checked by a second one (``None`` when the server asks for none).

    The upload itself is then sent once, authenticated: a server that refuses an upload (401)
    may close the connection before reading its body, and the client gets a broken pipe
    instead of the challenge (Virtuoso does, at random, on a loaded machine).
    """
    challenges = _challenges(request.full_url, None, timeout)
    if challenges is None:
        return None
    answer = _signer(request.full_url, challenges, user, password)
    head = urllib.request.Request(request.full_url, method="HEAD")
    if _challenges(request.full_url, answer(head), timeout) is not None:
        raise PushFailed(f"{request.full_url}: HTTP 401: the user name or password is refused")
    return answer(request)


def _signer(url: str, challenges: list[str], user: str,
            password: str) -> Callable[[urllib.request.Request], str]:
    """What signs a request to ``url``: Digest when the server offers it, else Basic."""
    digest = next((c for c in challenges if c.lower().startswith("digest ")), None)
    if digest is None:
        basic = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        return lambda _: basic
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    passwords.add_password(None, url, user, password)
    handler = urllib.request.HTTPDigestAuthHandler(passwords)   # counts the nonce's uses
    parameters = urllib.request.parse_keqv_list(
        filter(None, urllib.request.parse_http_list(digest[len("digest "):])))
    return lambda req: "Digest " + handler.get_authorization(req, parameters)


def _challenges(url: str, authorization: str | None, timeout: float) -> list[str] | None:
    """The ``WWW-Authenticate`` challenges of a ``HEAD`` of ``url`` refused with 401, or
    ``None`` when it is not refused."""
    head = urllib.request.Request(url, method="HEAD")
    if authorization:
        head.add_unredirected_header("Authorization", authorization)
    try:
        urllib.request.urlopen(head, timeout=timeout).close()
    except urllib.error.HTTPError as error:
        if error.code == 401:
            return error.headers.get_all("WWW-Authenticate") or []
    return None


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
