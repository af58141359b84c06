"""Answers to clients' queries kept per build, so a query asked again is answered without an
engine process.

A build never changes, so a query whose answer depends on the graph alone has the same answer
every time it is asked of that build: the cache belongs to the build's generation
(``embedded``) and goes with it when a new build is swapped in. Queries whose answer may change
from one evaluation to the next are never kept: those naming RAND, NOW, UUID, STRUUID or BNODE
(a value per call) and those calling SERVICE (another server's data). The test reads the text
as letters, anywhere, in any case (``rand`` in ``?brand`` or in a string too): a query kept by
mistake would give a stale answer, one left out by mistake only costs an engine's time.

Only answers that came back whole from an engine are kept (errors, time-outs and refusals are
not), each at most a sixteenth of the cache, the least recently used dropped first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

# Functions whose value changes from one call to the next, and SERVICE (uuid: STRUUID too).
_VOLATILE = ("rand", "now", "uuid", "bnode", "service")
_LARGEST_SHARE = 16             # one answer may take at most 1/16 of the cache


def cacheable(sparql: str) -> bool:
    """Whether the answer to ``sparql`` depends on the graph alone (see the module's note)."""
    text = sparql.lower()
    return not any(word in text for word in _VOLATILE)


class AnswerCache:
    """Least-recently-used answers (a header and a body), at most ``max_bytes`` in all."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, tuple[dict, bytes, int]] = OrderedDict()
        self._lock = threading.Lock()
        self._bytes = 0
        self.hits = self.misses = 0

    def get(self, key: Hashable) -> tuple[dict, bytes] | None:
        """The answer kept for ``key``, if any (counted as a hit or a miss)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[0], entry[1]

    def put(self, key: Hashable, header: dict, body: bytes, key_bytes: int) -> None:
        """Keep an answer whose key takes ``key_bytes`` (the query text), unless it is too
        large a share of the cache."""
        size = len(body) + key_bytes
        if size * _LARGEST_SHARE > self.max_bytes:
            return
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self._bytes -= previous[2]
            self._entries[key] = (header, body, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                self._bytes -= self._entries.popitem(last=False)[1][2]

    def status(self) -> dict:
        """How many answers are kept, their bytes, and the hits and misses so far."""
        with self._lock:
            return {"entries": len(self._entries), "bytes": self._bytes, "hits": self.hits,
                    "misses": self.misses}
