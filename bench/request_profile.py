"""Where one request's time goes: each kind of request of the load runs answered by the
application in this process (Flask's test client, no HTTP server, one thread), timed, then
profiled with cProfile; the functions that take the most time of their own, grouped as ours,
the web framework's, the standard library's, or waiting for an engine process.

The HTTP front (gunicorn, sockets, wrk) is left out: it costs every request the same, and the
load runs measure it.
"""

from __future__ import annotations

import cProfile
import pstats
import statistics
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from rdflib import URIRef

from bench.clients import numbered
from bench.workload import SERVER_QUERIES, bound
from server.config import load_settings
from server.services.iris import local_path

REQUESTS = 2000            # per kind, timed in ten rounds (the median round reported), then
                           # as many profiled
TOP = 8                    # functions listed per kind
# Built-ins in which a web worker waits for its engine process's answer.
WAITING = ("'poll' of 'select.poll'", "posix.read")
JSON_RESULTS = "application/sparql-results+json"


def _group(filename: str, name: str) -> str:
    if any(mark in name for mark in WAITING):
        return "engine process (waiting)"
    if "/server/" in filename and "site-packages" not in filename:
        return "cnc-kg"
    if "site-packages" in filename:
        return filename.split("site-packages/")[1].split("/")[0]
    return "Python"


def _where(filename: str, line: int, name: str) -> str:
    if filename == "~":                              # a built-in: its name says it all
        return name
    for mark in ("site-packages/", "/server/"):
        if mark in filename:
            where = ("server/" if mark == "/server/" else "") + filename.split(mark, 1)[1]
            return f"{where}:{line} {name}"
    return f"{Path(filename).name}:{line} {name}"


def _profile(ask: Callable[[int], None], requests: int) -> dict:
    """Median µs per request over ten rounds, then the top functions by their own time."""
    ask(0)                                           # warm: the page or answer is kept
    per_round = max(1, requests // 10)
    rounds = []
    for start in range(1, requests + 1, per_round):
        began = time.perf_counter()
        for n in range(start, start + per_round):
            ask(n)
        rounds.append((time.perf_counter() - began) / per_round * 1e6)
    profiler = cProfile.Profile()
    profiler.enable()
    for n in range(requests + 1, 2 * requests + 1):
        ask(n)
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    total = sum(own for _, _, own, _, _ in stats.values()) or 1.0
    groups: dict[str, float] = {}
    rows = []
    for (filename, line, name), (_, _, own, _, _) in stats.items():
        group = _group(filename, name)
        groups[group] = groups.get(group, 0.0) + own
        rows.append((own, _where(filename, line, name), group))
    rows.sort(reverse=True)
    return {"us_per_request": statistics.median(rounds),
            "groups": {g: share / total for g, share in
                       sorted(groups.items(), key=lambda item: -item[1])},
            "top": [{"function": where, "group": group, "share": own / total}
                    for own, where, group in rows[:TOP]]}


def request_profile(folder: Path, entity: URIRef, requests: int = REQUESTS) -> dict:
    """The profile of each kind of request on the built project in ``folder``."""
    from server.web.app import close_app, create_app

    app = create_app(load_settings(folder))
    client = app.test_client()
    labels = (SERVER_QUERIES / "labels.rq").read_text(encoding="utf-8")
    query = bound(labels, entity)
    page = local_path(str(entity)) or ""

    def get(path: str, accept: str) -> None:
        answer = client.get(path, headers={"Accept": accept})
        if answer.status_code != 200:
            raise RuntimeError(f"{path[:80]} answered {answer.status_code}")

    def sparql(text: str) -> str:
        return "/sparql?" + urllib.parse.urlencode({"query": text})

    kinds = {
        "static route": lambda _: get("/robots.txt", "text/plain"),
        "cheap SELECT, asked again": lambda _: get(sparql(query), JSON_RESULTS),
        "cheap SELECT, a new query each time": lambda n: get(sparql(numbered(query, n)),
                                                            JSON_RESULTS),
        "cached entity page": lambda _: get(page, "text/html"),
    }
    try:
        return {name: _profile(ask, requests) for name, ask in kinds.items()}
    finally:
        close_app(app)
