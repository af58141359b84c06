"""No script from data, server side (issue 15): every HTML answer carries a
Content-Security-Policy that allows scripts and styles from this origin only, and pages link
only to http(s) IRIs (a ``javascript:`` IRI of the data is shown as text).

The browser side — the policy enforced, the query page's links — is in
``test_browser_security.py``.
"""

from __future__ import annotations

import pytest
from http_calls import http

from server.config import load_settings
from server.services import i18n
from server.services.entity import Value
from server.services.iris import href, web_link
from server.web.app import create_app
from server.web.security_headers import CONTENT_SECURITY_POLICY, SVG_POLICY

HTML_PAGES = ["", "sparql", "sparql?query=ASK%7B%7D", "search?q=CNC", "id/cnc", "list/",
              "timeline", "network", "dumps/", "ontology", "quality", "id/no-such-entity"]
NOT_HTML = [("sparql?query=ASK%7B%7D", "application/sparql-results+json"),
            ("id/cnc", "text/turtle"), ("api/search?q=CNC", "application/json"),
            ("static/sparql/query.js", "*/*")]
SCRIPTS = ["javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)",
           "java\tscript:alert(1)", "data:text/html,x", "vbscript:x", "https://x/a b",
           "//evil.example/", "urn:isbn:1", "mailto:a@b.c", "http:\n//x"]
WEB = ["http://example.org/", "HTTPS://example.org/a?b#c", "https://w3id.org/cnc-kg/id/cnc"]


@pytest.mark.parametrize("path", HTML_PAGES)
def test_html_answers_carry_the_policy(live_server, path):
    status, headers, _ = http(live_server + path, accept="text/html")
    assert status in (200, 404)
    assert headers["Content-Type"].startswith("text/html")
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_policy_allows_only_this_origin():
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY
    assert directives["object-src"] == "'none'" and directives["base-uri"] == "'none'"


def test_standalone_svg_runs_no_script(live_server):
    status, headers, _ = http(live_server + "network.svg", accept="image/svg+xml")
    assert status == 200
    assert headers["Content-Security-Policy"] == SVG_POLICY
    assert "script" not in SVG_POLICY and "default-src 'none'" in SVG_POLICY


@pytest.mark.parametrize(("path", "accept"), NOT_HTML)
def test_other_answers_are_never_sniffed(live_server, path, accept):
    status, headers, _ = http(live_server + path, accept=accept)
    assert status == 200
    assert "Content-Security-Policy" not in headers
    assert headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("iri", SCRIPTS)
def test_only_web_iris_are_link_targets(iri):
    assert web_link(iri) is None
    assert href(iri) is None


@pytest.mark.parametrize("iri", WEB)
def test_web_iris_stay_links(iri):
    assert web_link(iri) == iri
    assert href(iri) in (iri, "/id/cnc")


@pytest.fixture(scope="module")
def app(built_root):
    app = create_app(load_settings(root=built_root))
    yield app
    app.extensions["cnc_kg.store"].close()


@pytest.mark.parametrize("iri", SCRIPTS[:3] + WEB[:1])
def test_page_macros_link_web_iris_only(app, iri):
    """The macros every page uses to show an IRI or a value."""
    with app.test_request_context():
        macros = app.jinja_env.get_template("pages/macros.html").make_module(
            {"href": lambda target: href(str(target)),
             "language_badge": lambda tag: i18n.language_badge(tag, "en")})
        shown = str(macros.iri_link(iri, Value("label"))) + str(
            macros.value(Value("label", href=web_link(iri))))
    if web_link(iri):
        assert shown.count(f'href="{iri}"') == 2
    else:
        assert "<a" not in shown and "label" in shown
