"""Engine processes for clients' queries, in two lanes, each killable on overrun.

Neither pyoxigraph nor any other engine here can cancel a running query, and a thread cannot be
killed, so every client query runs in a process of its own (``server.store.engine``) that is
killed by pid when it overruns the time limit, and replaced.

Lanes keep runaway queries from taking the capacity cheap ones need. Every query starts in the
short lane (``size`` processes). One still running after ``short_seconds`` has shown it is
long: its process leaves the short lane, which gets a fresh process at once, and joins the long
lane (at most ``long_capacity`` such queries at a time, run at a lower CPU priority); when the
long lane is full, the query is stopped there and then. A cheap query therefore waits for a
short-lane process at most as long as other cheap queries hold them.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection

from server.store.sandbox import Confinement

LONG_NICENESS = 10          # CPU priority lowered by this much for queries in the long lane
STOP_GRACE = 1.0            # seconds an engine gets to exit after its lifeline closes
# glibc reserves 64 MiB of address space per thread's malloc arena: the store's threads would
# spend most of the memory ceiling (RLIMIT_AS, ``sandbox``) on reservations they never use.
ENGINE_ENVIRONMENT = {**os.environ, "MALLOC_ARENA_MAX": "2"}


class EngineBusy(Exception):
    """Every short-lane process stayed busy for the whole wait."""


class EngineTimeout(Exception):
    """The query ran past the time limit; its process has been killed."""


class LongLaneFull(Exception):
    """The query ran long while the long lane was full; it has been stopped."""


class EngineCrashed(Exception):
    """The process died while answering (e.g. out of memory); it has been replaced.

    ``exitcode`` is how it ended (negative: killed by that signal; SIGABRT is how the engine
    stops at its memory ceiling)."""

    def __init__(self, message: str, exitcode: int | None):
        super().__init__(message)
        self.exitcode = exitcode


@dataclass(eq=False)
class _Engine:
    process: subprocess.Popen
    channel: Connection
    lifeline: int                 # write end: closing it ends the process
    ready: bool = False           # it said it has opened the store


class EnginePool:
    """Engine processes over the on-disk store at ``store_path``; ``call`` runs one query.

    ``pass_fds`` are descriptors the engines need (the build's folder when ``store_path`` is
    reached through ``/proc/self/fd``); nothing else of this process reaches them. Each engine
    walls itself in with ``confinement`` before it opens the store.
    """

    def __init__(self, store_path: str, size: int, *, long_capacity: int,
                 short_seconds: float, confinement: Confinement,
                 pass_fds: tuple[int, ...] = ()):
        self.store_path = store_path
        self._walls = json.dumps({"service_ports": list(confinement.service_ports),
                                  "memory_bytes": confinement.memory_bytes})
        self.size = max(1, size)
        self.long_capacity = max(0, long_capacity)
        self.short_seconds = short_seconds
        self._pass_fds = pass_fds
        self._idle: queue.Queue[_Engine] = queue.Queue()
        self._live: set[_Engine] = set()
        self._lock = threading.Lock()
        self._busy = 0
        self._long = 0
        self._closed = False
        for _ in range(self.size):
            self._idle.put(self._spawn())

    def _spawn(self) -> _Engine:
        ours, theirs = socket.socketpair()
        life_read, life_write = os.pipe()
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "server.store.engine", "--store", self.store_path,
                 "--channel", str(theirs.fileno()), "--lifeline", str(life_read),
                 "--confine", self._walls],
                pass_fds=(theirs.fileno(), life_read, *self._pass_fds), close_fds=True,
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, env=ENGINE_ENVIRONMENT,
                # Its own process group: Ctrl-C at the terminal reaches the web workers, which
                # stop their engines through the lifeline, not engines still starting up.
                process_group=0)
        finally:
            theirs.close()
            os.close(life_read)
        engine = _Engine(process, Connection(ours.detach()), life_write)
        with self._lock:
            self._live.add(engine)
        return engine

    def call(self, request: dict, timeout: float, wait: float) -> tuple[dict, bytes]:
        """Send ``request`` to a short-lane process and return ``(header, body)``.

        Waits at most ``wait`` seconds for a free process (``EngineBusy``), then ``timeout``
        seconds for the answer (``EngineTimeout``; ``LongLaneFull`` when it ran long while the
        long lane was full).
        """
        engine = self._take(wait)
        with self._lock:
            self._busy += 1
        try:
            return self._run(engine, json.dumps(request).encode("utf-8"), timeout)
        except (EOFError, OSError) as exc:
            try:                        # let it finish dying, to learn how it ended
                exitcode = engine.process.wait(STOP_GRACE)
            except subprocess.TimeoutExpired:
                exitcode = None
            self._replace(engine)
            raise EngineCrashed(f"query engine {engine.process.pid} died while answering "
                                f"(exit code {exitcode})", exitcode) from exc
        finally:
            with self._lock:
                self._busy -= 1

    def _take(self, wait: float) -> _Engine:
        """An idle short-lane engine that is alive; one that died while idle (killed, or by
        the kernel) is replaced on the way, not handed a query it cannot answer."""
        deadline = time.monotonic() + wait
        while True:
            try:
                engine = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise EngineBusy(f"all {self.size} query engines stayed busy for {wait:g} s; "
                                 "try again in a moment") from None
            if engine.process.poll() is None:
                return engine
            self._replace(engine)

    def _run(self, engine: _Engine, request: bytes, timeout: float) -> tuple[dict, bytes]:
        if not engine.ready:          # a fresh process: its start does not count as the query's
            if not engine.channel.poll(timeout):
                self._replace(engine)
                raise EngineTimeout(f"no query engine started within {timeout:g} s")
            engine.channel.recv_bytes()
            engine.ready = True
        engine.channel.send_bytes(request)
        short = min(self.short_seconds, timeout)
        if engine.channel.poll(short):
            answer = self._receive(engine)
            self._idle.put(engine)
            return answer
        with self._lock:
            admitted = self._long < self.long_capacity
            self._long += admitted
        if not admitted:
            self._replace(engine)
            raise LongLaneFull(f"the query ran longer than {short:g} s while "
                               f"{self.long_capacity} long queries were already running")
        self._idle.put(self._spawn())                # the short lane keeps its size
        try:
            _lower_priority(engine)
            if engine.channel.poll(timeout - short):
                answer = self._receive(engine)
                self._stop(engine)                   # an extra process: the lane has its own
                return answer
            self._kill(engine)
            raise EngineTimeout(f"no answer within {timeout:g} s")
        finally:
            with self._lock:
                self._long -= 1

    @staticmethod
    def _receive(engine: _Engine) -> tuple[dict, bytes]:
        header, _, body = engine.channel.recv_bytes().partition(b"\n")
        return json.loads(header), body

    def _replace(self, engine: _Engine) -> None:
        self._kill(engine)
        if not self._closed:
            self._idle.put(self._spawn())

    def _forget(self, engine: _Engine) -> None:
        with self._lock:
            self._live.discard(engine)
        engine.channel.close()
        os.close(engine.lifeline)

    def _kill(self, engine: _Engine) -> None:
        if engine.process.poll() is None:
            os.kill(engine.process.pid, signal.SIGKILL)
        engine.process.wait()
        self._forget(engine)

    def _stop(self, engine: _Engine) -> None:
        """End an idle engine: its lifeline closes and it exits at once."""
        self._forget(engine)
        try:
            engine.process.wait(STOP_GRACE)
        except subprocess.TimeoutExpired:
            self._kill(engine)

    def pids(self) -> list[int]:
        """Process ids of the live engines (for diagnostics and tests)."""
        with self._lock:
            return [engine.process.pid for engine in self._live]

    def status(self) -> dict:
        """How many engines there are and how many are answering right now."""
        with self._lock:
            return {"engines": len(self._live), "busy": self._busy, "long": self._long,
                    "short_lane": self.size, "long_lane": self.long_capacity}

    def close(self) -> None:
        """Stop every engine: closing their lifelines ends them even mid-query."""
        self._closed = True
        with self._lock:
            engines = list(self._live)
        for engine in engines:
            if engine in self._live:
                self._stop(engine)


def _lower_priority(engine: _Engine) -> None:
    with contextlib.suppress(ProcessLookupError):    # it has just finished or died
        os.setpriority(os.PRIO_PROCESS, engine.process.pid,
                       min(19, os.getpriority(os.PRIO_PROCESS, engine.process.pid)
                           + LONG_NICENESS))
