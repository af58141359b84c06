"""Killable query workers: processes forked after the store is loaded, one query at a time each.

Neither pyoxigraph nor rdflib can cancel a running query, and a thread cannot be killed, so a
query that overruns its limit is stopped by killing its process (by pid) and forking a fresh one
from the parent, which still holds the loaded store (copy-on-write, so a fork costs milliseconds).
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

Handler = Callable[[Any], Any]


class WorkerTimeout(Exception):
    """The worker did not answer within the time limit; it has been killed and replaced."""


class WorkerBusy(Exception):
    """Every worker stayed busy for the whole wait."""


class WorkerCrashed(Exception):
    """The worker died while answering (e.g. out of memory); it has been replaced.

    ``exitcode`` is how it ended, as ``multiprocessing`` reports it (negative: killed by that
    signal; SIGABRT is how the engine stops at its memory limit)."""

    def __init__(self, message: str, exitcode: int | None):
        super().__init__(message)
        self.exitcode = exitcode


def _serve(handler: Handler, conn: Connection, inherited: list[Connection],
           start: Callable[[], None]) -> None:
    """Worker main loop: answer each request received on ``conn`` until the parent goes away."""
    start()                             # e.g. sandbox.confine; if it raises, no query is read
    for other in inherited:             # other workers' parent ends: keep their EOF detectable
        other.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C stops the server, which stops us
    while True:
        try:
            request = conn.recv()
        except EOFError:                # parent closed or died
            return
        conn.send(handler(request))


class _Worker:
    def __init__(self, process: multiprocessing.Process, conn: Connection):
        self.process = process
        self.conn = conn


class WorkerPool:
    """``size`` processes running ``handler(request)``; ``call`` enforces a time limit.

    Each process first calls ``start`` (nothing by default), e.g. to install its sandbox.
    """

    def __init__(self, handler: Handler, size: int, start: Callable[[], None] = lambda: None):
        self._context = multiprocessing.get_context("fork")
        self._handler = handler
        self._start = start
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._live: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(max(1, size)):
            self._idle.put(self._spawn())

    def _spawn(self) -> _Worker:
        with self._lock:
            parent_end, child_end = self._context.Pipe()
            inherited = [w.conn for w in self._live] + [parent_end]
            process = self._context.Process(target=_serve, name="cnc-kg-query-worker",
                                            args=(self._handler, child_end, inherited,
                                                  self._start),
                                            daemon=True)
            process.start()
            child_end.close()
            worker = _Worker(process, parent_end)
            self._live.add(worker)
            return worker

    def _kill(self, worker: _Worker) -> None:
        with self._lock:
            self._live.discard(worker)
        if worker.process.pid is not None and worker.process.is_alive():
            os.kill(worker.process.pid, signal.SIGKILL)
        worker.process.join()
        worker.conn.close()

    def call(self, request: Any, timeout: float, wait: float) -> Any:
        """Send ``request`` to an idle worker and return its answer.

        Waits at most ``wait`` seconds for an idle worker (``WorkerBusy``), then ``timeout``
        seconds for the answer; on overrun the worker is killed and re-forked (``WorkerTimeout``).
        """
        try:
            worker = self._idle.get(timeout=wait)
        except queue.Empty:
            raise WorkerBusy(
                f"all {len(self._live)} query workers stayed busy for {wait:g} s") from None
        try:
            worker.conn.send(request)
            if worker.conn.poll(timeout):
                answer = worker.conn.recv()
                self._idle.put(worker)
                return answer
        except (EOFError, OSError) as exc:
            worker.process.join(timeout=1)  # let it finish dying, to learn how it ended
            self._replace(worker)
            raise WorkerCrashed(f"query worker {worker.process.pid} died "
                                f"(exit code {worker.process.exitcode}): {exc}",
                                worker.process.exitcode) from exc
        self._replace(worker)
        raise WorkerTimeout(f"no answer within {timeout:g} s")

    def _replace(self, worker: _Worker) -> None:
        self._kill(worker)
        if not self._closed:
            self._idle.put(self._spawn())

    def pids(self) -> list[int]:
        """Process ids of the live workers (for tests and diagnostics)."""
        with self._lock:
            return [w.process.pid for w in self._live if w.process.pid is not None]

    def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        with self._lock:
            workers = list(self._live)
        for worker in workers:
            self._kill(worker)
