"""Engine processes inherit nothing and outlive nothing: a fresh interpreter each, holding only
its channel, its lifeline and the build's files; gone with its web worker; never keeping the
server's port or a client's connection open (docs/security.md, "Engine processes").
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from conftest import CNC_KG, wait_until_answering
from process_memory import alive, engine_pids, process_tree
from server_process import free_port, stop
from server_status import status, wait_for

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
LIMIT = "20"           # seconds: the runaway query is still running when the test acts
GONE_WITHIN = 5.0      # seconds for processes to disappear after the event (a loaded machine)


def _tcp_socket_inodes() -> set[str]:
    """Inodes of every TCP socket on this machine (listening or connected)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        lines = Path(table).read_text().splitlines()[1:]
        inodes |= {line.split()[9] for line in lines}
    return inodes


def _open_files(pid: int) -> list[str]:
    found = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            found.append(os.readlink(fd))
        except FileNotFoundError:
            continue
    return found


def _runaway_in_background(base: str) -> threading.Thread:
    url = base + "sparql?" + urllib.parse.urlencode({"query": RUNAWAY})

    def send() -> None:
        # The server may be stopped under it: that is what the tests do.
        with contextlib.suppress(urllib.error.URLError, ConnectionError,
                                 http.client.HTTPException):
            urllib.request.urlopen(url, timeout=60).read()

    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    return thread


@pytest.fixture
def one_worker(built_root, server_starter):
    with server_starter(built_root, "--workers", "1",
                        env={"CNC_KG_QUERY_TIMEOUT": LIMIT}) as base:
        yield base


def test_engines_hold_no_network_socket(one_worker, server_pid):
    engines = engine_pids(server_pid(one_worker))
    assert len(engines) >= 2
    tcp = _tcp_socket_inodes()
    for pid in engines:
        files = _open_files(pid)
        sockets = [f for f in files if f.startswith("socket:")]
        assert len(sockets) == 1, (pid, files)               # its channel to the worker
        assert sockets[0][len("socket:["):-1] not in tcp, (pid, files)


def test_engines_die_with_their_worker(one_worker, server_pid):
    _runaway_in_background(one_worker)
    wait_for(one_worker, lambda s: s["busy"] >= 1, "the runaway query in an engine")
    worker = status(one_worker)["worker"]
    engines = [pid for pid in engine_pids(server_pid(one_worker)) if pid in
               process_tree(worker)]
    assert engines
    os.kill(worker, signal.SIGKILL)
    deadline = time.monotonic() + GONE_WITHIN
    while any(alive(pid) for pid in engines):
        assert time.monotonic() < deadline, "engine processes outlived their worker"
        time.sleep(0.05)


def test_stop_during_runaway_frees_the_port_and_leaves_no_process(built_root, tmp_path):
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [*CNC_KG, "serve", "--root", str(built_root), "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT,
            env={**os.environ, "CNC_KG_QUERY_TIMEOUT": LIMIT}, start_new_session=True)
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_until_answering(base + "status", process, "cnc-kg serve", log)
        _runaway_in_background(base)
        wait_for(base, lambda s: s["busy"] >= 1, "the runaway query in an engine")
        tree = process_tree(process.pid)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        deadline = time.monotonic() + GONE_WITHIN
        while any(alive(pid) for pid in tree):
            assert time.monotonic() < deadline, [p for p in tree if alive(p)]
            time.sleep(0.05)
        with socket.socket() as probe:           # the port is free again
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(("127.0.0.1", port))
    finally:
        stop(process)


def test_idle_connection_closed_by_the_server_is_closed(one_worker):
    """An engine started while a client's keep-alive connection is open does not keep it open:
    when the server closes the idle connection, the client sees the end of it."""
    host, port = urllib.parse.urlsplit(one_worker).netloc.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    connection.request("GET", "/status")
    assert connection.getresponse().read()
    # A long query leaves the short lane, which gets a new process while the connection idles.
    _runaway_in_background(one_worker)
    wait_for(one_worker, lambda s: s["busy"] >= 1 and s["engines"] > s["short_lane"],
             "a replacement engine started beside the runaway query")
    connection.sock.settimeout(60)
    assert connection.sock.recv(1) == b"", "the server never closed the idle connection"
