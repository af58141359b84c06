"""The server's own state for operators: the build it serves and how busy its engines are."""

from __future__ import annotations

from server.store.base import Store


def server_status(store: Store) -> dict:
    """What the store reports about itself (build version, reloads, engines)."""
    return store.status()
