"""Engine lanes: which engine processes run a query, and what each may reach (``sandbox``).

Ordinary queries run in processes that cannot open a network socket at all. Queries calling an
allowed SERVICE endpoint (``guard.check_services``) run in a second, smaller pool, made only
when ``service_allow`` is set, whose processes may open TCP connections to the ports of those
endpoints and nothing else. Both lanes share the memory ceiling.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from server.store.sandbox import Confinement, SandboxError, confine, verify
from server.store.workers import Handler, WorkerPool

_DEFAULT_PORTS = {"http": 80, "https": 443}


def service_ports(endpoints: Sequence[str]) -> tuple[int, ...]:
    """The TCP ports of the allowed SERVICE endpoints (80 and 443 unless a port is given)."""
    ports = set()
    for endpoint in endpoints:
        parts = urlsplit(endpoint)
        if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
            raise ValueError(f"service_allow: {endpoint!r} is not an http(s) endpoint IRI")
        ports.add(parts.port or _DEFAULT_PORTS[parts.scheme])
    return tuple(sorted(ports))


@functools.cache
def _verified(policy: Confinement) -> Confinement:
    """``policy``, once it has been seen to hold in a child of this process (checked once)."""
    try:
        verify(policy)
    except SandboxError as error:
        raise SandboxError(f"engine processes cannot be confined on this machine: {error}"
                           ) from error
    return policy


class EngineLanes:
    """The engine processes of one loaded graph, in their lanes."""

    def __init__(self, handler: Handler, size: int, *, service_allow: Sequence[str] = (),
                 service_size: int = 1, memory_bytes: int | None = None):
        ordinary = _verified(Confinement(memory_bytes=memory_bytes))
        self._ordinary = WorkerPool(handler, size, functools.partial(confine, ordinary))
        self._federated: WorkerPool | None = None
        if service_allow:
            federated = _verified(Confinement(service_ports(service_allow), memory_bytes))
            self._federated = WorkerPool(handler, service_size,
                                         functools.partial(confine, federated))

    def call(self, request: Any, *, timeout: float, wait: float, federated: bool) -> Any:
        """Run ``request`` in the lane it needs (see ``WorkerPool.call``)."""
        # Without an allow-list there is no federated lane (and guard lets no SERVICE through):
        # such a query would fail in the ordinary lane, which has no network.
        pool = self._federated if federated and self._federated is not None else self._ordinary
        return pool.call(request, timeout=timeout, wait=wait)

    def pids(self) -> list[int]:
        """Process ids of every lane's engine processes."""
        return self._ordinary.pids() + (self._federated.pids() if self._federated else [])

    def close(self) -> None:
        """Stop every engine process."""
        self._ordinary.close()
        if self._federated is not None:
            self._federated.close()
