"""One HTTP request the way the tests make it: urllib, no retries, and a 4xx/5xx answer returned
like any other (status, headers, body) instead of raised, so a test can assert on it."""

from __future__ import annotations

import email.message
import urllib.error
import urllib.request
from typing import NamedTuple


class Answer(NamedTuple):
    """One response; unpacks as ``status, headers, body``. The body is as sent (not decoded)."""

    status: int
    headers: email.message.Message
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def http(url: str, *, method: str | None = None, data: bytes | None = None,
         headers: dict[str, str] | None = None, accept: str | None = None,
         timeout: float = 60) -> Answer:
    """Send one request. ``method`` defaults to urllib's choice: GET, or POST when ``data`` is
    sent. ``accept``, when given, is the ``Accept`` header (over one in ``headers``)."""
    headers = dict(headers or {})
    if accept is not None:
        headers["Accept"] = accept
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Answer(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.headers, error.read())
