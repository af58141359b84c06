"""The walls of engine processes (server/store/sandbox.py, lanes.py): installed in every engine
process of a real server, holding in a process of their own, failing closed.

What the walls stop (SERVICE, by any spelling) is tested in ``test_service_walls.py``; memory
over the ceiling in ``test_answer_limits.py``.
"""

from __future__ import annotations

import functools
import os
import resource
import socket
from pathlib import Path

import pytest
from process_memory import process_tree

from server.store.lanes import service_ports
from server.store.sandbox import Confinement, SandboxError, confine, verify
from server.store.workers import WorkerCrashed, WorkerPool

SECCOMP_FILTER = "2"            # /proc/PID/status "Seccomp:" of a process under a BPF filter


def status_fields(pid: int) -> dict[str, str]:
    text = Path(f"/proc/{pid}/status").read_text()
    return dict(line.split(":\t", 1) for line in text.splitlines() if ":\t" in line)


def probe(_: object) -> dict:
    """What an engine process can do: open a network socket? its memory ceiling?"""
    try:
        socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).close()
        network = "allowed"
    except PermissionError:
        network = "refused"
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix.close()
    return {"network": network, "rlimit_as": resource.getrlimit(resource.RLIMIT_AS)[0],
            "pid": os.getpid()}


def test_every_engine_process_of_a_server_runs_under_the_filter(live_server, server_pid):
    """The web processes keep their network; the engine processes below them have the filter
    and no_new_privs."""
    tree = process_tree(server_pid(live_server))
    depth = {tree[0]: 0}
    for pid in tree[1:]:
        parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        depth[pid] = depth[parent] + 1
    engines = [pid for pid, level in depth.items() if level == 2]   # serve (arbiter) > worker
    assert engines, f"no engine process found under {tree}"
    for pid in engines:
        fields = status_fields(pid)
        assert fields["Seccomp"] == SECCOMP_FILTER and fields["NoNewPrivs"] == "1", pid
    for pid in (pid for pid, level in depth.items() if level < 2):
        assert status_fields(pid)["Seccomp"] == "0", "a web process must keep its network"


def test_confined_process_has_no_network_but_its_pipe_and_a_memory_ceiling():
    pool = WorkerPool(probe, 1, functools.partial(confine, Confinement(memory_bytes=256 << 20)))
    try:
        seen = pool.call(None, timeout=30, wait=30)
    finally:
        pool.close()
    assert seen["network"] == "refused"
    assert seen["rlimit_as"] != resource.RLIM_INFINITY
    assert probe(None)["network"] == "allowed"          # this test process is not confined


def test_verify_passes_where_the_walls_hold():
    verify(Confinement())
    verify(Confinement(service_ports=(443,), memory_bytes=1 << 30))


def test_a_wall_that_cannot_be_installed_leaves_no_process_answering():
    """Fail closed: the process ends before reading any request."""
    def broken() -> None:
        raise SandboxError("no seccomp here")

    pool = WorkerPool(probe, 1, broken)
    try:
        with pytest.raises(WorkerCrashed):
            pool.call(None, timeout=30, wait=30)
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
