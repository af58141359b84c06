"""The walls of engine processes (server/store/sandbox.py): installed in every engine
process of a real server, holding in a process of their own, failing closed.

What the walls stop (SERVICE, by any spelling) is tested in ``test_service_walls.py``; memory
over the ceiling in ``test_answer_limits.py``.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

import pytest
from process_memory import process_tree
from service_spellings import engine_pool, request

from server.store.embedded import service_ports
from server.store.engines import EngineCrashed
from server.store.sandbox import Confinement, verify

SECCOMP_FILTER = "2"            # /proc/PID/status "Seccomp:" of a process under a BPF filter


def status_fields(pid: int) -> dict[str, str]:
    text = Path(f"/proc/{pid}/status").read_text()
    return dict(line.split(":\t", 1) for line in text.splitlines() if ":\t" in line)


def _levels(root: int) -> dict[int, int]:
    """Every process under ``root`` (alive now) with its depth below it."""
    tree = process_tree(root)
    depth = {tree[0]: 0}
    for pid in tree[1:]:
        with contextlib.suppress(FileNotFoundError):
            parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
            depth[pid] = depth.get(parent, 0) + 1
    return depth


def _unfiltered_engines(root: int) -> list[int]:
    """Engine processes (serve > web worker > engine) not (or not yet) under the filter."""
    found = []
    for pid, level in _levels(root).items():
        with contextlib.suppress(FileNotFoundError):
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
            fields = status_fields(pid)
            if level == 2 and b"server.store.engine" in command and (
                    fields["Seccomp"] != SECCOMP_FILTER or fields["NoNewPrivs"] != "1"):
                found.append(pid)
    return found


def test_every_engine_process_of_a_server_runs_under_the_filter(live_server, server_pid):
    """The web processes keep their network; every engine process below them is under the
    filter with no_new_privs once it has started (before it opens the store)."""
    root = server_pid(live_server)
    levels = _levels(root)
    assert [p for p, level in levels.items() if level == 2], "no engine process found"
    deadline = time.monotonic() + 30
    while unfiltered := _unfiltered_engines(root):
        assert time.monotonic() < deadline, f"engine processes without the filter: {unfiltered}"
        time.sleep(0.05)
    for pid in (pid for pid, level in levels.items() if level < 2):
        assert status_fields(pid)["Seccomp"] == "0", "a web process must keep its network"


def test_engine_process_is_walled_in_with_a_memory_ceiling(tmp_path):
    pool = engine_pool(tmp_path / "store", Confinement(memory_bytes=1 << 30))
    try:
        header, _ = pool.call(request("ASK { ?s ?p ?o }"), timeout=30, wait=30)
        (pid,) = pool.pids()
        fields = status_fields(pid)
        limits = Path(f"/proc/{pid}/limits").read_text()
    finally:
        pool.close()
    assert header["status"] == "ok"
    assert fields["Seccomp"] == SECCOMP_FILTER and fields["NoNewPrivs"] == "1"
    address_space = next(line for line in limits.splitlines()
                         if line.startswith("Max address space"))
    assert "unlimited" not in address_space
    assert status_fields(os.getpid())["Seccomp"] == "0"     # this test process is not confined


def test_verify_passes_where_the_walls_hold():
    verify(Confinement())
    verify(Confinement(service_ports=(443,), memory_bytes=1 << 30))


def test_a_wall_that_cannot_be_installed_leaves_no_process_answering(tmp_path):
    """Fail closed: an engine whose wall the kernel refuses (a Landlock rule for a port that
    cannot exist) ends before reading any request."""
    pool = engine_pool(tmp_path / "store", Confinement(service_ports=(70_000,)))
    try:
        with pytest.raises(EngineCrashed):
            pool.call(request("ASK { ?s ?p ?o }"), timeout=30, wait=30)
    finally:
        pool.close()


@pytest.mark.parametrize(("endpoints", "ports"), [
    (("https://query.wikidata.org/sparql",), (443,)),
    (("http://example.org/sparql", "http://127.0.0.1:7200/repositories/x"), (80, 7200)),
])
def test_service_ports_of_the_allow_list(endpoints, ports):
    assert service_ports(endpoints) == ports


@pytest.mark.parametrize("endpoint", ["ftp://example.org/", "example.org/sparql", "http:///x"])
def test_allow_list_entries_must_be_http_endpoints(endpoint):
    with pytest.raises(ValueError, match="service_allow"):
        service_ports((endpoint,))
