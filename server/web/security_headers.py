"""Security headers: a Content-Security-Policy on every HTML (and SVG) answer
(https://www.w3.org/TR/CSP3/), so nothing coming from the data can run as script.

Pages load their scripts and styles from this origin only: no inline script, no inline style,
no ``javascript:`` URL, no plugin, no frame of this site in another one. The JSON islands of
the query page and the JSON-LD of entity pages are data blocks, which CSP does not run.
"""

from __future__ import annotations

from flask import Response

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
# The network picture downloaded on its own (/network.svg) carries its style inline, so that it
# stays one self-contained file; it needs no script, no image, no connection.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
POLICIES = {"text/html": CONTENT_SECURITY_POLICY, "image/svg+xml": SVG_POLICY}


def add_security_headers(response: Response) -> Response:
    """Add the policy of the answer's media type, and ``nosniff`` so that no answer is ever
    read as another type (an RDF document as HTML)."""
    policy = POLICIES.get(response.mimetype)
    if policy is not None:
        response.headers["Content-Security-Policy"] = policy
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
