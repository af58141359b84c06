"""The embedded engine: the build's on-disk pyoxigraph store (https://pyoxigraph.readthedocs.io),
opened read-only, never loaded or parsed by the server.

Each web worker opens the store and the page index of the current build (``reloading``): its
own bounded queries (one entity's statements, a few labels) run in-process, clients' queries in
killable engine processes (``engines``) that open the same files. The operating system's page
cache holds the files once for every process; a new build is opened beside the old one and
swapped in, the old one closed when its last request ends.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib.term import Identifier

from server import dist
from server.store import guard
from server.store.base import (
    QueryResult,
    QuerySyntaxError,
    QueryTimeout,
    Store,
    StoreUnavailable,
)
from server.store.engines import (
    EngineBusy,
    EngineCrashed,
    EnginePool,
    EngineTimeout,
    LongLaneFull,
)
from server.store.local import local_query
from server.store.page_index import PageIndex
from server.store.reloading import Build, Generation, Pins, Reloader


@dataclass(frozen=True)
class Limits:
    """How clients' queries are run: time, size and the engine processes' lanes (the settings
    of the same names, ``server.config``)."""

    query_timeout: float
    max_result_rows: int
    query_workers: int               # short-lane engine processes per web worker
    long_queries: int                # queries past ``short_query_seconds`` at a time
    short_query_seconds: float
    queue_wait: float                # seconds a query waits for a free engine
    service_allow: tuple[str, ...] = ()
    base_iri: str | None = None      # relative IRIs in queries resolve against it
    prefixes: Mapping[str, str] | None = None   # declared for every query


@dataclass(frozen=True)
class _Opened:
    index: PageIndex
    local: ox.Store
    engines: EnginePool


class EmbeddedStore(Store):
    """The build in ``folder`` (``dist/``), reopened when a new build appears.

    Each request (``pinned``) sees one whole build, old or new, never a mix.
    """

    def __init__(self, folder: Path, *, graph_iri: str, limits: Limits,
                 reload_check: float = 1.0):
        self.graph_iri = graph_iri
        self.limits = limits
        self._reloader = Reloader(folder, self._open, reload_check)
        self._pins = Pins(self._reloader)

    def _open(self, build: Build) -> Generation:
        """A new generation: the build's index and store, and engine processes on it."""
        index = PageIndex(build.file(dist.PAGES))
        local = ox.Store.read_only(build.file(dist.STORE))
        engines = EnginePool(build.file(dist.STORE), self.limits.query_workers,
                             long_capacity=self.limits.long_queries,
                             short_seconds=self.limits.short_query_seconds,
                             pass_fds=(build.fd,))

        def close() -> None:
            engines.close()
            index.close()

        return Generation(build, _Opened(index, local, engines), close)

    def pinned(self) -> contextlib.AbstractContextManager[None]:
        """Within the block, this thread's queries all use the build current at its start."""
        return self._pins.pinned()

    def answer(self, sparql: str, *, media_type: str, default_graph_uris: Sequence[str] = (),
               named_graph_uris: Sequence[str] = ()) -> QueryResult:
        """Run a client's query in an engine process (see ``Store.answer``)."""
        limits = self.limits
        guard.check_query(sparql, limits.service_allow)
        self.check_dataset(default_graph_uris, named_graph_uris)
        request = {"sparql": sparql, "media_type": media_type, "graph": self.graph_iri,
                   "max_rows": limits.max_result_rows, "base_iri": limits.base_iri,
                   "prefixes": dict(limits.prefixes or {})}
        try:
            with self._pins.current() as generation:
                header, body = generation.parts.engines.call(
                    request, timeout=limits.query_timeout, wait=limits.queue_wait)
        except EngineTimeout as exc:
            raise QueryTimeout(f"the query ran past the {limits.query_timeout:g} s time limit "
                               "and was stopped") from exc
        except LongLaneFull as exc:
            raise QueryTimeout(f"{exc}: it was stopped; try again in a moment") from exc
        except (EngineBusy, EngineCrashed) as exc:
            raise StoreUnavailable(str(exc)) from exc
        if header["status"] == "error":
            if header["kind"] == "syntax":
                raise QuerySyntaxError(header["message"])
            raise StoreUnavailable(header["message"])
        return QueryResult(header["kind"], truncated=header["truncated"], body=body,
                           media_type=media_type)

    def query(self, sparql: str, *,
              bindings: Mapping[str, Identifier] | None = None) -> QueryResult:
        """Run one of the server's own queries in this process (see ``Store.query``)."""
        with self._pins.current() as generation:
            return local_query(generation.parts.local, self.graph_iri, sparql, bindings)

    def index(self) -> PageIndex:
        """The page index of the build this thread's request sees."""
        with self._pins.current() as generation:
            return generation.parts.index

    def worker_pids(self) -> list[int]:
        """Process ids of the current build's engine processes."""
        with self._pins.current() as generation:
            return generation.parts.engines.pids()

    def status(self) -> dict:
        """The build served, the reload checks, the engine processes and how busy they are."""
        with self._pins.current() as generation:
            return {"version": generation.version,
                    "build": generation.build.record.get("version"),
                    "reload": {"checks": self._reloader.checks,
                               "failure": self._reloader.failure},
                    **generation.parts.engines.status()}

    def close(self) -> None:
        """Stop the engine processes (once the requests using them are done)."""
        self._reloader.close()
