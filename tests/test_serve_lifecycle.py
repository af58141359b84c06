"""``cnc-kg serve`` starting and stopping as an operator sees it: Ctrl-C (SIGINT to the whole
process group, as a terminal sends it) and SIGTERM stop every process, free the port and print
no error line, even with clients connected; a taken port is one line and exit 3."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import server_process
from server_process import free_port

CNC_KG = Path(sys.executable).parent / "cnc-kg"
# Coarse: the arbiter would SIGKILL (and log an error) after stop_timeout + 2 s; the measured
# stop (0.4-0.7 s) is in docs/operating.md.
STOP_BOUND_S = 5.0
EXIT_CANNOT_LISTEN = 3
READY_TIMEOUT_S = 60


@contextlib.contextmanager
def serving(root: Path) -> Iterator[tuple[subprocess.Popen, int]]:
    """A ``cnc-kg serve`` leading its own process group, answering pages (both workers up)."""
    port = free_port()
    log = root / f"lifecycle-{port}.log"
    with log.open("w") as out:
        process = subprocess.Popen([str(CNC_KG), "serve", "--root", str(root), "--port",
                                    str(port)], stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}/"
        server_process.wait_until_answering(process, base + "list/", READY_TIMEOUT_S, log)
        for _ in range(8):            # each worker has answered once, most likely
            server_process.wait_until_answering(process, base + "list/", READY_TIMEOUT_S, log)
        yield process, port
    finally:
        server_process.stop(process, grace=10)


def _group_left(pgid: int) -> list[str]:
    """Processes still in process group ``pgid`` (zombies included: not reaped yet)."""
    left = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue                                  # ended while we looked
        if int(fields[2]) == pgid:
            left.append(f"{stat.parent.name} {fields[0]} "
                        + Path(stat.parent, "cmdline").read_bytes().replace(b"\0", b" ")
                        .decode(errors="replace")[:120])
    return left


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_stop_is_quick_clean_and_complete(built_root, how):
    """With an idle keep-alive connection and 8 half-sent requests open, the stop is prompt
    (no worker waits for the arbiter's SIGKILL, which would log an error), exits 0 and leaves
    no process and no listening socket behind."""
    with serving(built_root) as (process, port):
        idle = socket.create_connection(("127.0.0.1", port))
        idle.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        idle.recv(4096)                               # answered; the connection stays open
        half_sent = [socket.create_connection(("127.0.0.1", port)) for _ in range(8)]
        for sock in half_sent:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        started = time.monotonic()
        if how == "ctrl-c":
            os.killpg(process.pid, signal.SIGINT)
        else:
            process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        elapsed = time.monotonic() - started
        deadline = time.monotonic() + 1
        while _group_left(process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)                          # engine processes reaped by init
        left = _group_left(process.pid)
        for sock in [idle, *half_sent]:
            sock.close()
    log = (built_root / f"lifecycle-{port}.log").read_text()
    assert process.returncode == 0, log
    assert "[ERROR]" not in log and "Traceback" not in log, log
    assert left == []
    assert _port_free(port)
    assert elapsed < STOP_BOUND_S, f"stopped in {elapsed:.2f} s\n{log}"


def test_taken_port_is_one_line(built_root):
    """No five seconds of gunicorn retries: one line naming the port and --port, exit 3."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([str(CNC_KG), "serve", "--root", str(built_root), "--port",
                               str(port)], capture_output=True, text=True, timeout=60)
    assert done.returncode == EXIT_CANNOT_LISTEN
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        f"cnc-kg: port {port} on 127.0.0.1 is already in use: stop what uses it or choose "
        f"another port with --port"]
