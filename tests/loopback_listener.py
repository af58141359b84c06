"""A real TCP listener on loopback that records every connection made to it: what the server
(or a browser) contacts. It answers like a SPARQL endpoint with one row, so a SERVICE call that
got through would show its binding in the answer, as in issue 15."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

ANSWER = (b'{"head":{"vars":["leak"]},"results":{"bindings":'
          b'[{"leak":{"type":"literal","value":"reached"}}]}}')
RESPONSE = (b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
            b"Content-Length: " + str(len(ANSWER)).encode() + b"\r\nConnection: close\r\n\r\n"
            + ANSWER)


class Listener:
    """Accepts connections on ``127.0.0.1:port`` in a thread; ``requests`` holds the first
    bytes each one sent."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self.requests: list[bytes] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def url(self, path: str = "sparql") -> str:
        """An http URL on this listener."""
        return f"http://127.0.0.1:{self.port}/{path}"

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:                         # closed
                return
            with connection:
                connection.settimeout(5)
                try:
                    self.requests.append(connection.recv(65536))
                    connection.sendall(RESPONSE)
                except OSError:
                    self.requests.append(b"")

    def close(self) -> None:
        """Stop listening."""
        with contextlib.suppress(OSError):
            self._socket.shutdown(socket.SHUT_RDWR)     # wakes the thread blocked in accept()
        self._socket.close()
        self._thread.join(timeout=5)


@contextlib.contextmanager
def listening() -> Iterator[Listener]:
    """A ``Listener`` for the duration of the block."""
    listener = Listener()
    try:
        yield listener
    finally:
        listener.close()
