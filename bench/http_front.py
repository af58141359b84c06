"""``python -m bench.http_front ROOT``: the HTTP server candidates side by side on this machine.

For each candidate (same Flask app, two worker processes): (a) slow clients — 64 connections
trickling header lines, then 10 ordinary requests one after another; 16 connections sending one
header line every 3 s while ``/robots.txt`` is fetched in a loop; 64 connections trickling a POST
body — and (b) ``wrk -t2 -c16`` on ``/robots.txt`` and on a cheap ``ASK``, each round starting
every candidate afresh so that the machine's noise falls on all of them alike.
ROOT is a built project folder (``cnc-kg --root ROOT build``). Results go to stdout as Markdown
(docs/operating.md, "Why this HTTP server", quotes a run).
"""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import click

from bench.load_test import run_wrk
from tests.server_process import NotAnswering, free_port, stop, wait_until_answering
from tests.slow_clients import SLOW_BODY, SLOW_HEADERS, trickling

BIN = Path(sys.executable).parent
LOAD_BEFORE = os.getloadavg()
REPO = Path(__file__).resolve().parents[1]
WORKERS = 2
ASK = "ASK { ?s ?p ?o }"
SPARQL_JSON = "application/sparql-results+json"

# name -> command line serving the app on a port (cwd = the project folder).
CANDIDATES: dict[str, Callable[[int], list[str]]] = {
    "gunicorn gthread 2×4 (before)": lambda port: [
        str(BIN / "gunicorn"), "-k", "gthread", "-w", str(WORKERS), "--threads", "4",
        "-b", f"127.0.0.1:{port}", "bench.front_apps:wsgi_app()"],
    "gunicorn gthread 2×32": lambda port: [
        str(BIN / "gunicorn"), "-k", "gthread", "-w", str(WORKERS), "--threads", "32",
        "-b", f"127.0.0.1:{port}", "bench.front_apps:wsgi_app()"],
    "gunicorn gevent 2 workers": lambda port: [
        str(BIN / "gunicorn"), "-k", "gevent", "-w", str(WORKERS),
        "-b", f"127.0.0.1:{port}", "bench.front_apps:wsgi_app()"],
    "cnc-kg serve: gunicorn asgi 2 workers + a2wsgi ×4 (chosen)": lambda port: [
        str(BIN / "cnc-kg"), "serve", "--root", ".", "--port", str(port)],
    "same on asyncio's loop": lambda port: [
        str(BIN / "gunicorn"), "-k", "server.web.asgi_worker.StoppingASGIWorker", "-w",
        str(WORKERS), "--asgi-loop", "asyncio", "-b", f"127.0.0.1:{port}",
        "bench.front_apps:asgi_app()"],
    "uvicorn httptools + a2wsgi": lambda port: [
        str(BIN / "uvicorn"), "--workers", str(WORKERS), "--http", "httptools", "--loop",
        "uvloop", "--no-access-log", "--port", str(port), "--factory",
        "bench.front_apps:asgi_app"],
    "granian asgi 2 workers + a2wsgi": lambda port: [
        str(BIN / "granian"), "--interface", "asgi", "--workers", str(WORKERS),
        "--port", str(port), "--no-log", "--factory", "bench.front_apps:asgi_app"],
    "waitress 1 process × 8 threads": lambda port: [
        str(BIN / "waitress-serve"), "--threads", "8", f"--listen=127.0.0.1:{port}",
        "--call", "bench.front_apps:wsgi_app"],
    "granian wsgi 2×4": lambda port: [
        str(BIN / "granian"), "--interface", "wsgi", "--workers", str(WORKERS),
        "--blocking-threads", "4", "--port", str(port), "--no-log", "--factory",
        "bench.front_apps:wsgi_app"],
}


@contextlib.contextmanager
def running(name: str, root: Path) -> Iterator[str]:
    """Candidate ``name`` serving ``root``; yields its base URL once ``/robots.txt`` answers."""
    port = free_port()
    log = root / f"front-{port}.log"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with log.open("w") as out:
        process = subprocess.Popen(CANDIDATES[name](port), cwd=root, stdout=out,
                                   stderr=subprocess.STDOUT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_until_answering(process, base + "robots.txt", 60, log)
        # The graph index is built in the background: wait for a page that needs it.
        wait_until_answering(process, base + "list/", 60, log)
        yield base
    finally:
        stop(process, grace=10)


def _get_seconds(url: str, timeout: float) -> float | None:
    """Seconds until ``url`` answers 200, or ``None`` if it did not within ``timeout``."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            return time.perf_counter() - started if response.status == 200 else None
    except (urllib.error.URLError, OSError):
        return None


@contextlib.contextmanager
def slow_clients(base: str, count: int, head: bytes, line: bytes, every_s: float) -> Iterator[None]:
    """``trickling`` connections, once the server has had a second to take them in."""
    with trickling(base, count, head, line, every_s):
        time.sleep(1.0)
        yield


def ordinary_under_slow_headers(base: str, timeout: float) -> list[float | None]:
    """64 connections trickling headers (a line a second); 10 ordinary requests in a row."""
    with slow_clients(base, 64, *SLOW_HEADERS, every_s=1.0):
        return [_get_seconds(base + "robots.txt", timeout) for _ in range(10)]


def robots_under_header_lines(base: str, seconds: float, timeout: float) -> list[float | None]:
    """16 connections sending one header line every 3 s; ``/robots.txt`` in a loop."""
    stop_at = time.monotonic() + seconds
    found = []
    with slow_clients(base, 16, *SLOW_HEADERS, every_s=3.0):
        while time.monotonic() < stop_at:
            found.append(_get_seconds(base + "robots.txt", timeout))
    return found


def ordinary_under_slow_bodies(base: str, timeout: float) -> list[float | None]:
    """64 connections trickling a POST body (a byte a second); 10 ordinary requests."""
    with slow_clients(base, 64, *SLOW_BODY, every_s=1.0):
        return [_get_seconds(base + "robots.txt", timeout) for _ in range(10)]


def _summary(times: list[float | None]) -> str:
    answered = [t for t in times if t is not None]
    if not answered:
        return f"0/{len(times)}"
    return f"{len(answered)}/{len(times)}, max {max(answered):.2f} s"


def throughput(base: str, seconds: int) -> tuple[float, float]:
    """Requests/s of ``wrk -c16`` on ``/robots.txt`` and on a cheap ASK."""
    robots = run_wrk(base + "robots.txt", "text/plain", seconds, 16, 10)
    ask = run_wrk(base + "sparql?" + urllib.parse.urlencode({"query": ASK}), SPARQL_JSON,
                  seconds, 16, 10)
    for result in (robots, ask):
        if result.get("error") or result["non_2xx"] or result["socket_errors"]:
            raise click.ClickException(f"wrk saw errors: {result}")
    return robots["requests_per_s"], ask["requests_per_s"]


@click.command()
@click.argument("root", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--rounds", default=3, show_default=True, help="wrk rounds per candidate.")
@click.option("--seconds", default=5, show_default=True, help="Seconds per wrk run.")
@click.option("--only", multiple=True, help="Candidate names to measure (default: all).")
@click.option("--attacks/--no-attacks", default=True, show_default=True)
def main(root: Path, rounds: int, seconds: int, only: tuple[str, ...], attacks: bool) -> None:
    """Measure every candidate; print a Markdown table."""
    names = [n for n in CANDIDATES if not only or any(o in n for o in only)]
    attack_rows: dict[str, tuple[str, str, str]] = {}
    rates: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    for name in list(names) if attacks else ():
        try:
            with running(name, root.resolve()) as base:
                attack_rows[name] = (_summary(ordinary_under_slow_headers(base, 3.0)),
                                     _summary(robots_under_header_lines(base, 15, 30.0)),
                                     _summary(ordinary_under_slow_bodies(base, 3.0)))
        except NotAnswering as error:
            names.remove(name)
            print(f"{name}: did not start:", str(error)[-1500:], file=sys.stderr)
            continue
        print(name, *attack_rows[name], sep=" | ", file=sys.stderr)
    for round_number in range(rounds):
        for name in names:
            with running(name, root.resolve()) as base:
                throughput(base, 2)               # warm-up: caches, engine processes
                rates[name].append(throughput(base, seconds))
            print(f"round {round_number + 1}", name, rates[name][-1], file=sys.stderr)
    print("| server | 64 slow headers: answered/10 | 16 header trickles: robots.txt "
          "| 64 slow bodies: answered/10 | robots.txt req/s | ASK req/s |")
    print("|---|---|---|---|---|---|")
    for name in names:
        robots = statistics.median(r for r, _ in rates[name]) if rates[name] else 0
        ask = statistics.median(a for _, a in rates[name]) if rates[name] else 0
        attack = attack_rows.get(name, ("—", "—", "—"))
        print(f"| {name} | {' | '.join(attack)} | {robots:,.0f} | {ask:,.0f} |")
    print(f"\n{rounds} rounds of wrk -t2 -c16 -d{seconds}s per candidate (medians); "
          f"{os.cpu_count()} cores, load average before the run "
          f"{LOAD_BEFORE[0]:.1f}; wrk shares the cores with the server it measures.")


if __name__ == "__main__":
    main()
