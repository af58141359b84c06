"""Pages and the data behind them, computed once per graph version.

A page is a pure function of (graph version, page language, URL): the graph never changes under
a version, and a reload changes the version and so every key. Each cached function gets one LRU
cache per application, sized by the settings (``page_cache_entries``, ``data_cache_entries``);
a missing entry is computed by one thread while the others asking for it wait.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

from flask import current_app, request

from server.web.context import current_settings, current_store, index, page_language

T = TypeVar("T")
CACHES_KEY = "cnc_kg.caches"


_MISSING = object()


class _OneAtATime:
    """An LRU cache of ``func`` (called without the key's first item, which only selects the
    entry) whose misses with equal keys run one at a time: while one thread computes a missing
    entry, the others with that key wait, then read it. Without this, every thread asking for
    an expensive document just after a reload (VoID: 0.4 s) computed it too. A hit takes one
    uncontended lock: it is the path of every cached page."""

    def __init__(self, func: Callable, size: int):
        self.func = func
        self.size = size
        self.entries: OrderedDict[tuple, object] = OrderedDict()
        self.lock = threading.Lock()
        self.computing: dict[tuple, threading.RLock] = {}   # key -> held while computing it

    def _kept(self, key: tuple) -> object:
        with self.lock:
            value = self.entries.get(key, _MISSING)
            if value is not _MISSING:
                self.entries.move_to_end(key)
            return value

    def __call__(self, *key):
        value = self._kept(key)
        if value is not _MISSING:
            return value
        with self.lock:
            turn = self.computing.setdefault(key, threading.RLock())
        with turn:
            value = self._kept(key)              # computed while this thread waited
            if value is not _MISSING:
                return value
            try:
                value = self.func(*key[1:])
                with self.lock:
                    self.entries[key] = value
                    if len(self.entries) > self.size:
                        self.entries.popitem(last=False)
            finally:
                with self.lock:
                    self.computing.pop(key, None)
            return value


def _cache(func: Callable, size: int) -> Callable:
    """This application's cache of ``func`` (made on first use)."""
    caches = current_app.extensions.setdefault(CACHES_KEY, {})
    cached = caches.get(func)
    if cached is None:
        cached = caches.setdefault(func, _OneAtATime(func, size))
    return cached


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
        return _cache(encoded, current_settings().page_cache_entries)(key, *args)
    return cached


def per_version(func: Callable[..., T]) -> Callable[..., T]:
    """Cache data for pages (sorted lists, pictures, documents) by graph version plus
    ``func``'s own arguments. The version is the store's, so that a document that needs no
    graph index (the Service Description) does not wait for one to be built."""
    @functools.wraps(func)
    def cached(*args) -> T:
        version = current_store().version()
        return _cache(func, current_settings().data_cache_entries)(version, *args)
    return cached


def memo(func: Callable[..., T], *args) -> T:
    """``func(*args)`` from this application's cache of ``func`` (a page-sized LRU cache), for
    results that depend on their arguments only (e.g. the gzip of a page body)."""
    return _cache(func, current_settings().page_cache_entries)(None, *args)
