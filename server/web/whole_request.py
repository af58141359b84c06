"""Requests are admitted, then read whole in the event loop before the WSGI app gets a thread.

The ASGI server reads the request line and headers without holding a thread; this middleware
does the same for the body (at most ``max_body_bytes``, else 413), then hands the request to the
WSGI adapter, whose threads so never wait on a slow client. At most ``max_requests_in_flight``
requests per worker are being read or answered (503 beyond), which bounds the memory bodies take
and the queue in front of the threads. A request line over ``max_request_line_bytes`` gets a
414 that tells a SPARQL client to POST its query (ASGI HTTP spec:
https://asgi.readthedocs.io/en/latest/specs/www.html#http).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from server.config import Settings

Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[dict[str, Any], Receive, Send], Awaitable[None]]


# Seconds a client refused for load is told to wait before trying again.
RETRY_AFTER_S = 1
URI_TOO_LONG = ("Request line over {limit} bytes (max_request_line_bytes). A long SPARQL query "
                "goes in the body of a POST (Content-Type: application/sparql-query, or a form "
                "with query=), as the SPARQL 1.1 Protocol allows.")


async def _refuse(send: Send, status: int, message: str,
                  extra: tuple[tuple[bytes, bytes], ...] = ()) -> None:
    """A plain-text error answer, the connection closed after it (its body may be unread)."""
    body = (message + "\n").encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close"), *extra]})
    await send({"type": "http.response.body", "body": body})


def _declared_length(scope: dict[str, Any]) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length" and value.isdigit():
            return int(value)
    return None


def _request_line_bytes(scope: dict[str, Any]) -> int:
    """Length of the request line the client sent (``METHOD target HTTP/1.1``)."""
    query = scope.get("query_string", b"")
    target = len(scope.get("raw_path") or scope["path"].encode()) + (len(query) + 1 if query
                                                                      else 0)
    return len(scope["method"]) + 1 + target + len(" HTTP/1.1")


class WholeRequests:
    """ASGI middleware: admit at most ``max_requests_in_flight`` HTTP requests at once, refuse
    request lines over ``max_request_line_bytes``, and read the body of each request before
    calling ``app``."""

    def __init__(self, app: ASGIApp, settings: Settings):
        self.app = app
        self.max_body_bytes = settings.max_body_bytes
        self.max_in_flight = settings.max_requests_in_flight
        self.max_line = settings.max_request_line_bytes
        self.in_flight = 0            # one event loop per worker: no lock needed

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.max_in_flight:
            await _refuse(send, 503, f"Over {self.max_in_flight} requests in flight "
                                     "(max_requests_in_flight): try again shortly",
                          ((b"retry-after", str(RETRY_AFTER_S).encode()),))
            return
        if _request_line_bytes(scope) > self.max_line:
            await _refuse(send, 414, URI_TOO_LONG.format(limit=self.max_line))
            return
        self.in_flight += 1
        try:
            await self._read_then_call(scope, receive, send)
        finally:
            self.in_flight -= 1

    async def _read_then_call(self, scope: dict[str, Any], receive: Receive,
                              send: Send) -> None:
        declared = _declared_length(scope)
        if declared is not None and declared > self.max_body_bytes:
            await _refuse(send, 413, f"Request body over {self.max_body_bytes} bytes")
            return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return                    # the client left: nobody to answer
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                await _refuse(send, 413, f"Request body over {self.max_body_bytes} bytes")
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        whole: Message | None = {"type": "http.request", "body": b"".join(chunks),
                                 "more_body": False}

        async def replay() -> Message:
            nonlocal whole
            if whole is None:             # the body was taken: what follows is the disconnect
                return await receive()
            message, whole = whole, None
            return message

        await self.app(scope, replay, send)
