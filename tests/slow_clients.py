"""Slow clients for the HTTP front's tests and benchmark: connections that send a request's
beginning, then a line at a time, and never finish it."""

from __future__ import annotations

import contextlib
import socket
import threading
import urllib.parse
from collections.abc import Iterator

# (request's beginning, what is sent again and again): headers never ended, a body never done
SLOW_HEADERS = (b"GET /robots.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n", b"X-Slow: 1\r\n")
SLOW_BODY = (b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n"
             b"Content-Type: application/sparql-query\r\nContent-Length: 4096\r\n\r\n", b" ")


@contextlib.contextmanager
def trickling(base: str, count: int, head: bytes, line: bytes,
              every_s: float = 0.5) -> Iterator[list[socket.socket]]:
    """``count`` connections to ``base`` that sent ``head`` and then send ``line`` every
    ``every_s`` seconds, never finishing their request, for as long as the block runs."""
    parts = urllib.parse.urlsplit(base)
    sockets = [socket.create_connection((parts.hostname, parts.port), timeout=5)
               for _ in range(count)]
    for sock in sockets:
        sock.sendall(head)
    done = threading.Event()

    def trickle() -> None:
        while not done.wait(every_s):
            for sock in sockets:
                with contextlib.suppress(OSError):
                    sock.sendall(line)

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    try:
        yield sockets
    finally:
        done.set()
        thread.join()
        for sock in sockets:
            sock.close()
