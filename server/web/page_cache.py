"""Pages and the data behind them, computed once per graph version.

A page is a pure function of (graph version, page language, URL): the graph never changes under
a version, and a reload changes the version and so every key. Each cached function gets one LRU
cache per application, sized by the settings (``page_cache_entries``, ``data_cache_entries``);
a missing entry is computed by one thread while the others asking for it wait.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import TypeVar

from flask import current_app, request

from server.web.context import current_settings, current_store, index, page_language

T = TypeVar("T")
CACHES_KEY = "cnc_kg.caches"


class _OneAtATime:
    """An LRU-cached function whose calls with equal arguments run one at a time: while one
    computes a missing entry, the others with that key wait, then read it. Without this, every
    thread asking for an expensive document just after a reload (VoID: 0.4 s) computed it too."""

    def __init__(self, cached: Callable):
        self.cached = cached
        self.guard = threading.Lock()
        self.keys: dict[tuple, list] = {}     # key -> [its lock, callers holding or awaiting it]

    def __call__(self, *key):
        with self.guard:
            entry = self.keys.setdefault(key, [threading.RLock(), 0])
            entry[1] += 1
        try:
            with entry[0]:
                return self.cached(*key)
        finally:
            with self.guard:
                entry[1] -= 1
                if entry[1] == 0:
                    del self.keys[key]


def _cache(func: Callable, size: int) -> Callable:
    """This application's cache of ``func`` (made on first use)."""
    caches = current_app.extensions.setdefault(CACHES_KEY, {})
    cached = caches.get(func)
    if cached is None:
        # The key's leading version (and language, URL) only select the entry.
        cached = caches.setdefault(func, _OneAtATime(functools.lru_cache(maxsize=size)(
            lambda skip, *args: func(*args))))
    return cached


def per_page(func: Callable[..., T]) -> Callable[..., T]:
    """Cache a rendered page by graph version, page language and URL (with its query string,
    from which the language switcher's links are made), plus ``func``'s own arguments."""
    @functools.wraps(func)
    def cached(*args) -> T:
        key = (index().version, page_language(), request.full_path)
        return _cache(func, current_settings().page_cache_entries)(key, *args)
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
