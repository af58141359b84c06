"""Hot reload of the published build: notice a new ``dist/``, open it beside the current one, swap.

``cnc-kg build`` replaces ``dist/`` with one atomic exchange, so the folder is either wholly the
old build or wholly the new one. Each server process checks the stamp of ``dist/build.json``
(inode, mtime) at most every ``check_interval`` seconds. On a change it opens the folder by
descriptor — every file it then reads through ``/proc/self/fd/N`` belongs to that one build,
even if ``dist/`` is swapped again meanwhile — and opens the build (store, page index, engines)
in a background thread while requests keep using the current one; then the reference is
swapped. A request pins the generation it started with, so everything it reads comes from one
build; a retired generation is closed once its last request ends.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from server import dist
from server.store.base import StoreUnavailable

log = logging.getLogger(__name__)

# What a failed open may raise: unreadable or missing files, a store or index that does not
# open (pyoxigraph raises OSError, SQLite its own errors), a build record without its hash.
OPEN_ERRORS = (OSError, ValueError, KeyError, sqlite3.Error)


class Unopenable(StoreUnavailable):
    """The published build cannot be opened, and no earlier one is open (503)."""


class BuildMissing(Exception):
    """``dist/`` holds no complete build."""


@dataclass(frozen=True)
class FileStamp:
    """What a cheap ``stat`` tells about a file's identity; a rename or rewrite changes it."""

    inode: int
    mtime_ns: int
    size: int

    @classmethod
    def of(cls, path: Path) -> FileStamp | None:
        """The stamp of ``path``, or ``None`` when it is missing right now."""
        try:
            info = os.stat(path)
        except FileNotFoundError:
            return None
        return cls(info.st_ino, info.st_mtime_ns, info.st_size)


class Build:
    """One build folder, held open by descriptor: its files stay this build's files."""

    def __init__(self, folder: Path):
        self.fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            # Linux names an open folder by descriptor; elsewhere fall back to its path.
            by_fd = f"/proc/self/fd/{self.fd}"
            self.path = by_fd if os.path.isdir(by_fd) else str(folder)
            record_path = os.path.join(self.path, dist.BUILD_RECORD)
            try:
                with open(record_path, encoding="utf-8") as handle:
                    self.record: dict = json.load(handle)
            except FileNotFoundError:
                raise BuildMissing(f"{folder} holds no {dist.BUILD_RECORD}: run "
                                   "`cnc-kg build` first") from None
            self.version: str = dist.graph_version(self.record["sha256"])
        except BaseException:
            os.close(self.fd)
            raise

    def file(self, name: str) -> str:
        """The path of one of the build's files (``server.dist`` names them)."""
        return os.path.join(self.path, name)

    def close(self) -> None:
        """Release the folder (files already opened stay readable)."""
        os.close(self.fd)


class Generation:
    """One opened build and what answers queries on it, shared by the requests pinning it."""

    def __init__(self, build: Build, parts: Any, close: Callable[[], None]):
        self.build = build
        self.version = build.version
        self.parts = parts
        self._close = close
        self._users = 0
        self._retired = False
        self._lock = threading.Lock()

    def acquire(self) -> Generation:
        """Count one more user (a request); returns itself."""
        with self._lock:
            self._users += 1
        return self

    def release(self) -> None:
        """One user fewer; closes a retired generation when it was the last."""
        with self._lock:
            self._users -= 1
            closing = self._retired and self._users == 0
        if closing:
            self._closed()

    def retire(self) -> None:
        """No new users from now on; close when the current ones are done."""
        with self._lock:
            self._retired = True
            closing = self._users == 0
        if closing:
            self._closed()

    def _closed(self) -> None:
        try:
            self._close()
        finally:
            self.build.close()


Opener = Callable[[Build], Generation]


class Reloader:
    """The current generation of the build in ``folder``, reopened when a new build appears."""

    def __init__(self, folder: Path, open_build: Opener, check_interval: float):
        self.folder = folder
        self._record = folder / dist.BUILD_RECORD
        self._open = open_build
        self._interval = check_interval
        self._lock = threading.Lock()
        self._loading = False
        self._checked = time.monotonic()
        self.checks = 0                       # stamp checks done (for tests and diagnostics)
        self.failure: str | None = None       # why the last reload was refused
        self._stamp = FileStamp.of(self._record)
        if not folder.is_dir():
            raise BuildMissing(f"{folder} does not exist: run `cnc-kg build` first")
        self._current: Generation | None = None
        try:
            self._current = self._open_generation()
        except OPEN_ERRORS as error:
            # A process started while dist/ holds a build it cannot open (damaged by hand) waits
            # for the next one, saying why meanwhile: failing here would make gunicorn stop the
            # whole server, the workers still serving the previous build with it.
            self.failure = f"{folder}: the published build cannot be opened: {error}"
            log.error("%s", self.failure)

    def _open_generation(self) -> Generation:
        build = Build(self.folder)
        try:
            return self._open(build)
        except BaseException:
            build.close()
            raise

    def acquire(self) -> Generation:
        """The current generation, pinned (call ``release`` on it); checks for a new build.
        ``Unopenable`` when no build could be opened yet."""
        self.check()
        with self._lock:
            if self._current is None:
                raise Unopenable(f"{self.failure}; waiting for the next build")
            return self._current.acquire()

    def check(self) -> None:
        """Start a reload in the background if dist/ changed (at most every interval)."""
        now = time.monotonic()
        if now - self._checked < self._interval:
            return
        self._checked = now
        self.checks += 1
        stamp = FileStamp.of(self._record)
        if stamp is None or stamp == self._stamp:
            return              # missing for an instant, or unchanged
        with self._lock:
            if self._loading:
                return
            self._loading = True
        threading.Thread(target=self._reload, args=(stamp,), name="cnc-kg-reload",
                         daemon=True).start()

    def _reload(self, stamp: FileStamp) -> None:
        try:
            self._swap_in(stamp)
        finally:
            with self._lock:
                self._loading = False

    def _swap_in(self, stamp: FileStamp) -> None:
        try:
            build = Build(self.folder)
        except (*OPEN_ERRORS, BuildMissing) as error:
            self._refuse(stamp, error)
            return
        if self._current is not None and build.version == self._current.version:
            build.close()                   # rebuilt with the same content: nothing to do
            self._stamp = stamp
            return
        try:
            fresh = self._open(build)
        except OPEN_ERRORS as error:
            build.close()
            self._refuse(stamp, error)
            return
        with self._lock:
            previous, self._current = self._current, fresh
            self._stamp = stamp
        self.failure = None
        log.warning("%s: now serving graph version %s", self.folder, fresh.version)
        if previous is not None:
            previous.retire()

    def _refuse(self, stamp: FileStamp, error: BaseException) -> None:
        # Keep serving the build we have; try again only when dist/ changes again.
        serving = ("still serving the previous graph" if self._current is not None
                   else "no graph served until a build can be opened")
        self.failure = f"{self.folder}: not reloaded, {serving}: {error}"
        log.error("%s", self.failure)
        self._stamp = stamp

    def close(self) -> None:
        """Close the current generation (once its users are done)."""
        with self._lock:
            current = self._current
        if current is not None:
            current.retire()


class Pins:
    """Which generation each thread's request uses: the one current when it began."""

    def __init__(self, reloader: Reloader):
        self.reloader = reloader
        self._local = threading.local()

    @contextlib.contextmanager
    def pinned(self) -> Iterator[None]:
        """Within the block, this thread sees the generation current at its start."""
        if getattr(self._local, "generation", None) is not None:
            yield                           # already pinned by an outer block
            return
        generation = self.reloader.acquire()
        self._local.generation = generation
        try:
            yield
        finally:
            self._local.generation = None
            generation.release()

    @contextlib.contextmanager
    def current(self) -> Iterator[Generation]:
        """This thread's pinned generation (pinned for the block if it was not)."""
        pinned = getattr(self._local, "generation", None)
        if pinned is not None:
            yield pinned
            return
        with self.pinned():
            yield self._local.generation
