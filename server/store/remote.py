"""An external SPARQL 1.1 endpoint (Virtuoso, Fuseki, QLever, GraphDB …) through SPARQLWrapper.

Answers are fetched as SPARQL JSON (SELECT/ASK) or Turtle (graphs), capped, and re-serialised by
``results`` so clients get the same documents as from the embedded engine. Virtuoso pitfalls
handled (see guide/engines.md): a ``timeout`` cut answers 200 with partial rows flagged only by
``X-SQL-State: S1TAT``; ``ResultSetMaxRows`` caps silently (flagged by ``X-SPARQL-MaxRows``);
without ``default-graph-uri`` queries also see its system graphs.
"""

from __future__ import annotations

import ast
import hashlib
import json
import urllib.error
from collections.abc import Mapping, Sequence

import pyoxigraph as ox
from rdflib.term import Identifier
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException

from server.namespaces import PREFIXES
from server.store import guard
from server.store.base import (
    QueryResult,
    QuerySyntaxError,
    QueryTimeout,
    Store,
    StoreUnavailable,
    bindings_clause,
)
from server.store.results import (
    ask_body,
    binding_size,
    decode,
    graph_body,
    select_body,
    serialize_within,
    take_within,
    triple_size,
)

_TURTLE_PREFIXES = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
# Seconds the HTTP client waits beyond the server-side limit before giving up itself.
_CLIENT_SLACK = 5.0


class RemoteStore(Store):
    """A read-only view of one graph of an external SPARQL endpoint."""

    def __init__(self, endpoint: str, *, graph_iri: str, query_timeout: float = 10.0,
                 max_result_rows: int = 10_000, max_result_bytes: int | None = None,
                 service_allow: Sequence[str] = ()):
        self.endpoint = endpoint
        self.graph_iri = graph_iri
        self.query_timeout = query_timeout
        self.max_result_rows = max_result_rows
        self.max_result_bytes = max_result_bytes
        self.service_allow = tuple(service_allow)
        self._version: str | None = None

    def _fetch(self, sparql: str, form: str, timeout: float) -> tuple[bytes, Mapping[str, str]]:
        client = SPARQLWrapper(self.endpoint)
        client.setMethod(POST)
        client.setQuery(sparql)
        # Our graph as default and only named graph: never Virtuoso's system graphs.
        client.addDefaultGraph(self.graph_iri)
        client.addNamedGraph(self.graph_iri)
        client.setReturnFormat(JSON if form in ("select", "ask") else TURTLE)
        client.addParameter("timeout", str(int(timeout * 1000)))   # server-side stop (ms)
        client.setTimeout(int(timeout + _CLIENT_SLACK))
        try:
            response = client.query().response
            body = response.read()
        except QueryBadFormed as exc:
            raise QuerySyntaxError(_endpoint_message(exc)) from exc
        except SPARQLWrapperException as exc:
            message = _endpoint_message(exc)
            if "37000" in message or "SP030" in message:     # Virtuoso's syntax errors are 500s
                raise QuerySyntaxError(message) from exc
            if "HY008" in message:      # Virtuoso cancelled it at its timeout (e.g. aggregates)
                raise QueryTimeout(
                    f"the query ran past the {timeout:g} s time limit and was stopped") from exc
            if "estimated execution time" in message:       # Virtuoso refuses by cost estimate
                raise QueryTimeout(
                    f"the store estimates this query would run past its time limit: {message}"
                ) from exc
            raise StoreUnavailable(f"{self.endpoint}: {message}") from exc
        except TimeoutError as exc:
            raise QueryTimeout(f"no answer from the store within {timeout:g} s") from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise QueryTimeout(f"no answer from the store within {timeout:g} s") from exc
            raise StoreUnavailable(f"{self.endpoint}: {exc.reason}") from exc
        headers = {k.lower(): v for k, v in response.headers.items()}
        if headers.get("x-sql-state") == "S1TAT":
            raise QueryTimeout(
                f"the query ran past the {timeout:g} s time limit and was stopped")
        return body, headers

    def query(self, sparql: str, *, media_type: str | None = None,
              bindings: Mapping[str, Identifier] | None = None,
              timeout: float | None = None,
              default_graph_uris: Sequence[str] = (),
              named_graph_uris: Sequence[str] = (),
              capped: bool = True) -> QueryResult:
        """Run ``sparql`` on the endpoint (see ``Store.query``)."""
        form = guard.check_query(sparql, self.service_allow).form
        self.check_dataset(default_graph_uris, named_graph_uris)
        timeout = self.query_timeout if timeout is None else timeout
        body, headers = self._fetch(sparql + bindings_clause(bindings or {}), form, timeout)
        limit = self.max_result_rows if capped else None
        max_bytes = self.max_result_bytes if capped else None
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

    def version(self) -> str:
        """Endpoint, graph and triple count at first call (external stores give no better)."""
        if self._version is None:
            token = f"{self.endpoint} {self.graph_iri} {self.triple_count()}"
            self._version = hashlib.sha256(token.encode()).hexdigest()[:16]
        return self._version


def _ask_answer(data: dict) -> bool:
    """The boolean of an ASK answer; Virtuoso may answer ASK as a one-row SELECT of
    ``__ASK_RETVAL`` (0 or 1) instead of the ``boolean`` member."""
    if "boolean" in data:
        return bool(data["boolean"])
    rows = data.get("results", {}).get("bindings", [])
    return bool(rows) and rows[0].get("__ASK_RETVAL", {}).get("value", "0") not in ("0", "false")


def _endpoint_message(exc: SPARQLWrapperException) -> str:
    """The endpoint's own words, without SPARQLWrapper's boilerplate."""
    text = str(exc)
    marker = "Response:\n"
    if marker not in text:
        return text
    response = text.split(marker, 1)[1].strip()
    if response[:2] in ('b"', "b'"):          # SPARQLWrapper shows the body as a bytes repr
        response = ast.literal_eval(response).decode("utf-8", "replace")
    return response.strip()
