"""An external SPARQL 1.1 endpoint (Virtuoso, Fuseki, QLever, GraphDB …) over plain HTTP
(https://www.w3.org/TR/sparql11-protocol/), so the status and body of every answer are ours to
read.

Answers are fetched as SPARQL JSON (SELECT/ASK) or Turtle (graphs), capped, and re-serialised by
``results`` so clients get the same documents as from the embedded engine. Virtuoso pitfalls
handled: a ``timeout`` cut answers 200 with partial rows flagged only by
``X-SQL-State: S1TAT``; ``ResultSetMaxRows`` caps silently (flagged by ``X-SPARQL-MaxRows``);
without ``default-graph-uri`` queries also see its system graphs.
Virtuoso's anytime queries and result caps:
https://github.com/openlink/virtuoso-opensource/blob/develop/7/README.ANYTIME.md
"""

from __future__ import annotations

import contextlib
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path

import pyoxigraph as ox
from rdflib.term import Identifier

from server import __version__, dist
from server.namespaces import PREFIXES
from server.store import guard
from server.store.base import (
    QueryResult,
    QuerySyntaxError,
    QueryTimeout,
    Store,
    StoreError,
    StoreUnavailable,
)
from server.store.decoding import decode
from server.store.page_index import PageIndex
from server.store.queries import bound
from server.store.reloading import Build, Generation, Pins, Reloader
from server.store.results import (
    ask_body,
    binding_size,
    graph_body,
    select_body,
    serialize_within,
    take_within,
    triple_size,
)

_TURTLE_PREFIXES = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
# Seconds the HTTP client waits beyond the server-side limit before giving up itself.
_CLIENT_SLACK = 5.0
USER_AGENT = f"cnc-kg/{__version__}"
# What we ask the endpoint for: JSON results for SELECT/ASK, Turtle for graphs.
_ACCEPT = {"select": "application/sparql-results+json", "ask": "application/sparql-results+json",
           "construct": "text/turtle", "describe": "text/turtle"}


def _open_index(build: Build) -> Generation:
    index = PageIndex(build.file(dist.PAGES))
    return Generation(build, index, index.close)


class RemoteStore(Store):
    """A read-only view of one graph of an external SPARQL endpoint, with the page index that
    ``cnc-kg build`` wrote into ``folder`` from the graph it pushed (``cnc-kg load``)."""

    def __init__(self, endpoint: str, folder: Path, *, graph_iri: str,
                 query_timeout: float = 10.0, max_result_rows: int = 10_000,
                 max_result_bytes: int | None = None, service_allow: Sequence[str] = (),
                 reload_check: float = 1.0):
        self.endpoint = endpoint
        self.graph_iri = graph_iri
        self.query_timeout = query_timeout
        self.max_result_rows = max_result_rows
        self.max_result_bytes = max_result_bytes
        self.service_allow = tuple(service_allow)
        self._reloader = Reloader(folder, _open_index, reload_check)
        self._pins = Pins(self._reloader)

    def _fetch(self, sparql: str, form: str, timeout: float) -> tuple[bytes, Mapping[str, str]]:
        """POST the query (SPARQL 1.1 Protocol, form-encoded) and return the body and headers of
        a 200; an error status becomes the store error its status and body say."""
        fields = {"query": sparql,
                  # Our graph as default and only named graph: never Virtuoso's system graphs.
                  "default-graph-uri": self.graph_iri, "named-graph-uri": self.graph_iri,
                  "timeout": str(int(timeout * 1000))}           # server-side stop (ms)
        request = urllib.request.Request(
            self.endpoint, data=urllib.parse.urlencode(fields).encode("utf-8"), method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded",
                     "Accept": _ACCEPT[form], "User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=timeout + _CLIENT_SLACK) as response:
                body = response.read()
                headers = {k.lower(): v for k, v in response.headers.items()}
        except urllib.error.HTTPError as error:
            raise self._refusal(error.code, error.read().decode("utf-8", "replace").strip(),
                                timeout) from error
        except TimeoutError as exc:
            raise QueryTimeout(f"no answer from the store within {timeout:g} s") from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise QueryTimeout(f"no answer from the store within {timeout:g} s") from exc
            raise StoreUnavailable(f"{self.endpoint}: {exc.reason}") from exc
        if headers.get("x-sql-state") == "S1TAT":
            raise QueryTimeout(
                f"the query ran past the {timeout:g} s time limit and was stopped")
        return body, headers

    def _refusal(self, status: int, message: str, timeout: float) -> StoreError:
        """The store error for an HTTP error answer of the endpoint."""
        if status == 400 or "37000" in message or "SP030" in message:
            return QuerySyntaxError(message)      # Virtuoso answers its syntax errors with 500
        if "HY008" in message:      # Virtuoso cancelled it at its timeout (e.g. aggregates)
            return QueryTimeout(
                f"the query ran past the {timeout:g} s time limit and was stopped")
        if "estimated execution time" in message:           # Virtuoso refuses by cost estimate
            return QueryTimeout(
                f"the store estimates this query would run past its time limit: {message}")
        return StoreUnavailable(f"{self.endpoint}: HTTP {status}: {message}")

    def answer(self, sparql: str, *, media_type: str, default_graph_uris: Sequence[str] = (),
               named_graph_uris: Sequence[str] = ()) -> QueryResult:
        """Run a client's query on the endpoint (see ``Store.answer``)."""
        form = guard.check_query(sparql, self.service_allow).form
        self.check_dataset(default_graph_uris, named_graph_uris)
        return self._run(sparql, form, media_type, self.max_result_rows,
                         self.max_result_bytes)

    def query(self, sparql: str, *,
              bindings: Mapping[str, Identifier] | None = None) -> QueryResult:
        """Run one of the server's own queries on the endpoint (see ``Store.query``)."""
        form = guard.query_form(sparql)
        return self._run(bound(sparql, bindings or {}), form, None, None, None)

    def _run(self, sparql: str, form: str, media_type: str | None, limit: int | None,
             max_bytes: int | None) -> QueryResult:
        body, headers = self._fetch(sparql, form, self.query_timeout)
        capped_by_store = "x-sparql-maxrows" in headers
        if form == "ask":
            kind, truncated = "ask", False
            body = ask_body(_ask_answer(json.loads(body)), media_type)
        elif form == "select":
            kind = "select"
            data = json.loads(body)
            variables = data["head"]["vars"]
            rows, cut = take_within(data["results"]["bindings"], limit, max_bytes, binding_size)
            body, dropped = serialize_within(
                rows, lambda kept: select_body(variables, kept, media_type), max_bytes)
            truncated = capped_by_store or cut or dropped
        else:
            kind = "graph"
            triples, cut = take_within(ox.parse(body, format=ox.RdfFormat.TURTLE), limit,
                                       max_bytes, triple_size)
            body, dropped = serialize_within(
                triples, lambda kept: graph_body(kept, media_type, _TURTLE_PREFIXES), max_bytes)
            truncated = capped_by_store or cut or dropped
        if media_type is None:
            return decode(kind, body, truncated)
        return QueryResult(kind, truncated=truncated, body=body, media_type=media_type)

    def pinned(self) -> contextlib.AbstractContextManager[None]:
        """Within the block, this thread reads the page index of one build."""
        return self._pins.pinned()

    def index(self) -> PageIndex:
        """The page index ``cnc-kg build`` wrote from the dumps pushed to the endpoint."""
        with self._pins.current() as generation:
            return generation.parts

    def close(self) -> None:
        """Close the page index (once the requests using it are done)."""
        self._reloader.close()


def _ask_answer(data: dict) -> bool:
    """The boolean of an ASK answer; Virtuoso may answer ASK as a one-row SELECT of
    ``__ASK_RETVAL`` (0 or 1) instead of the ``boolean`` member."""
    if "boolean" in data:
        return bool(data["boolean"])
    rows = data.get("results", {}).get("bindings", [])
    return bool(rows) and rows[0].get("__ASK_RETVAL", {}).get("value", "0") not in ("0", "false")
