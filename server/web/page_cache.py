"""Pages and the data behind them, computed once per graph version.

A page is a pure function of (graph version, page language, URL): the graph never changes under
a version, and a reload changes the version and so every key. Each cached function gets one LRU
cache per application, sized by the settings (``page_cache_entries``, ``data_cache_entries``);
a missing entry is computed by one thread while the others asking for it wait. A view may keep
its finished answers in a map of its own (``entries_of``, for ``page_response.replayed``).
/status reports every cache's entries, hits and misses (``cache_status``).
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

from flask import Flask, current_app, request

from server.web.context import current_settings, current_store, index, page_language

T = TypeVar("T")
CACHES_KEY = "cnc_kg.caches"


MISSING = object()


class _LRU:
    """A bounded map that forgets the entry used least recently, counting its hits and misses
    for ``/status``; safe across threads. A hit takes one uncontended lock: it is the path of
    every cached page."""

    def __init__(self, size: int, kind: str):
        self.size = size
        self.kind = kind
        self.entries: OrderedDict[tuple, object] = OrderedDict()
        self.lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: tuple) -> object:
        """The entry of ``key``, or ``MISSING``."""
        with self.lock:
            value = self.entries.get(key, MISSING)
            if value is MISSING:
                self.misses += 1
            else:
                self.hits += 1
                self.entries.move_to_end(key)
            return value

    def put(self, key: tuple, value: object) -> None:
        with self.lock:
            self.entries[key] = value
            if len(self.entries) > self.size:
                self.entries.popitem(last=False)


class _OneAtATime(_LRU):
    """An LRU cache of ``func`` (called without the key's first item, which only selects the
    entry) whose misses with equal keys run one at a time: while one thread computes a missing
    entry, the others with that key wait, then read it. Without this, every thread asking for
    an expensive document just after a reload (VoID: 0.4 s) computed it too."""

    def __init__(self, func: Callable, size: int, kind: str):
        super().__init__(size, kind)
        self.func = func
        self.computing: dict[tuple, threading.RLock] = {}   # key -> held while computing it

    def __call__(self, *key):
        value = self.get(key)
        if value is not MISSING:
            return value
        with self.lock:
            turn = self.computing.setdefault(key, threading.RLock())
        with turn:
            with self.lock:                      # computed while this thread waited?
                value = self.entries.get(key, MISSING)
            if value is not MISSING:
                return value
            try:
                value = self.func(*key[1:])
                self.put(key, value)
            finally:
                with self.lock:
                    self.computing.pop(key, None)
            return value


def _of_app(owner: Callable, make: Callable[[], _LRU]) -> _LRU:
    """This application's cache kept for ``owner``, made by ``make`` on first use."""
    caches = current_app.extensions.setdefault(CACHES_KEY, {})
    found = caches.get(owner)
    if found is None:
        found = caches.setdefault(owner, make())
    return found


def _cache(func: Callable, size: int, kind: str) -> _OneAtATime:
    """This application's cache of ``func``."""
    return _of_app(func, lambda: _OneAtATime(func, size, kind))


def entries_of(owner: Callable) -> _LRU:
    """This application's page-sized LRU map kept for ``owner`` (a view's finished answers);
    its ``get`` answers ``MISSING`` for a key it does not hold."""
    return _of_app(owner, lambda: _LRU(current_settings().page_cache_entries,
                                       "finished answers"))


def cache_status(app: Flask) -> dict[str, dict[str, int]]:
    """Entries, hits and misses of ``app``'s caches, summed by kind: rendered pages, data for
    pages, bodies as sent (gzip, ETag), finished answers sent again (``replayed``)."""
    kinds: dict[str, dict[str, int]] = {}
    for cache in list(app.extensions.get(CACHES_KEY, {}).values()):
        counts = kinds.setdefault(cache.kind, {"entries": 0, "hits": 0, "misses": 0})
        counts["entries"] += len(cache.entries)
        counts["hits"] += cache.hits
        counts["misses"] += cache.misses
    return kinds


def per_page(func: Callable[..., str | None]) -> Callable[..., bytes | None]:
    """Cache a rendered page by graph version, page language and URL (with its query string,
    from which the language switcher's links are made), plus ``func``'s own arguments.

    The page is kept encoded: every request then sends the same bytes object, whose hash (the
    key of its gzip and ETag, ``page_response``) is computed once."""
    def encoded(*args) -> bytes | None:
        body = func(*args)
        return None if body is None else body.encode("utf-8")

    @functools.wraps(func)
    def cached(*args) -> bytes | None:
        key = (index().version, page_language(), request.full_path)
        return _cache(encoded, current_settings().page_cache_entries, "pages")(key, *args)
    return cached


def per_version(func: Callable[..., T]) -> Callable[..., T]:
    """Cache data for pages (sorted lists, pictures, documents) by graph version plus
    ``func``'s own arguments. The version is the store's, so that a document that needs no
    graph index (the Service Description) does not wait for one to be built."""
    @functools.wraps(func)
    def cached(*args) -> T:
        version = current_store().version()
        return _cache(func, current_settings().data_cache_entries, "page data")(version, *args)
    return cached


def memo(func: Callable[..., T], *args) -> T:
    """``func(*args)`` from this application's cache of ``func`` (a page-sized LRU cache), for
    results that depend on their arguments only (e.g. the gzip of a page body)."""
    return _cache(func, current_settings().page_cache_entries, "bodies as sent")(None, *args)
