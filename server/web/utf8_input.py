"""Refuse requests whose path, query string or query body is not valid UTF-8 (400).

WSGI hands the path over as Latin-1 and Werkzeug decodes parameters with replacement
characters, so without this check a broken byte would silently become U+FFFD and reach the
parser or the page lookup as a different text than the client sent.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from flask import Response, request

from server.web.context import current_settings, plain_error

# Bodies whose bytes are the query text, percent-encoded or not.
_TEXT_BODIES = {"application/x-www-form-urlencoded": True, "application/sparql-query": False}


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# Runs of escaped bytes ≥ 0x80. ASCII is always valid UTF-8 and never part of a multi-byte
# character, so a text is valid exactly when each such run is: only the runs are decoded, which
# spares a Python-speed pass over every escape of a long, mostly ASCII query. (Written without a
# leading group: Python's regex engine scans far faster from a literal "%".)
_HIGH_ESCAPE = rb"%[89A-Fa-f][0-9A-Fa-f]"
_HIGH_RUN = re.compile(_HIGH_ESCAPE + rb"(?:" + _HIGH_ESCAPE + rb")*")


def _is_utf8_form(raw: bytes) -> bool:
    """Whether percent-encoded ``raw`` decodes to valid UTF-8."""
    if not raw.isascii():               # unescaped high bytes (a lax client): decode it all
        return _is_utf8(unquote_to_bytes(raw.replace(b"+", b" ")))
    return all(_is_utf8(bytes.fromhex(run.group().replace(b"%", b"").decode("ascii")))
               for run in _HIGH_RUN.finditer(raw))


def _path_bytes() -> bytes:
    """The request path as the client sent it, percent-decoded. Behind the ASGI front the
    path reaches WSGI already decoded (broken bytes as U+FFFD), so it is read from the ASGI
    scope's ``raw_path`` that a2wsgi passes on; plain WSGI gives its bytes as Latin-1."""
    scope = request.environ.get("asgi.scope")
    if scope is not None and scope.get("raw_path"):
        return unquote_to_bytes(scope["raw_path"].split(b"?", 1)[0])
    return request.environ.get("PATH_INFO", "").encode("latin-1", "replace")


def refuse_invalid_utf8() -> Response | None:
    """``before_request`` hook: a 400 naming the part that is not UTF-8, else nothing."""
    if not _is_utf8(_path_bytes()):
        return plain_error(400, "Bad Request: the path is not valid UTF-8 once percent-decoded")
    if not _is_utf8_form(request.query_string):
        return plain_error(400, "Bad Request: the query string is not valid UTF-8 once "
                                "percent-decoded")
    encoded = _TEXT_BODIES.get(request.mimetype)
    length = request.content_length
    if encoded is not None and length is not None and \
            length <= current_settings().max_body_bytes:
        body = request.get_data(cache=True)   # form parsing later reads this cached copy
        if not (_is_utf8_form(body) if encoded else _is_utf8(body)):
            return plain_error(400, "Bad Request: the request body is not valid UTF-8")
    return None
