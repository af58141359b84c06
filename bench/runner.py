"""One graph size measured end to end: loading, start-up, every query on every engine, load runs."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import statistics
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef

from bench import processes
from bench.clients import HttpClient, HttpEndpoint, RawEngine, accept_for, numbered, repeat
from bench.data import build, published, synthetic_project, triple_count
from bench.load_test import run_wrk, wrk_available
from bench.loading import ENGINES, measure_load
from bench.machine import CpuWindow, connections_per_process
from bench.request_profile import request_profile
from bench.summary import DISTINCT_CHEAP
from bench.workload import SERVER_QUERIES, BenchQuery, bound, by_name, workload
from server.project.synthetic import MARKER, SYNTHETIC_NS
from server.services.iris import local_path
from tests.nginx_proxy import nginx_executable, nginx_in_front
from tests.process_memory import tree_memory_mib
from tests.server_process import free_port

HTML = "text/html"
# The pages measured besides the entity page (HTML, as a browser asks).
PAGES = (("home", "/"), ("lists", "/list/"), ("timeline", "/timeline"), ("network", "/network"),
         ("search", "/search?q=Synthetic+laboratory+42"), ("autocomplete", "/api/search?q=synth"))
CHEAP, AGGREGATE = "labels", "class_partitions"   # internal queries used for the load runs
# A load run that leaves queries running where they cannot be cancelled (Virtuoso and
# rdflib-endpoint go on with a 1.5 s aggregate after wrk stops) would slow the next round's
# runs: it runs once, after the rounds.
RUN_ONCE_AT_THE_END = ("aggregate SELECT",)
STATIC_ROUTE = "/robots.txt"    # the floor: the same server answering without any work
SEARCH_LOAD = "/api/search?q=synthetic+lab"
# What people type: a word, a prefix, words in another order, accents left out, Chinese, a miss.
SEARCH_QUERIES = ("synthetic", "synth", "laboratory synthetic 42", "universite", "cnrs",
                  "inrae caas", "合成", "合成大学 7", "carbon", "zzzz no such name", "s",
                  "Synthetic university 1234", "nœud", "energie")


@dataclass(frozen=True)
class Options:
    """What a run measures and how hard."""

    repo: Path
    work: Path
    seed: int = 0
    repeats: int = 5
    budget_s: float = 5.0          # per query and engine, beyond which fewer repeats are run
    timeout_s: float = 20.0        # per query, every engine
    load_timeout_s: float = 600.0  # loading one graph in one engine
    wrk_seconds: int = 5
    load_rounds: int = 5           # wrk runs per target, interleaved; the median one is kept
    wrk_connections: int = 16
    rdflib_budget_s: float = 180.0  # rdflib-endpoint queries and restarts, per size
    # rdflib holds a graph in Python objects (~1.5 GB and minutes per million triples): above
    # this size it would only spend the load timeouts, twice, and most of the machine's memory.
    rdflib_max_size: int = 1_000_000
    # The raw engine is pyoxigraph in the benchmark's own process, with neither time limit nor
    # answer cap: at 10M its in-memory graph and whole-graph answers took that process past
    # 21 GB and the kernel killed it.
    raw_max_size: int = 1_000_000
    # Above this size the graph is published without validation (bench.publish): the SHACL
    # engine's memory grows past the machine's (0.8 GB at 1M, over 23 GB at 10M).
    validate_max_size: int = 1_000_000
    build_timeout_s: float = 3600.0  # one cnc-kg build (10M triples take minutes)


FIRST_VISITS = 30               # distinct entity pages fetched once each (no page cache help)


def _rounds(folder: Path) -> int:
    return json.loads((folder / MARKER).read_text(encoding="utf-8"))["rounds"]


def sample_entity(folder: Path) -> URIRef:
    """An organisation from the middle of the generated graph (pages, bound queries)."""
    return URIRef(f"{SYNTHETIC_NS}org-{_rounds(folder) // 2}-fr")


def first_visit_paths(folder: Path, count: int = FIRST_VISITS) -> list[str]:
    """Local paths of ``count`` distinct organisations spread over the graph (never the
    sample entity, whose page the other measurements have already cached)."""
    rounds, sample = _rounds(folder), _rounds(folder) // 2
    picks = dict.fromkeys(n * rounds // count for n in range(count))
    return [local_path(f"{SYNTHETIC_NS}org-{n}-cn") or "" for n in picks if n != sample]


class _RdflibEndpoint:
    """rdflib-endpoint, restarted after a query it could not finish (it stays busy otherwise),
    within a time budget per size: past it, the remaining queries are recorded as not run."""

    def __init__(self, dump: Path, options: Options, skipped: str | None = None):
        self.dump, self.options, self.skipped = dump, options, skipped
        self.restarts = 0
        self.startups: list[float] = []
        self._stack = contextlib.ExitStack()
        self.running: processes.Running | None = None
        self.client: HttpEndpoint | None = None
        self.deadline = float("inf")      # set when its pass over the queries begins

    def start(self) -> None:
        if self.skipped:
            return
        self.running = self._stack.enter_context(
            processes.rdflib_endpoint(self.dump, self.options.load_timeout_s))
        self.startups.append(self.running.startup_s)
        self.client = HttpEndpoint(self.running.endpoint, self.options.timeout_s)

    def stop(self) -> None:
        if self.client is not None:
            self.client.close()
        self._stack.close()
        self.running = self.client = None

    def measure(self, query: BenchQuery) -> dict:
        if self.skipped:
            return {"status": "not run", "detail": self.skipped}
        if self.client is None or time.monotonic() > self.deadline:
            return {"status": "not run", "detail": "rdflib-endpoint time budget spent"}
        result = repeat(lambda n: self.client.run(numbered(query.text, n), query.form),
                        self.options.repeats, self.options.budget_s)
        if result["status"] == "timeout":
            self.stop()
            if time.monotonic() + self.startups[-1] < self.deadline:
                self.restarts += 1
                self.start()
        return result


def _compare_queries(queries: list[BenchQuery], ours: HttpEndpoint, raw: RawEngine | None,
                     virtuoso: HttpEndpoint | None, rdflib: _RdflibEndpoint,
                     options: Options) -> list[dict]:
    """Every query on every engine, interleaved so machine noise spreads evenly; then
    rdflib-endpoint, cheapest first (by the raw engine's time) so its budget covers most."""
    rows = []
    for query in queries:
        row = {"name": query.name, "group": query.group, "form": query.form}
        for name, engine in (("cnc-kg", ours), ("raw", raw), ("virtuoso", virtuoso)):
            if engine is not None:
                row[name] = repeat(lambda n, e=engine, q=query: e.run(numbered(q.text, n),
                                                                      q.form),
                                   options.repeats, options.budget_s)
        rows.append(row)
        print(f"    {query.name}: " + ", ".join(
            f"{k} {v.get('median_ms', v['status'])}" for k, v in row.items()
            if isinstance(v, dict)), flush=True)
    by_cost = sorted(zip(queries, rows, strict=True),
                     key=lambda pair: pair[1].get("raw", {}).get("median_ms", float("inf")))
    rdflib.deadline = time.monotonic() + options.rdflib_budget_s   # its budget starts now
    for query, row in by_cost:
        row["rdflib-endpoint"] = rdflib.measure(query)
        print(f"    {query.name}: rdflib-endpoint "
              f"{row['rdflib-endpoint'].get('median_ms', row['rdflib-endpoint']['status'])}",
              flush=True)
    return rows


def _page_timings(base: str, pages: tuple[tuple[str, str], ...], options: Options) -> dict:
    """Median time of each page, as a browser asks for it."""
    client = HttpClient(base, options.timeout_s)
    try:
        return {name: {"path": path, **repeat(lambda _, p=path: client.get(p, HTML),
                                              options.repeats, options.budget_s)}
                for name, path in pages}
    finally:
        client.close()


def _first_visits(base: str, paths: list[str], options: Options) -> dict:
    """Median time of pages each fetched once: what a visitor meets before any cache."""
    client = HttpClient(base, options.timeout_s)
    try:
        outcomes = [client.get(path, HTML) for path in paths]
    finally:
        client.close()
    described = f"{len(paths)} distinct entities"
    failed = next((o for o in outcomes if o.status != "ok"), None)
    if failed is not None or not outcomes:
        return {"status": failed.status if failed else "error", "path": described,
                "detail": failed.detail if failed else "no page"}
    return {"status": "ok", "path": described,
            "median_ms": statistics.median(o.seconds for o in outcomes) * 1000,
            "runs": len(outcomes)}


def _query_url(running: processes.Running, query: BenchQuery) -> str:
    params = {"query": query.text}
    if running.default_graph:
        params["default-graph-uri"] = running.default_graph
    return running.endpoint + "?" + urllib.parse.urlencode(params)


def distinct_entities(folder: Path) -> list[URIRef]:
    """Every generated organisation and laboratory (four per round), in round order."""
    return [URIRef(f"{SYNTHETIC_NS}{kind}-{n}-{country}") for n in range(_rounds(folder))
            for kind in ("org", "lab") for country in ("fr", "cn")]


def _distinct_target(running: processes.Running, entities: list[URIRef]) -> tuple:
    """The load target of ``DISTINCT_CHEAP``: the endpoint and, for each entity, the path of
    the query about it, the query parameter last (the load run appends to it)."""
    text = (SERVER_QUERIES / f"{CHEAP}.rq").read_text(encoding="utf-8")
    graph = ({"default-graph-uri": running.default_graph} if running.default_graph else {})
    path = urllib.parse.urlsplit(running.endpoint).path
    return (running.endpoint, accept_for("SELECT"),
            [f"{path}?" + urllib.parse.urlencode({**graph, "query": bound(text, e)})
             for e in entities])


def _load_runs(running: processes.Running, targets: dict[str, tuple], options: Options) -> dict:
    """wrk on each target — (URL, Accept) or (URL, Accept, paths to go through) — in
    ``options.load_rounds`` rounds, the targets interleaved in each, so that a burst of machine
    noise does not land on one target only; per target, the run of median rate (with every
    round's rate)."""
    if not wrk_available():
        return {"error": "wrk not installed"}

    def run(target: tuple) -> dict:
        port = urllib.parse.urlsplit(target[0]).port
        spread: dict = {}
        halfway = threading.Timer(options.wrk_seconds / 2, lambda: spread.update(
            connections=connections_per_process(port)))
        window = CpuWindow.start()
        halfway.start()
        found = run_wrk(target[0], target[1], options.wrk_seconds, options.wrk_connections,
                        options.timeout_s, paths=target[2] if len(target) > 2 else None)
        halfway.join()
        return {**found, "cpu": window.stop(), **spread}

    runs: dict[str, list[dict]] = {name: [] for name in targets}
    for _ in range(options.load_rounds):
        for name, target in targets.items():
            if name not in RUN_ONCE_AT_THE_END:
                runs[name].append(run(target))
    for name in RUN_ONCE_AT_THE_END:
        if name in targets:
            runs[name].append(run(targets[name]))
    return {name: _median_run(found) for name, found in runs.items()}


def _median_run(runs: list[dict]) -> dict:
    """The run of median rate among ``runs`` (the first error if any failed), with the rates
    of all."""
    failed = [run for run in runs if "requests_per_s" not in run]
    if failed:
        return failed[0]
    ranked = sorted(runs, key=lambda run: run["requests_per_s"])
    return {**ranked[(len(ranked) - 1) // 2],
            "rounds_per_s": [run["requests_per_s"] for run in runs],
            "rounds_cpu": [run.get("cpu") for run in runs],
            "rounds_connections": [run.get("connections") for run in runs]}


def measure_size(size: int, options: Options) -> dict:
    """Everything measured on the curated project grown by ``size`` synthetic data triples."""
    print(f"== {size} triples", flush=True)
    folder = synthetic_project(options.repo, options.work, size, options.seed)
    result: dict = {"size": size, "loadavg_before": os.getloadavg()}
    result["build"] = build(folder, options.build_timeout_s, *_build_flags(),
                            validated=size <= options.validate_max_size)
    print(f"  build: {result['build']}", flush=True)
    dump = published(folder)
    result["triples"] = triple_count(dump)
    skipped = (f"not run above {options.rdflib_max_size:,} triples"
               if size > options.rdflib_max_size else None)
    result["load"] = {engine: {"engine": engine, "not_run": skipped}
                      if skipped and engine == "rdflib"
                      else measure_load(engine, dump, options.load_timeout_s)
                      for engine in ENGINES}
    print(f"  load: {result['load']}", flush=True)
    entity = sample_entity(folder)
    queries = workload(folder, entity)
    raw = None
    if size <= options.raw_max_size:
        raw_store = ox.Store()
        raw_store.bulk_load(path=str(dump), format=ox.RdfFormat.N_TRIPLES)
        raw = RawEngine(raw_store)
    startup: dict = {}
    with contextlib.ExitStack() as stack:
        ours = stack.enter_context(processes.our_server(folder, options.timeout_s))
        startup["cnc-kg"], startup["cnc-kg pages"] = ours.startup_s, ours.pages_s
        result["memory_mib"] = {"started": tree_memory_mib(ours.pid)}
        virt = None
        if processes.virtuoso_available():
            virt = stack.enter_context(processes.virtuoso(dump, options.work, options.timeout_s))
            startup["virtuoso"], startup["virtuoso_bulk_load"] = virt.startup_s, virt.load_s
        rdflib = _RdflibEndpoint(dump, options, skipped)
        stack.callback(rdflib.stop)
        rdflib.start()
        print(f"  start-up: {startup}, rdflib-endpoint {rdflib.startups}", flush=True)
        ours_client = HttpEndpoint(ours.endpoint, options.timeout_s)
        virt_client = (HttpEndpoint(virt.endpoint, options.timeout_s, virt.default_graph)
                       if virt else None)
        result["queries"] = _compare_queries(queries, ours_client, raw,
                                             virt_client, rdflib, options)
        entity_path = local_path(str(entity)) or ""
        result["pages"] = _page_timings(ours.base, (("entity", entity_path), *PAGES), options)
        result["entity_page"] = {"url": ours.base + entity_path, **result["pages"]["entity"]}
        result["pages"]["entity, first visit"] = _first_visits(
            ours.base, first_visit_paths(folder), options)
        result["search"] = _search_timings(ours.base, options)
        page_url = result["entity_page"]["url"]
        cheap, aggregate = by_name(queries, CHEAP), by_name(queries, AGGREGATE)
        entities = distinct_entities(folder)
        targets = {"static route": (ours.base + STATIC_ROUTE, "text/plain"),
                   "cheap SELECT": (_query_url(ours, cheap), accept_for(cheap.form)),
                   DISTINCT_CHEAP: _distinct_target(ours, entities),
                   "aggregate SELECT": (_query_url(ours, aggregate), accept_for(aggregate.form)),
                   "search": (ours.base + SEARCH_LOAD, "application/json")}
        if result["entity_page"]["status"] == "ok":
            targets = {"entity page": (page_url, HTML), **targets}
        load_runs = {"cnc-kg": _load_runs(ours, targets, options)}
        result["memory_mib"]["after load"] = tree_memory_mib(ours.pid)
        for running in (virt, rdflib.running):
            if running is not None:
                load_runs[running.name] = _load_runs(running, {
                    "cheap SELECT": (_query_url(running, cheap), accept_for(cheap.form)),
                    DISTINCT_CHEAP: _distinct_target(running, entities),
                    "aggregate SELECT": (_query_url(running, aggregate),
                                         accept_for(aggregate.form))}, options)
        result["load_runs"] = load_runs
        startup["rdflib-endpoint"] = rdflib.startups
        result["rdflib_restarts"] = rdflib.restarts
    result["startup"] = startup
    result["request_profile"] = request_profile(folder, entity)
    result["loadavg_after"] = os.getloadavg()
    return result


def measure_curated(folder: Path, options: Options) -> dict:
    """Build, start-up, memory and the entity page of our server on the curated project (a
    copy in ``folder``)."""
    from bench.curated import page_entity

    built = build(folder, options.build_timeout_s, *_build_flags())
    with processes.our_server(folder, options.timeout_s) as ours:
        result = {"build": built, "startup_s": ours.startup_s, "pages_s": ours.pages_s,
                  "triples": triple_count(published(folder)),
                  "memory_mib": tree_memory_mib(ours.pid)}
        entity = page_entity(ours.base)
        if entity is None:
            return {**result, "entity_page": {"status": "error", "detail": "no page found"}}
        result["pages"] = _page_timings(ours.base, (("entity", entity), *PAGES), options)
        result["entity_page"] = {"url": ours.base + entity, **result["pages"]["entity"]}
        result["load_runs"] = _load_runs(ours, {"static route": (ours.base + STATIC_ROUTE,
                                                                 "text/plain"),
                                                "entity page": (ours.base + entity, HTML)},
                                         options)
        result["load_runs_nginx"] = _through_nginx(ours, entity, options)
    return result


def _through_nginx(ours: processes.Running, path: str, options: Options) -> dict:
    """The same page under the same load through nginx with deploy/nginx.conf: its cache in
    front of the server, as docs/operating.md deploys it."""
    if not wrk_available() or nginx_executable() is None:
        return {"error": "wrk or nginx not installed"}
    with nginx_in_front(urllib.parse.urlsplit(ours.base).netloc, free_port(),
                        workers=2) as proxied:
        url = proxied.rstrip("/") + path
        client = HttpClient(proxied, options.timeout_s)
        client.get(path, HTML)                   # fills the cache
        client.close()
        return {"entity page": run_wrk(url, HTML, options.wrk_seconds, options.wrk_connections,
                                       options.timeout_s)}


def _build_flags() -> tuple[str, ...]:
    """Full validation; without Java (the HermiT reasoner's), all of it but the reasoner."""
    return () if shutil.which("java") else ("--no-reasoner",)


def _search_timings(base: str, options: Options) -> dict:
    """Median and spread of the autocomplete over queries of every kind (one word, a prefix,
    several words in any order, Chinese, a miss): each asked once, never cached."""
    client = HttpClient(base, options.timeout_s)
    try:
        outcomes = [client.get("/api/search?" + urllib.parse.urlencode({"q": q}),
                               "application/json") for q in SEARCH_QUERIES]
    finally:
        client.close()
    times = sorted(o.seconds * 1000 for o in outcomes if o.status == "ok")
    if len(times) != len(outcomes):
        return {"status": "error", "detail": next(o.detail for o in outcomes
                                                  if o.status != "ok")}
    return {"status": "ok", "queries": len(times), "median_ms": statistics.median(times),
            "max_ms": times[-1]}
