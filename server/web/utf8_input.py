"""Refuse requests whose path, query string or query body is not valid UTF-8 (400).

WSGI hands the path over as Latin-1 and Werkzeug decodes parameters with replacement
characters, so without this check a broken byte would silently become U+FFFD and reach the
parser or the page lookup as a different text than the client sent.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from flask import Response, request

from server.web.app import current_settings, plain_error

# Bodies whose bytes are the query text, percent-encoded or not.
_TEXT_BODIES = {"application/x-www-form-urlencoded": True, "application/sparql-query": False}


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _form_bytes(raw: bytes) -> bytes:
    return unquote_to_bytes(raw.replace(b"+", b" "))


def refuse_invalid_utf8() -> Response | None:
    """``before_request`` hook: a 400 naming the part that is not UTF-8, else nothing."""
    path = request.environ.get("PATH_INFO", "").encode("latin-1", "replace")
    if not _is_utf8(path):
        return plain_error(400, "Bad Request: the path is not valid UTF-8 once percent-decoded")
    if not _is_utf8(_form_bytes(request.query_string)):
        return plain_error(400, "Bad Request: the query string is not valid UTF-8 once "
                                "percent-decoded")
    encoded = _TEXT_BODIES.get(request.mimetype)
    length = request.content_length
    if encoded is not None and length is not None and \
            length <= 4 * current_settings().max_query_bytes:
        body = request.get_data(cache=True)   # form parsing later reads this cached copy
        if not _is_utf8(_form_bytes(body) if encoded else body):
            return plain_error(400, "Bad Request: the request body is not valid UTF-8")
    return None
