"""Content negotiation over every document route, on a real server (issue 12): the media type
sent is one the client accepts (never text/html to a client that refused it), and a page
without an RDF form answers 406 to an RDF-only ``Accept``.

The routes come from the server's own OpenAPI description (every route is described there,
``test_schemathesis``): a route whose 200 answer is ``Html`` is a page for people only, one
whose answer is ``Document`` has HTML and RDF forms.
"""

from __future__ import annotations

import json
import urllib.request

import pytest
from http_calls import http

from server.web.negotiation import GRAPH_FORMATS, HTML, Format, NotAcceptable, negotiate

TIMEOUT = 30
# A value for each path parameter of the routes (names that exist in the shipped data).
SAMPLES = {"/id/{name}": "/id/cnc", "/ontology/{name}": "/ontology/NetworkNode",
           "/shapes/{name}": "/shapes/SourceShape", "/list/{key}": "/list/Event",
           "/reconcile/preview": "/reconcile/preview?id=cnc"}
# Accept headers of people's and machines' clients, and of the edge cases of issue 12.
ACCEPTS = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",   # a browser
    "text/html;q=0, */*",
    "application/*",
    "text/turtle",
    "application/ld+json, application/rdf+xml;q=0.5",
    "application/xhtml+xml",
    "*/*",
)
DOCUMENT_FORMATS = (HTML, *GRAPH_FORMATS)


def _routes(base: str) -> dict[str, str]:
    """``{path: "Html" or "Document"}`` of every GET route that answers a document."""
    with urllib.request.urlopen(base + "openapi.json", timeout=TIMEOUT) as response:
        paths = json.load(response)["paths"]
    routes = {}
    for path, item in paths.items():
        answer = item.get("get", {}).get("responses", {}).get("200", {}).get("$ref", "")
        kind, path = answer.rsplit("/", 1)[-1], SAMPLES.get(path, path)
        if kind in ("Html", "Document") and "{" not in path:   # no sample: /synthetic/…
            routes[path] = kind
    return routes


@pytest.fixture(scope="module")
def routes(live_server) -> dict[str, str]:
    found = _routes(live_server)
    assert {"/", "/timeline", "/quality", "/id/cnc", "/dataset"} <= set(found), found
    return found


def _acceptable(media_type: str, accept: str) -> bool:
    """Whether ``accept`` rates ``media_type`` above zero (the negotiation's own reading)."""
    try:
        return negotiate((Format("x", media_type),), accept).format.name == "x"
    except NotAcceptable:
        return False


@pytest.mark.parametrize("accept", ACCEPTS)
def test_every_document_route_sends_an_accepted_type(live_server, routes, accept):
    problems = []
    for path, kind in routes.items():
        status, headers, _ = http(live_server + path.lstrip("/"), accept=accept)
        offered = (HTML,) if kind == "Html" else DOCUMENT_FORMATS
        if not any(_acceptable(m, accept) for fmt in offered for m in fmt.media_types):
            if status != 406:
                problems.append(f"{path}: {status} {headers.get('Content-Type')}, wanted 406")
            continue
        sent = headers.get_content_type()
        if status != 200 or not _acceptable(sent, accept):
            problems.append(f"{path}: {status} {sent} for Accept {accept!r}")
        elif "accept" not in headers.get("Vary", "").lower():
            problems.append(f"{path}: no Vary: Accept")
    assert not problems, "\n".join(problems)


def test_a_browser_gets_pages_and_rdf_clients_get_rdf(live_server):
    browser = ACCEPTS[0]
    for path in ("/dataset", "/.well-known/void", "/id/cnc", "/ontology"):
        status, headers, _ = http(live_server + path.lstrip("/"), accept=browser)
        assert (status, headers.get_content_type()) == (200, "text/html"), path
        status, headers, _ = http(live_server + path.lstrip("/"), accept="text/turtle")
        assert (status, headers.get_content_type()) == (200, "text/turtle"), path
    # The VoID well-known address is for machines first: no Accept preference → Turtle.
    status, headers, _ = http(live_server + ".well-known/void", accept="*/*")
    assert headers.get_content_type() == "text/turtle"
