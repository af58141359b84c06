"""Hot reload of a store built from one file: notice a new build, load it off to the side, swap.

``cnc-kg build`` replaces ``dist/`` with one atomic rename, so the file is either wholly the old
build or wholly the new one. Each server process checks the file's stamp (inode, mtime, size) at
most every ``check_interval`` seconds; on a change it reads the file through one open descriptor,
hashes it and loads it into a new generation in a background thread while requests keep using
the current one; then the reference is swapped. A request pins the generation it started with,
so all its queries see one graph; a retired generation is closed once its last request ends.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

log = logging.getLogger(__name__)

# What a failed load may raise: unreadable file, pyoxigraph's parse error, bad bytes.
LOAD_ERRORS = (OSError, SyntaxError, ValueError)


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
            return cls.from_stat(os.stat(path))
        except FileNotFoundError:
            return None

    @classmethod
    def from_stat(cls, info: os.stat_result) -> FileStamp:
        """The stamp of a ``stat`` result."""
        return cls(info.st_ino, info.st_mtime_ns, info.st_size)


def file_version(handle: BinaryIO) -> str:
    """The version token of a graph file: the start of its SHA-256 (read from ``handle``)."""
    return hashlib.file_digest(handle, "sha256").hexdigest()[:16]


class Generation:
    """One loaded graph and what answers queries on it, shared by the requests pinning it."""

    def __init__(self, version: str, engine: Any, close: Callable[[], None]):
        self.version = version
        self.engine = engine
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
            self._close()

    def retire(self) -> None:
        """No new users from now on; close when the current ones are done."""
        with self._lock:
            self._retired = True
            closing = self._users == 0
        if closing:
            self._close()


Loader = Callable[[BinaryIO, str], Generation]


class Reloader:
    """The current generation of the graph in ``path``, reloaded when a new build appears."""

    def __init__(self, path: Path, load: Loader, check_interval: float):
        self.path = path
        self._load = load
        self._interval = check_interval
        self._lock = threading.Lock()
        self._loading = False
        self._checked = time.monotonic()
        with open(path, "rb") as handle:
            self._stamp: FileStamp | None = FileStamp.from_stat(os.fstat(handle.fileno()))
            version = file_version(handle)
            handle.seek(0)
            self._current = load(handle, version)
        self.failure: str | None = None     # why the last reload was refused, for diagnostics

    def acquire(self) -> Generation:
        """The current generation, pinned (call ``release`` on it); checks for a new build."""
        self.check()
        with self._lock:
            return self._current.acquire()

    def check(self) -> None:
        """Start a reload in the background if the file changed (at most every interval)."""
        now = time.monotonic()
        if now - self._checked < self._interval:
            return
        self._checked = now
        stamp = FileStamp.of(self.path)
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
            with open(self.path, "rb") as handle:
                # The descriptor keeps the inode we opened even if dist/ is swapped again.
                stamp = FileStamp.from_stat(os.fstat(handle.fileno()))
                version = file_version(handle)
                if version == self._current.version:
                    self._stamp = stamp
                    return
                handle.seek(0)
                fresh = self._load(handle, version)
        except LOAD_ERRORS as error:
            # Keep serving the graph we have; try again only when the file changes again.
            self.failure = f"{self.path}: not reloaded, still serving the previous graph: {error}"
            log.error("%s", self.failure)
            self._stamp = stamp
            return
        with self._lock:
            previous, self._current = self._current, fresh
            self._stamp = stamp
        self.failure = None
        log.warning("%s: now serving graph version %s", self.path, version)
        previous.retire()

    def close(self) -> None:
        """Close the current generation (once its users are done)."""
        with self._lock:
            current = self._current
        current.retire()
