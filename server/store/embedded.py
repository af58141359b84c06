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
import functools
import signal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
from rdflib.term import Identifier

from server import dist
from server.store import guard
from server.store.answers import AnswerCache, cacheable
from server.store.base import (
    QueryRefused,
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
from server.store.sandbox import Confinement, SandboxError, verify

_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Limits:
    """How clients' queries are run: time, size and the engine processes' lanes (the settings
    of the same names, ``server.config``)."""

    query_timeout: float
    max_result_rows: int
    max_result_bytes: int | None
    query_workers: int               # short-lane engine processes per web worker
    long_queries: int                # queries past ``short_query_seconds`` at a time
    short_query_seconds: float
    queue_wait: float                # seconds a query waits for a free engine
    service_allow: tuple[str, ...] = ()
    service_workers: int = 1         # engine processes for queries calling an allowed SERVICE
    engine_memory_mb: int | None = None   # what an engine may add to its size at start
    answer_cache_bytes: int = 0      # answers kept per build (``answers``); 0 = none
    base_iri: str | None = None      # relative IRIs in queries resolve against it
    prefixes: Mapping[str, str] | None = None   # declared for every query


@dataclass(frozen=True)
class _Opened:
    index: PageIndex
    local: ox.Store
    engines: EnginePool
    federated: EnginePool | None       # only when service_allow names endpoints
    answers: AnswerCache | None        # only when answer_cache_bytes is set


def service_ports(endpoints: Sequence[str]) -> tuple[int, ...]:
    """The TCP ports of the allowed SERVICE endpoints (80 and 443 unless a port is given)."""
    ports = set()
    for endpoint in endpoints:
        parts = urlsplit(endpoint)
        if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
            raise ValueError(f"service_allow: {endpoint!r} is not an http(s) endpoint IRI")
        ports.add(parts.port or _DEFAULT_PORTS[parts.scheme])
    return tuple(sorted(ports))


@functools.cache
def _verified(policy: Confinement) -> Confinement:
    """``policy``, once it has been seen to hold in a child of this process (checked once): a
    server whose engine processes could not be walled in refuses to start."""
    try:
        verify(policy)
    except SandboxError as error:
        raise SandboxError(f"engine processes cannot be confined on this machine: {error}"
                           ) from error
    return policy


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
        """A new generation: the build's index and store, and engine processes on it (in a
        federated lane too when ``service_allow`` names endpoints)."""
        limits = self.limits
        memory = None if limits.engine_memory_mb is None else limits.engine_memory_mb * 2**20
        index = PageIndex(build.file(dist.PAGES))
        local = ox.Store.read_only(build.file(dist.STORE))

        def pool(size: int, ports: tuple[int, ...]) -> EnginePool:
            return EnginePool(build.file(dist.STORE), size, long_capacity=limits.long_queries,
                              short_seconds=limits.short_query_seconds,
                              confinement=_verified(Confinement(ports, memory)),
                              pass_fds=(build.fd,))

        engines = pool(limits.query_workers, ())
        federated = (pool(limits.service_workers, service_ports(limits.service_allow))
                     if limits.service_allow else None)

        def close() -> None:
            engines.close()
            if federated is not None:
                federated.close()
            index.close()

        answers = AnswerCache(limits.answer_cache_bytes) if limits.answer_cache_bytes else None
        return Generation(build, _Opened(index, local, engines, federated, answers), close)

    def pinned(self) -> contextlib.AbstractContextManager[None]:
        """Within the block, this thread's queries all use the build current at its start."""
        return self._pins.pinned()

    def answer(self, sparql: str, *, media_type: str, default_graph_uris: Sequence[str] = (),
               named_graph_uris: Sequence[str] = ()) -> QueryResult:
        """Run a client's query in an engine process, or send the answer the same query had on
        this build (see ``Store.answer``)."""
        key = (sparql, media_type, tuple(default_graph_uris), tuple(named_graph_uris))
        with self._pins.current() as generation:
            opened = generation.parts
            answers = opened.answers if opened.answers and cacheable(sparql) else None
            kept = answers.get(key) if answers is not None else None
            if kept is not None:
                header, body = kept
            else:
                header, body = self._run(opened, sparql, media_type, default_graph_uris,
                                         named_graph_uris)
                if answers is not None and header["status"] == "ok":
                    answers.put(key, header, body, len(sparql))
        if header["status"] == "error":
            if header["kind"] in ("syntax", "query"):
                raise QuerySyntaxError(header["message"])
            if header["kind"] == "refused":
                raise QueryRefused(header["message"])
            raise StoreUnavailable(header["message"])
        return QueryResult(header["kind"], truncated=header["truncated"], body=body,
                           media_type=media_type)

    def _run(self, opened: _Opened, sparql: str, media_type: str,
             default_graph_uris: Sequence[str], named_graph_uris: Sequence[str]
             ) -> tuple[dict, bytes]:
        """Check a client's query and run it in an engine process: the engine's header and
        body."""
        limits = self.limits
        checked = guard.check_query(sparql, limits.service_allow)
        self.check_dataset(default_graph_uris, named_graph_uris)
        request = {"sparql": sparql, "media_type": media_type, "graph": self.graph_iri,
                   "max_rows": limits.max_result_rows, "max_bytes": limits.max_result_bytes,
                   "base_iri": limits.base_iri, "prefixes": dict(limits.prefixes or {})}
        # A query calling an allowed SERVICE needs the lane whose processes may connect.
        engines = opened.federated if checked.services and opened.federated else opened.engines
        try:
            return engines.call(request, timeout=limits.query_timeout, wait=limits.queue_wait)
        except EngineTimeout as exc:
            raise QueryTimeout(f"the query ran past the {limits.query_timeout:g} s time limit "
                               "and was stopped") from exc
        except LongLaneFull as exc:
            raise QueryTimeout(f"{exc}: it was stopped; try again in a moment") from exc
        except EngineCrashed as exc:
            if exc.exitcode == -signal.SIGABRT:    # the engine's answer to an allocation refused
                raise StoreUnavailable(
                    "the query needed more memory than an engine process may use "
                    f"(engine_memory_mb = {limits.engine_memory_mb}) and was stopped") from exc
            raise StoreUnavailable(str(exc)) from exc
        except EngineBusy as exc:
            raise StoreUnavailable(str(exc)) from exc

    def query(self, sparql: str, *,
              bindings: Mapping[str, Identifier] | None = None) -> QueryResult:
        """Run one of the server's own queries in this process (see ``Store.query``)."""
        with self._pins.current() as generation:
            return local_query(generation.parts.local, self.graph_iri, sparql, bindings)

    def index(self) -> PageIndex:
        """The page index of the build this thread's request sees."""
        with self._pins.current() as generation:
            return generation.parts.index

    def status(self) -> dict:
        """The build served, the reload checks, the engine processes and how busy they are,
        the answers kept."""
        with self._pins.current() as generation:
            answers = generation.parts.answers
            return {"version": generation.version,
                    "build": generation.build.record.get("version"),
                    "reload": {"checks": self._reloader.checks,
                               "failure": self._reloader.failure},
                    **generation.parts.engines.status(),
                    "answers": answers.status() if answers is not None else None}

    def worker_pids(self) -> list[int]:
        """Process ids of the current build's engine processes, every lane."""
        with self._pins.current() as generation:
            opened = generation.parts
            return opened.engines.pids() + (opened.federated.pids() if opened.federated
                                            else [])

    def close(self) -> None:
        """Stop the engine processes (once the requests using them are done)."""
        self._reloader.close()
