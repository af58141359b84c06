"""The listening socket, bound before the HTTP server starts, so that a taken port or an address
this machine does not have is one clear error instead of gunicorn's five retries."""

from __future__ import annotations

import errno
import socket

# Connections the kernel queues before a worker accepts them (gunicorn's default).
BACKLOG = 2048


class CannotListen(OSError):
    """The address cannot be listened on; the message names it and what to do."""


def listen(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` and listening (``SO_REUSEADDR``, as gunicorn sets)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as error:
        raise CannotListen(f"cannot listen on {host}:{port}: {error.strerror}") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(BACKLOG)
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise CannotListen(f"port {port} on {host} is already in use: stop what uses it or "
                               f"choose another port with --port") from None
        raise CannotListen(f"cannot listen on {host}:{port}: {error.strerror}") from None
    return sock
