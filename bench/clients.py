"""Timing one query: over HTTP (the SPARQL protocol, GET) or on the raw pyoxigraph engine.

Every answer is read to its last byte and, for SELECT, its rows are counted: a fast answer that
is empty or cut short must show in the results, not pass for speed.
"""

from __future__ import annotations

import http.client
import json
import statistics
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox

SELECT_JSON = "application/sparql-results+json"
TRIPLES = "application/n-triples, text/plain;q=0.9, text/turtle;q=0.8"
# Virtuoso answers a query cut by its time limit with HTTP 200 and partial results, flagged
# only by this header (engines.md): that is a timeout, never an answer.
VIRTUOSO_PARTIAL = ("X-SQL-State", "S1TAT")


@dataclass
class Outcome:
    """One run: seconds and size of the answer, or why there is none."""

    status: str               # "ok" | "timeout" | "error"
    seconds: float | None = None
    rows: int | None = None
    detail: str = ""


def accept_for(form: str) -> str:
    """The media type asked for a query form (results JSON, or N-Triples for graphs)."""
    return TRIPLES if form in ("CONSTRUCT", "DESCRIBE") else SELECT_JSON


def _rows(body: bytes, form: str) -> int:
    if form in ("CONSTRUCT", "DESCRIBE"):
        return sum(1 for line in body.splitlines() if line.strip() and not line.startswith(b"#"))
    answer = json.loads(body)
    return len(answer["results"]["bindings"]) if "results" in answer else int(answer["boolean"])


class HttpClient:
    """GET requests to one server over a keep-alive connection, reopened after a failure."""

    def __init__(self, base: str, timeout: float):
        parts = urllib.parse.urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.timeout = timeout
        self._connection: http.client.HTTPConnection | None = None

    def get(self, target: str, accept: str, form: str | None = None) -> Outcome:
        """Fetch ``target`` (path and query) and time it until the answer's last byte;
        ``form`` (a SPARQL query form) asks for the answer's rows to be counted."""
        reused = self._connection is not None
        if self._connection is None:
            self._connection = http.client.HTTPConnection(self.host, self.port,
                                                          timeout=self.timeout)
        started = time.perf_counter()
        try:
            self._connection.request("GET", target, headers={"Accept": accept})
            response = self._connection.getresponse()
            body = response.read()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # the server closed an idle keep-alive connection: not the request's fault
            self.close()
            if reused:
                return self.get(target, accept, form)
            return Outcome("error", detail="connection closed without an answer")
        except TimeoutError:
            self.close()
            return Outcome("timeout", detail=f"no answer in {self.timeout:g} s")
        except (OSError, http.client.HTTPException) as error:
            self.close()
            return Outcome("error", detail=f"{type(error).__name__}: {error}")
        seconds = time.perf_counter() - started
        if response.getheader(VIRTUOSO_PARTIAL[0], "") == VIRTUOSO_PARTIAL[1]:
            return Outcome("timeout", detail="partial answer (X-SQL-State: S1TAT)")
        if response.status in (503, 504) and b"time limit" in body:
            return Outcome("timeout", detail=f"HTTP {response.status} at the time limit")
        if response.status != 200:
            return Outcome("error", detail=f"HTTP {response.status}: "
                           f"{body[:200].decode('utf-8', 'replace')}")
        return Outcome("ok", seconds, _rows(body, form) if form else None)

    def close(self) -> None:
        """Drop the connection (the next request opens a new one)."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class HttpEndpoint(HttpClient):
    """A SPARQL endpoint (the protocol's GET form)."""

    def __init__(self, endpoint: str, timeout: float, default_graph: str | None = None):
        super().__init__(endpoint, timeout)
        self.path = urllib.parse.urlsplit(endpoint).path
        self.default_graph = default_graph

    def run(self, query: str, form: str) -> Outcome:
        """Send ``query`` and time it until the answer's last byte."""
        params = {"query": query}
        if self.default_graph:
            params["default-graph-uri"] = self.default_graph
        return self.get(self.path + "?" + urllib.parse.urlencode(params), accept_for(form),
                        form)


class RawEngine:
    """pyoxigraph in this process, answers serialised as an endpoint would (JSON, N-Triples)."""

    def __init__(self, store: ox.Store):
        self.store = store

    def run(self, query: str, form: str) -> Outcome:
        """Run ``query`` and serialise its whole answer."""
        started = time.perf_counter()
        try:
            answer = self.store.query(query)
            if isinstance(answer, ox.QueryTriples):
                body = answer.serialize(format=ox.RdfFormat.N_TRIPLES)
            else:
                body = answer.serialize(format=ox.QueryResultsFormat.JSON)
        except (SyntaxError, OSError) as error:
            return Outcome("error", detail=f"{type(error).__name__}: {error}")
        return Outcome("ok", time.perf_counter() - started, _rows(body, form))


def numbered(query: str, run: int) -> str:
    """``query`` with a comment naming the run: a text no engine has seen, so none answers it
    from answers it kept (ours keeps them per build; the comparison is of engines' work)."""
    return f"{query}\n# run {run}\n"


def repeat(run: Callable[[int], Outcome], repeats: int, budget_s: float) -> dict:
    """One warm-up run, then up to ``repeats`` timed runs (fewer past ``budget_s``): median.
    ``run`` is given the run's number (0 for the warm-up).

    A warm-up slower than the budget is kept as the only measurement, so a slow engine is
    measured once instead of holding up the whole run.
    """
    first = run(0)
    if first.status != "ok":
        return {"status": first.status, "detail": first.detail}
    times, rows = [], first.rows
    if first.seconds >= budget_s:
        times.append(first.seconds)
    spent = first.seconds
    while len(times) < repeats and (not times or spent < budget_s):
        outcome = run(len(times) + 1)
        if outcome.status != "ok":
            return {"status": outcome.status, "detail": outcome.detail}
        times.append(outcome.seconds)
        spent += outcome.seconds
    return {"status": "ok", "median_ms": statistics.median(times) * 1000, "runs": len(times),
            "rows": rows}

