"""The servers the benchmark talks to, each started on a free loopback port and stopped by pid:
our ``cnc-kg serve``, the PyPI peer ``rdflib-endpoint`` (uvicorn) and Debian's Virtuoso."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from server.config import DATASET_IRI
from server.store.push import bulk_load_virtuoso
from server.store.virtuoso_ini import virtuoso_ini
from tests.server_process import free_port, stop, wait_until_answering

BIN = Path(sys.executable).parent
READY_PROBE = "ASK {}"


@dataclass(frozen=True)
class Running:
    """A started server: its SPARQL endpoint, base URL and how long it took to answer."""

    name: str
    endpoint: str
    base: str
    startup_s: float
    pid: int
    default_graph: str | None = None
    load_s: float | None = None
    pages_s: float | None = None      # until pages answer too (cnc-kg: its index is built)


def _wait(process: subprocess.Popen, endpoint: str, deadline_s: float, log: Path,
          default_graph: str | None = None) -> float:
    """Seconds from now until ``endpoint`` answers a probe query."""
    params = {"query": READY_PROBE}
    if default_graph:
        params["default-graph-uri"] = default_graph
    return wait_until_answering(process, endpoint + "?" + urllib.parse.urlencode(params),
                                deadline_s, log)


@contextlib.contextmanager
def _started(command: list[str], log: Path, cwd: Path | None = None,
             env: dict[str, str] | None = None) -> Iterator[subprocess.Popen]:
    with log.open("w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=cwd,
                                   env={**os.environ, **(env or {})}, start_new_session=True)
    try:
        yield process
    finally:
        stop(process)


@contextlib.contextmanager
def our_server(root: Path, query_timeout: float, deadline_s: float = 600) -> Iterator[Running]:
    """``cnc-kg serve --root ROOT`` (gunicorn, embedded engine) with its default settings."""
    port = free_port()
    command = [str(BIN / "cnc-kg"), "serve", "--root", str(root), "--host", "127.0.0.1",
               "--port", str(port)]
    # The row cap lifted so every engine returns the same complete answers (the production cap
    # would make our large answers cheaper than the peers').
    env = {"CNC_KG_QUERY_TIMEOUT": str(query_timeout), "CNC_KG_MAX_RESULT_ROWS": str(10**8)}
    launched = time.monotonic()
    with _started(command, root / f"serve-{port}.log", env=env) as process:
        endpoint, base = f"http://127.0.0.1:{port}/sparql", f"http://127.0.0.1:{port}"
        seconds = _wait(process, endpoint, deadline_s, root / f"serve-{port}.log")
        _home_pages(base, deadline_s)
        yield Running("cnc-kg", endpoint, base, seconds, process.pid,
                      pages_s=time.monotonic() - launched)


def _home_pages(base: str, deadline_s: float, clients: int = 8) -> None:
    """Ask for the home page on ``clients`` connections at once and wait for every answer:
    parallel connections reach every gunicorn worker, so "pages ready" is when each one has
    opened the build's page index and answered a page."""
    def fetch(_: int) -> int:
        with urllib.request.urlopen(base + "/", timeout=deadline_s) as response:
            response.read()
            return response.status

    with ThreadPoolExecutor(clients) as pool:
        statuses = list(pool.map(fetch, range(clients)))
    if any(status != 200 for status in statuses):
        raise RuntimeError(f"{base}/ answered {statuses}")


@contextlib.contextmanager
def rdflib_endpoint(dump: Path, deadline_s: float = 600) -> Iterator[Running]:
    """``rdflib-endpoint serve FILE`` (uvicorn, rdflib's in-memory store)."""
    port = free_port()
    log = dump.parent / f"rdflib-endpoint-{port}.log"
    command = [str(BIN / "rdflib-endpoint"), "serve", str(dump), "--host", "127.0.0.1",
               "--port", str(port)]
    with _started(command, log) as process:
        endpoint = f"http://127.0.0.1:{port}/"     # its SPARQL endpoint is the root
        seconds = _wait(process, endpoint, deadline_s, log)
        yield Running("rdflib-endpoint", endpoint, f"http://127.0.0.1:{port}", seconds,
                      process.pid)


def virtuoso_available() -> bool:
    """Whether Debian's virtuoso-opensource is installed."""
    return shutil.which("virtuoso-t") is not None and shutil.which("isql-vt") is not None


@contextlib.contextmanager
def virtuoso(dump: Path, work: Path, query_timeout: float,
             deadline_s: float = 300) -> Iterator[Running]:
    """A throw-away Virtuoso on loopback ports, ``dump`` bulk-loaded into the dataset graph."""
    db = work / "virtuoso-db"
    shutil.rmtree(db, ignore_errors=True)
    db.mkdir(parents=True)
    isql, http = free_port(), free_port()
    (db / "virtuoso.ini").write_text(virtuoso_ini(
        db, dump.parent.resolve(), isql, http, timeout=max(1, round(query_timeout)),
        buffers=170_000, connections=20), encoding="utf-8")
    command = [shutil.which("virtuoso-t") or "virtuoso-t", "-f", "-c", str(db / "virtuoso.ini")]
    try:
        with _started(command, db / "stdout.log", cwd=db) as process:
            endpoint = f"http://127.0.0.1:{http}/sparql"
            seconds = _wait(process, endpoint, deadline_s, db / "stdout.log")
            started = time.perf_counter()
            bulk_load_virtuoso(dump, DATASET_IRI, isql)
            loaded = time.perf_counter() - started
            yield Running("virtuoso", endpoint, f"http://127.0.0.1:{http}", seconds,
                          process.pid, default_graph=DATASET_IRI, load_s=loaded)
    finally:
        shutil.rmtree(db, ignore_errors=True)
