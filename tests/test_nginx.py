"""The production setup of docs/operating.md, tested: Debian's nginx with ``deploy/nginx.conf``
in front of a real ``cnc-kg serve``, both on loopback.

Through nginx: pages and documents are cached (``X-Cache-Status: HIT``) without ever mixing the
variants the server's ``Vary`` separates (the HTML and the Turtle of /id/cnc, French and Chinese
pages); conditional requests get ``304``; answers are gzipped; the SPARQL endpoint is passed
through uncached, with long GET queries and the server's own time limit (its ``503``, not
nginx's ``504``); and a rebuild shows through the cache. No timing is asserted: waits are loops
with a patience, as in the other live tests.
"""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
from http_calls import http
from nginx_proxy import nginx_executable, nginx_in_front, render
from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from server.config import DATA_NS

pytestmark = pytest.mark.nginx

CNC_KG = str(Path(sys.executable).parent / "cnc-kg")
REPO = Path(__file__).resolve().parent.parent
QUERY_TIMEOUT = "2"             # seconds, for this test's own server
PATIENCE = 60.0                 # seconds a rebuild may take to show through nginx
PROBE = "nginx reload probe"
CNC = URIRef(DATA_NS + "cnc")
# X-Cache-Status of an answer nginx took from a cached copy.
FROM_CACHE = {"HIT", "STALE", "UPDATING", "REVALIDATED"}
# Four-way cross product of the whole graph: far beyond any limit.
EXPLOSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


class Answer:
    """One response: status, headers, the body as sent (``raw``) and decompressed if gzipped."""

    def __init__(self, status: int, headers, raw: bytes):
        self.status, self.headers, self.raw = status, headers, raw
        self.body = gzip.decompress(raw) if headers.get("Content-Encoding") == "gzip" else raw

    @property
    def cache(self) -> str:
        return self.headers.get("X-Cache-Status", "")


def fetch(url: str, headers: dict[str, str] | None = None, data: bytes | None = None) -> Answer:
    """A request through nginx (or straight to the server), 4xx/5xx returned."""
    return Answer(*http(url, headers=headers, data=data, timeout=120))


def vary(answer: Answer) -> set[str]:
    """The header names of every ``Vary`` line (nginx's gzip adds one of its own)."""
    return {name.strip() for line in answer.headers.get_all("Vary", [])
            for name in line.split(",")}


def until_cached(url: str, headers: dict[str, str]) -> Answer:
    """Ask until nginx answers from its cache (the first asks fill it)."""
    for _ in range(20):
        answer = fetch(url, headers)
        if answer.cache == "HIT":
            return answer
    raise AssertionError(f"{url} {headers}: never served from the cache (last: {answer.cache!r})")


@pytest.fixture(scope="module")
def project(built_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A built copy of the project that this module rebuilds."""
    root = tmp_path_factory.mktemp("nginx-project")
    for name in ("ontology", "shapes", "data", "queries", "dist"):
        shutil.copytree(built_root / name, root / name)
    return root


@pytest.fixture(scope="module")
def served(project: Path, server_starter, port_picker):
    """(nginx's base URL, the server's base URL)."""
    if nginx_executable() is None:
        pytest.fail("nginx is missing: `make test` installs Debian's nginx (apt-get install "
                    "nginx)", pytrace=False)
    port = port_picker()
    # Behind a proxy the server is told its public address: it never trusts the Host header.
    env = {"CNC_KG_RELOAD_CHECK": "0.2", "CNC_KG_QUERY_TIMEOUT": QUERY_TIMEOUT,
           "CNC_KG_PUBLIC_URL": f"http://127.0.0.1:{port}/"}
    with server_starter(project, env=env) as direct:
        upstream = urllib.parse.urlsplit(direct).netloc
        with nginx_in_front(upstream, port) as proxied:
            yield proxied, direct


def test_the_template_renders_completely():
    text = render((REPO / "deploy" / "nginx.conf").read_text(encoding="utf-8"), "80",
                  "127.0.0.1:8000", Path("/var/cache/nginx/cnc-kg"), "kg.example.org")
    assert "proxy_cache_path /var/cache/nginx/cnc-kg " in text
    with pytest.raises(ValueError):
        render("listen @LISTEN@; server @OTHER@;", "80", "x", Path("c"))


def test_pages_are_served_and_cached(served):
    proxied, direct = served
    html = {"Accept": "text/html", "Accept-Language": "en"}
    for path, headers in (("", html), ("list/", html), ("timeline", html), ("id/cnc", html),
                          ("ontology/NetworkNode", html), ("id/cnc.ttl", {})):
        answer = until_cached(proxied + path, headers)
        assert answer.status == 200
        assert answer.body == fetch(direct + path, headers).body
    # Links the server writes name the address the client used (nginx passes the Host on).
    sitemap = until_cached(proxied + "sitemap.xml", {})
    assert f"<loc>{proxied}id/cnc</loc>".encode() in sitemap.body
    void = until_cached(proxied + ".well-known/void", {"Accept": "text/turtle"})
    assert f"<{proxied}sparql>".encode() in void.body


def test_html_and_turtle_of_one_iri_never_mix(served):
    proxied, _ = served
    url = proxied + "id/cnc"
    html = {"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8", "Accept-Language": "en"}
    turtle = {"Accept": "text/turtle"}
    until_cached(url, html)
    until_cached(url, turtle)
    for _ in range(5):                   # both variants are cached now: alternate between them
        page = fetch(url, html)
        assert page.status == 200 and page.headers.get_content_type() == "text/html"
        assert page.body.lstrip().lower().startswith(b"<!doctype html")
        document = fetch(url, turtle)
        assert document.status == 200 and document.headers.get_content_type() == "text/turtle"
        assert (CNC, None, None) in Graph().parse(data=document.body, format="turtle")
        assert "Accept" in vary(document) and "Accept-Language" in vary(page)
        # Both from a cached copy (fresh, or stale while nginx updates it in the background):
        # one variant never pushes the other out.
        assert {page.cache, document.cache} <= FROM_CACHE, (page.cache, document.cache)


def test_languages_never_mix(served):
    proxied, _ = served
    url = proxied + "id/cnc"
    for _ in range(2):
        for accept_language, cookie, expected in (("fr", "", "fr"), ("zh", "", "zh"),
                                                  ("fr", "lang=zh", "zh"), ("en", "", "en")):
            headers = {"Accept": "text/html", "Accept-Language": accept_language}
            if cookie:
                headers["Cookie"] = cookie
            answer = fetch(url, headers)
            assert answer.status == 200 and answer.headers["Content-Language"] == expected


def test_conditional_requests_get_304(served):
    proxied, _ = served
    headers = {"Accept": "text/turtle"}
    answer = until_cached(proxied + "id/cnc", headers)
    etag = answer.headers["ETag"]
    assert etag
    again = fetch(proxied + "id/cnc", {**headers, "If-None-Match": etag})
    assert again.status == 304 and again.raw == b""
    other = fetch(proxied + "id/cnc", {**headers, "If-None-Match": '"not-this-one"'})
    assert other.status == 200


def test_answers_are_gzipped(served):
    proxied, _ = served
    # A page: gzipped by the server for clients that accept it, and cached that way.
    plain = until_cached(proxied + "id/cnc", {"Accept": "text/html"})
    zipped = until_cached(proxied + "id/cnc", {"Accept": "text/html", "Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip" and zipped.body == plain.body
    # SPARQL results: gzipped on the way (by the server, or by nginx for what comes as is).
    query = urllib.parse.urlencode({"query": "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 200"})
    results = fetch(proxied + "sparql?" + query, {"Accept": "application/sparql-results+json",
                                                 "Accept-Encoding": "gzip"})
    assert results.status == 200 and results.headers["Content-Encoding"] == "gzip"
    assert len(json.loads(results.body)["results"]["bindings"]) == 200


def test_the_endpoint_is_passed_through_uncached(served):
    proxied, _ = served
    accept = {"Accept": "application/sparql-results+json"}
    ask = urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})
    for _ in range(3):
        answer = fetch(proxied + "sparql?" + ask, accept)
        assert answer.status == 200 and json.loads(answer.body)["boolean"] is True
        assert answer.cache == ""
    posted = fetch(proxied + "sparql", {**accept,
                                        "Content-Type": "application/x-www-form-urlencoded"},
                   data=ask.encode())
    assert posted.status == 200 and json.loads(posted.body)["boolean"] is True
    # A long query (40 KiB of comment, within max_query_bytes) goes through in a POST body; as
    # a GET its request line is over the server's limit: 414, saying to POST it.
    long_query = "# " + "x" * 40_000 + "\nASK { ?s ?p ?o }"
    long = fetch(proxied + "sparql", {**accept, "Content-Type": "application/sparql-query"},
                 data=long_query.encode())
    assert long.status == 200, long.body[:300]
    long_get = fetch(proxied + "sparql?" + urllib.parse.urlencode({"query": long_query}), accept)
    assert long_get.status == 414 and b"POST" in long_get.body
    refused = fetch(proxied + "sparql", {**accept, "Content-Type": "application/sparql-update"},
                    data=b"DROP ALL")
    assert refused.status == 403


def test_the_servers_time_limit_answers(served):
    proxied, _ = served
    url = proxied + "sparql?" + urllib.parse.urlencode({"query": EXPLOSIVE})
    answer = fetch(url, {"Accept": "application/sparql-results+json"})
    assert answer.status == 503, answer.body[:300]
    assert b"time limit" in answer.body and answer.headers["Retry-After"]


def probe_in(graph_bytes: bytes) -> bool:
    graph = Graph().parse(data=graph_bytes, format="turtle")
    return any(str(name) == PROBE for name in graph.objects(CNC, SKOS.altLabel))


def test_a_rebuild_shows_through_the_cache(served, project):
    proxied, _ = served
    turtle, html = {"Accept": "text/turtle"}, {"Accept": "text/html", "Accept-Language": "en"}
    assert not probe_in(until_cached(proxied + "id/cnc", turtle).body)
    until_cached(proxied + "id/cnc", html)
    with (project / "data" / "cnc.ttl").open("a", encoding="utf-8") as data:
        data.write(f'\nkg:cnc skos:altLabel "{PROBE}"@en .\n')
    done = subprocess.run([CNC_KG, "--root", str(project), "build", "--no-reasoner",
                           "--no-shapes-check"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    started = time.monotonic()
    while not (probe_in(fetch(proxied + "id/cnc", turtle).body)
               and PROBE.encode() in fetch(proxied + "id/cnc", html).body):
        assert time.monotonic() - started < PATIENCE, "the new build never showed through nginx"
        time.sleep(0.5)
    # ...and is cached in its turn.
    assert probe_in(until_cached(proxied + "id/cnc", turtle).body)
