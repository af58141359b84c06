"""A server in a child process, on loopback: a free port, waiting until it answers, stopping it.

Shared by the benchmark (``bench.processes``) and the tests, which start real servers
(ours, Virtuoso, rdflib-endpoint) the same way.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path


class NotAnswering(RuntimeError):
    """The server exited, or did not answer before the deadline; the message ends with its log."""


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(request: urllib.request.Request | str) -> bool:
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def wait_until_answering(process: subprocess.Popen, request: urllib.request.Request | str,
                         deadline_s: float, log: Path) -> float:
    """Seconds until ``request`` gets a 200 from the server ``process`` runs.

    Raises ``NotAnswering`` (with the end of ``log``) if the process exits or the deadline passes.
    """
    started = time.perf_counter()
    while time.perf_counter() - started < deadline_s:
        if process.poll() is not None:
            raise NotAnswering(f"{process.args[0]} exited with {process.returncode}:\n"
                               f"{log.read_text(errors='replace')[-4000:]}")
        if _answers(request):
            return time.perf_counter() - started
        time.sleep(0.05)
    raise NotAnswering(f"{process.args[0]} not answering after {deadline_s:g} s:\n"
                       f"{log.read_text(errors='replace')[-4000:]}")


def stop(process: subprocess.Popen, grace: float = 20) -> None:
    """Ask ``process`` to stop (its whole process group if it leads one, so gunicorn's and the
    engines' children go too); kill it if it is still running after ``grace`` seconds."""
    def send(sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            if os.getpgid(process.pid) == process.pid:
                os.killpg(process.pid, sig)
            else:
                os.kill(process.pid, sig)

    if process.poll() is not None:
        return
    send(signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        send(signal.SIGKILL)
        process.wait()
