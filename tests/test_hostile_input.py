"""Hostile input: whatever the query text, parameters, headers or path, the server answers with
a status below 500, never a stack trace and never a split header; the explicit cases (oversized
body, deep nesting, invalid UTF-8, path traversal, header injection) each get a clear 4xx.

Property tests run against the application through Flask's test client (fast enough for
hypothesis), then a smaller sample and the explicit cases go over real HTTP to ``cnc-kg serve``.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import urllib.parse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.config import load_settings
from server.store.base import QuerySyntaxError
from server.store.guard import MAX_NESTING, check_query
from server.web.app import create_app

EXAMPLES = settings(max_examples=100, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])
ROUTES = ["/", "/sparql", "/search", "/api/search", "/id/cnc", "/id/cnc.ttl", "/list/",
          "/list/NetworkNode", "/timeline", "/network", "/dumps/", "/.well-known/void",
          "/sitemap.xml", "/ontology", "/changes.atom"]
PATH_PREFIXES = ["/id/", "/synthetic/", "/ontology/", "/shapes/", "/list/", "/dumps/",
                 "/ontology.", "/dataset/v", "/sitemap-", "/"]
PARAMETERS = ["query", "format", "lang", "q", "limit", "default-graph-uri", "named-graph-uri",
              "update", "type", "page", "since"]
# Numbers as clients may mistype them: Unicode digits pass str.isdigit, int() refuses 5,000 digits.
NOT_NUMBERS = ["²", "٣", "9" * 5000, "-1", "1.5", "", "0x1", " 1"]
TRACES = (b"Traceback", b'File "')
# Header values a client can send: no CR, LF or NUL (HTTP forbids them; tested raw below).
HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=80)
MEDIA = st.sampled_from(["text/html", "text/turtle", "application/sparql-results+json",
                         "application/ld+json", "*/*", "text/*", "application/*", "image/png",
                         "application/n-triples", "x/y", "", "*", "/"])
Q = st.one_of(st.sampled_from(["0", "1", "0.5", "0.000", "1.0", "abc", "-1", "2", "1e9", "nan",
                               ""]), HEADER_TEXT)
ACCEPT = st.lists(st.tuples(MEDIA, Q).map(lambda mq: f"{mq[0]};q={mq[1]}" if mq[1] else mq[0]),
                  max_size=4).map(", ".join)
LANGUAGE = st.lists(st.tuples(st.sampled_from(["fr", "en", "zh", "zh-Hans", "*", "de", "", "x"]),
                              Q).map(lambda lq: f"{lq[0]};q={lq[1]}"), max_size=4).map(", ".join)


@pytest.fixture(scope="module")
def client(built_root):
    app = create_app(load_settings(root=built_root))
    yield app.test_client()
    app.extensions["cnc_kg.store"].close()


def assert_clean(response) -> None:
    """Below 500, no stack trace in the body."""
    body = response.get_data()
    assert response.status_code < 500, body[:500]
    assert not any(trace in body for trace in TRACES), body[:500]


@EXAMPLES
@given(query=st.text(max_size=300))
def test_any_query_text(client, query):
    assert_clean(client.get("/sparql", query_string={"query": query}))
    assert_clean(client.post("/sparql", data=query.encode("utf-8"),
                             content_type="application/sparql-query"))


@EXAMPLES
@given(query=st.lists(st.sampled_from(["SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "{",
                                       "}", "(", ")", "?s", "?p", "<urn:x>", "FILTER", "OPTIONAL",
                                       "UNION", "COUNT(*)", "GROUP BY", "LIMIT", "1", ".", "*",
                                       '"x"@en', "a", "SERVICE", "INSERT", "PREFIX", "p:"]),
                   max_size=30).map(" ".join))
def test_query_shaped_text(client, query):
    assert_clean(client.get("/sparql", query_string={"query": query},
                            headers={"Accept": "application/sparql-results+json"}))


@EXAMPLES
@given(route=st.sampled_from(ROUTES),
       parameters=st.dictionaries(st.one_of(st.sampled_from(PARAMETERS), st.text(max_size=10)),
                                  st.text(max_size=60), max_size=4),
       accept=ACCEPT, language=LANGUAGE)
def test_any_parameters_and_headers(client, route, parameters, accept, language):
    response = client.get(route, query_string=parameters,
                          headers={"Accept": accept, "Accept-Language": language})
    assert_clean(response)
    for name, value in response.headers.items():
        assert "\r" not in value and "\n" not in value, (name, value)


@EXAMPLES
@given(prefix=st.sampled_from(PATH_PREFIXES), segment=st.text(max_size=60))
def test_any_path(client, prefix, segment):
    response = client.get(prefix + urllib.parse.quote(segment, safe=""))
    assert_clean(response)


@pytest.mark.parametrize("value", NOT_NUMBERS)
@pytest.mark.parametrize("template", ["/timeline?page={}", "/list/NetworkNode?page={}",
                                      "/changes.atom?since={}", "/dataset/v{}",
                                      "/sitemap-{}.xml"])
def test_malformed_numbers_are_4xx(client, template, value):
    response = client.get(template.format(urllib.parse.quote(value, safe="")))
    assert 400 <= response.status_code < 500, (response.status_code, response.get_data()[:300])
    assert not any(trace in response.get_data() for trace in TRACES)


@EXAMPLES
@given(route=st.sampled_from(["/id/cnc", "/sparql?query=ASK%7B%7D", "/.well-known/void",
                              "/ontology/Organisation"]),
       accept=st.one_of(ACCEPT, HEADER_TEXT), language=st.one_of(LANGUAGE, HEADER_TEXT),
       cookie=HEADER_TEXT)
def test_any_negotiation_headers(client, route, accept, language, cookie):
    assert_clean(client.get(route, headers={"Accept": accept, "Accept-Language": language,
                                            "Cookie": f"lang={cookie}"}))


# --- regressions for bugs found by these tests ------------------------------------------------

@pytest.mark.parametrize("query", [
    "SELECT * WHERE " + "{" * 5000 + "}" * 5000,
    "ASK { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
])
def test_deep_nesting_is_a_400_not_a_dead_worker(client, query):
    """pyoxigraph's parser overflowed the worker's stack: the answer was a 503 'worker died'."""
    response = client.post("/sparql", data=query, content_type="application/sparql-query")
    assert response.status_code == 400
    assert b"nests brackets more than" in response.get_data()
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200


def test_nesting_limit_allows_real_queries():
    deep_enough = "SELECT * WHERE " + "{" * MAX_NESTING + "}" * MAX_NESTING
    assert check_query(deep_enough).form == "select"
    with pytest.raises(QuerySyntaxError):
        check_query("SELECT * WHERE " + "{" * (MAX_NESTING + 1) + "}" * (MAX_NESTING + 1))
    # Brackets inside strings, IRIs and comments do not count.
    assert check_query('SELECT * WHERE { ?s ?p "' + "{" * 1000 + '" } # ' + "(" * 1000).form


@pytest.mark.parametrize(("raw", "body"), [
    (b"query=ASK%20%FF%7B%7D", "application/x-www-form-urlencoded"),
    (b"ASK \xff{}", "application/sparql-query"),
])
def test_invalid_utf8_body_is_a_400(client, raw, body):
    """Werkzeug turned the broken byte into U+FFFD, so the parser saw another query."""
    response = client.post("/sparql", data=raw, content_type=body)
    assert response.status_code == 400
    assert b"not valid UTF-8" in response.get_data()


# --- real HTTP ------------------------------------------------------------------------------

def raw_request(base: str, method: str, target: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, list[tuple[str, str]], bytes]:
    """Send ``target`` byte for byte (no client-side normalisation); (status, headers, body)."""
    parts = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        connection.putrequest(method, target, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        if body is not None:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


@settings(max_examples=30, deadline=None)
@given(prefix=st.sampled_from(PATH_PREFIXES), raw=st.binary(min_size=1, max_size=30))
def test_any_path_bytes_over_http(live_server, prefix, raw):
    status, _, body = raw_request(live_server, "GET", prefix + urllib.parse.quote(raw, safe=""))
    assert status < 500, body[:300]
    assert not any(trace in body for trace in TRACES)


@pytest.mark.parametrize("target", [
    "/id/%FF%FEcnc", "/sparql?query=ASK%20%7B%7D%FF", "/search?q=%C3%28",
])
def test_invalid_utf8_in_path_or_query_is_a_400(live_server, target):
    status, _, body = raw_request(live_server, "GET", target)
    assert status == 400, body[:300]
    assert b"not valid UTF-8" in body


@pytest.mark.parametrize("target", [
    "/dumps/../pyproject.toml", "/dumps/..%2Fpyproject.toml", "/dumps/%2e%2e%2fpyproject.toml",
    "/dumps/%2E%2E/%2E%2E/pyproject.toml", "/dumps/..%5cpyproject.toml",
    "/dumps/....//pyproject.toml", "/dumps/%252e%252e%252fpyproject.toml",
    "/dumps/../../../../etc/passwd", "/dumps/%2fetc%2fpasswd", "/dumps//etc/passwd",
    "/dumps/cnc-kg.ttl%00.txt", "/dumps/build.json", "/dumps/validation-report.json",
    "/static/../../pyproject.toml", "/static/..%2f..%2fpyproject.toml",
])
def test_path_traversal_never_serves_a_file(live_server, target):
    status, _, body = raw_request(live_server, "GET", target)
    assert status in (400, 404), (status, body[:300])
    assert b"[project]" not in body and b"root:" not in body and b'"sha256"' not in body


@pytest.mark.parametrize("target", [
    "/sparql?query=ASK%7B%7D&format=json%0D%0AX-Injected:%201",
    "/id/cnc%0D%0AX-Injected:%201",
    "/id/cnc?lang=en%0D%0ASet-Cookie:%20x=injected",
    "/search?q=x%0D%0AX-Injected:%201&lang=fr%0d%0aX-Injected:%201",
    "/api/search?q=%0D%0AX-Injected:%201",
    "/dumps/cnc-kg.ttl%0D%0AX-Injected:%201",
    "/list/x%0D%0AX-Injected:%201",
])
def test_header_injection_never_splits_headers(live_server, target):
    status, headers, body = raw_request(live_server, "GET", target)
    assert status < 500, body[:300]
    names = {name.lower() for name, _ in headers}
    assert "x-injected" not in names
    assert not any("injected" in value for name, value in headers if name.lower() == "set-cookie")


def _post_status(base: str, body: bytes, content_type: str) -> bytes:
    """The status line of a POST of ``body``; the server may answer (and stop reading) before
    the whole body is sent, so a broken pipe while sending is no failure."""
    parts = urllib.parse.urlsplit(base)
    with socket.create_connection((parts.hostname, parts.port), timeout=60) as sock:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                         + content_type.encode() + b"\r\nContent-Length: "
                         + str(len(body)).encode() + b"\r\n\r\n" + body)
        return sock.recv(4096).split(b"\r\n", 1)[0]


def test_oversized_bodies_are_413(live_server):
    big = b"ASK { " + b"#" * (1 << 20) + b" }"
    assert _post_status(live_server, big, "application/sparql-query") == \
        b"HTTP/1.1 413 Payload Too Large"
    form = b"query=" + b"A" * (300 * 1024)
    assert _post_status(live_server, form, "application/x-www-form-urlencoded") == \
        b"HTTP/1.1 413 Payload Too Large"
    long_get = "/sparql?query=" + "A" * (70 * 1024)
    status, _, body = raw_request(live_server, "GET", long_get)
    assert status == 414 and b"POST" in body      # over the request line limit


def test_deep_nesting_over_http_then_server_still_answers(live_server):
    query = ("SELECT * WHERE " + "{" * 5000 + "}" * 5000).encode()
    status, _, body = raw_request(live_server, "POST", "/sparql", query,
                                  {"Content-Type": "application/sparql-query"})
    assert status == 400 and b"nests brackets" in body
    status, _, body = raw_request(live_server, "GET", "/sparql?query=ASK%7B%7D",
                                  headers={"Accept": "application/sparql-results+json"})
    assert status == 200 and b"true" in body
