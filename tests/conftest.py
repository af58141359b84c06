"""Shared fixtures: a built copy of the project and a REAL server (``cnc-kg serve``) on loopback.

``live_server`` (session) is the base URL of a server started in a subprocess on a free port;
``start_server`` starts more (other settings, another store) as context managers.
Set ``CNC_KG_TEST_ROOT`` to serve an already built project folder instead of building a copy.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import server_process
from server_process import free_port, stop

REPO = Path(__file__).resolve().parent.parent
CNC_KG = [str(Path(sys.executable).parent / "cnc-kg")]
PROJECT_FOLDERS = ("ontology", "shapes", "data", "queries")
DUMP = Path("dist") / "cnc-kg.nt"
READY_TIMEOUT = 60.0
# Base URL -> pid of the ``cnc-kg serve`` process answering on it (for memory measurements).
SERVER_PIDS: dict[str, int] = {}


@pytest.fixture(autouse=True, scope="module")
def _garbage_freed_where_it_was_made() -> None:
    """Collect the previous modules' garbage in the main thread, where it was made.

    Some pyoxigraph objects (query solutions) may only be freed by the thread that made them;
    one left in a reference cycle by an earlier test and collected by a client thread of a load
    test raised there ("unsendable, but is being dropped on another thread")."""
    gc.collect()


@pytest.fixture(scope="session")
def built_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project folder with ``dist/`` built (never touches the repository's dist/)."""
    if os.environ.get("CNC_KG_TEST_ROOT"):
        return Path(os.environ["CNC_KG_TEST_ROOT"]).resolve()
    root = tmp_path_factory.mktemp("project")
    for name in PROJECT_FOLDERS:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, root / name)
    done = subprocess.run([*CNC_KG, "--root", str(root), "build"], capture_output=True,
                          text=True, timeout=600)
    if done.returncode != 0:
        pytest.fail(f"cnc-kg build failed:\n{done.stdout}\n{done.stderr}")
    return root


@contextlib.contextmanager
def start_server(root: Path, *args: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """Run ``cnc-kg serve`` on a free loopback port; yield its base URL; stop it."""
    port = free_port()
    log = (root / f"serve-{port}.log").open("w+", encoding="utf-8")
    process = subprocess.Popen(
        [*CNC_KG, "serve", "--root", str(root), "--host", "127.0.0.1", "--port", str(port), *args],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_until_answering(
            urllib.request.Request(base + "sparql", headers={"Accept": "text/turtle"}),
            process, "cnc-kg serve", Path(log.name))
        SERVER_PIDS[base] = process.pid
        yield base
    finally:
        SERVER_PIDS.pop(base, None)
        stop(process, grace=15)
        log.close()


def wait_until_answering(request: urllib.request.Request | str, process: subprocess.Popen,
                         name: str, log: Path, timeout: float = READY_TIMEOUT) -> None:
    """Return once ``request`` gets a 200; fail with the server's log if it exits or times out."""
    try:
        server_process.wait_until_answering(process, request, timeout, log)
    except server_process.NotAnswering as error:
        pytest.fail(f"{name}: {error}")


@pytest.fixture(scope="session")
def synthetic_10k(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 10k-triple synthetic project folder (seed 7) written by ``cnc-kg generate``; not built."""
    from generating import generate_cli

    out = tmp_path_factory.mktemp("synthetic") / "10k"
    generate_cli(out, 10_000, seed=7)
    return out


@pytest.fixture(scope="session")
def live_server(built_root: Path) -> Iterator[str]:
    """Base URL (ending in '/') of a real ``cnc-kg serve`` over the built project."""
    with start_server(built_root) as base:
        yield base


@pytest.fixture(scope="module")
def one_worker_server(built_root: Path) -> Iterator[str]:
    """Base URL of a server with one web worker, so that ``/status`` speaks for the worker
    that answered."""
    with start_server(built_root, "--workers", "1") as base:
        yield base


@pytest.fixture(scope="session")
def dump_path(built_root: Path) -> Path:
    """The N-Triples file the server loaded."""
    return built_root / DUMP


@pytest.fixture(scope="session")
def server_starter():
    """``start_server`` for tests that need a server with other settings or another store."""
    return start_server


@pytest.fixture(scope="session")
def port_picker():
    """``free_port`` for tests that start other servers (e.g. Virtuoso)."""
    return free_port


@pytest.fixture(scope="session")
def server_pid():
    """The pid of the ``cnc-kg serve`` process behind a base URL from ``start_server``."""
    return SERVER_PIDS.__getitem__


@pytest.fixture
def figure(request: pytest.FixtureRequest):
    """``figure(what, value)``: record a number a robustness test measured (requests answered,
    failures, inputs tried …). With ``CNC_KG_FIGURES`` set to a file (``make robustness``),
    each figure is appended to it as a JSON line, and ``tests/robustness_report.py`` writes
    them into docs/robustness.md; otherwise they are dropped."""
    path = os.environ.get("CNC_KG_FIGURES")

    def record(what: str, value: float | int) -> None:
        if path:
            test = request.node
            line = {"module": test.module.__name__, "test": test.originalname,
                    "doc": (test.function.__doc__ or "").strip(), "what": what, "value": value}
            with open(path, "a", encoding="utf-8") as out:
                out.write(json.dumps(line) + "\n")
    return record
