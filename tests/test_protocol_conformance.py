"""The corners of the protocols that clients and harvesters rely on, on a real server.

- SPARQL 1.1 Protocol, as the W3C protocol tests check it
  (https://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/): relative IRIs resolve
  against the base (``query_content_type_construct``), one ``query`` per request
  (``bad_multiple_queries``), and a query sent as an update is refused with words that say so.
- Dumps (RFC 9110 §14): byte ranges (206, 416, ``Accept-Ranges``, ``If-Range``); the gzipped
  N-Triples dump as a file for downloaders and as N-Triples for RDF clients.
- The sitemap lists what it says: HTML pages, and entity pages that also answer RDF.
"""

from __future__ import annotations

import gzip
import json
import urllib.parse
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from http_calls import http
from rdflib import Graph, Literal, URIRef

from server.config import BASE_IRI

DUMPS = ("cnc-kg.ttl", "cnc-kg.nt.gz", "cnc-kg.jsonld", "context.jsonld")
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(scope="module")
def endpoint(live_server: str) -> str:
    return live_server + "sparql"


def query_url(endpoint: str, *queries: str) -> str:
    return endpoint + "?" + urllib.parse.urlencode([("query", q) for q in queries])


# --- SPARQL 1.1 Protocol ----------------------------------------------------------------------

def test_query_content_type_construct_with_relative_iris(endpoint):
    """W3C protocol test query_content_type_construct: a 2xx RDF answer."""
    status, headers, body = http(query_url(endpoint, "CONSTRUCT { <s> <p> 1 } WHERE {}"),
                                 headers={"Accept": "application/rdf+xml, text/turtle"})
    assert status == 200
    media_type = headers["Content-Type"].split(";")[0]
    assert media_type in ("application/rdf+xml", "text/turtle")
    graph = Graph().parse(data=body.decode("utf-8"),
                          format="xml" if media_type == "application/rdf+xml" else "turtle")
    assert set(graph) == {(URIRef(BASE_IRI + "s"), URIRef(BASE_IRI + "p"), Literal(1))}


def test_relative_iris_name_our_entities(endpoint):
    status, _, body = http(query_url(endpoint, "ASK { <id/cnc> ?p ?o }"),
                           headers={"Accept": "application/sparql-results+json"})
    assert status == 200 and json.loads(body)["boolean"] is True


@pytest.mark.parametrize("how", ["get", "form", "form-and-url", "body-and-url"])
def test_bad_multiple_queries(endpoint, how):
    """W3C protocol test bad_multiple_queries: two queries in one request are a 400, not the
    first one answered."""
    ask, select = "ASK {}", "SELECT * {}"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    if how == "get":
        status, _, body = http(query_url(endpoint, ask, select))
    elif how == "form":
        status, _, body = http(endpoint, method="POST", headers=form, data=urllib.parse.urlencode(
            [("query", ask), ("query", select)]).encode())
    elif how == "form-and-url":
        status, _, body = http(query_url(endpoint, select), method="POST", headers=form,
                               data=urllib.parse.urlencode({"query": ask}).encode())
    else:
        status, _, body = http(query_url(endpoint, select), method="POST", data=ask.encode(),
                               headers={"Content-Type": "application/sparql-query"})
    assert status == 400, body
    assert b"query" in body


def test_one_query_still_answered_every_way(endpoint):
    form = {"Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/sparql-results+json"}
    assert http(query_url(endpoint, "ASK {}"))[0] == 200
    assert http(endpoint, method="POST", headers=form,
                data=urllib.parse.urlencode({"query": "ASK {}"}).encode())[0] == 200


def test_query_sent_as_update_is_refused_with_the_reason(endpoint):
    """What SPARQLWrapper 2.0 does with a query whose comment holds "address": a 403 that
    names the cause and the way out."""
    query = "# contact address\nSELECT * WHERE { ?s ?p ?o } LIMIT 1"
    status, _, body = http(endpoint, method="POST",
                           headers={"Content-Type": "application/x-www-form-urlencoded"},
                           data=urllib.parse.urlencode({"update": query}).encode())
    assert status == 403
    assert b"read-only" in body and b"SELECT" in body and b"docs/clients.md" in body
    status, _, body = http(endpoint, method="POST",
                           headers={"Content-Type": "application/x-www-form-urlencoded"},
                           data=urllib.parse.urlencode({"update": "DROP ALL"}).encode())
    assert status == 403 and b"docs/clients.md" not in body


# --- dumps: byte ranges -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def dumps(live_server: str) -> dict[str, tuple[dict[str, str], bytes]]:
    """Every dump as a downloader gets it (no Accept, no Accept-Encoding)."""
    found = {}
    for name in DUMPS:
        status, headers, body = http(live_server + "dumps/" + name)
        assert status == 200, name
        found[name] = headers, body
    return found


@pytest.mark.parametrize("name", DUMPS)
def test_dump_ranges(live_server, dumps, name):
    url = live_server + "dumps/" + name
    headers, whole = dumps[name]
    size = len(whole)
    assert headers["Accept-Ranges"] == "bytes"
    for asked, start, end in (("bytes=0-99", 0, 100), (f"bytes={size - 10}-", size - 10, size),
                              ("bytes=-25", size - 25, size),
                              (f"bytes=5-{size + 1000}", 5, size)):
        status, got, part = http(url, headers={"Range": asked})
        assert status == 206, asked
        assert part == whole[start:end], asked
        assert got["Content-Range"] == f"bytes {start}-{end - 1}/{size}"
        assert int(got["Content-Length"]) == end - start
    status, got, _ = http(url, headers={"Range": f"bytes={size}-"})
    assert status == 416 and got["Content-Range"] == f"bytes */{size}"


@pytest.mark.parametrize("name", DUMPS)
def test_resumed_download_is_the_whole_file(live_server, dumps, name):
    url = live_server + "dumps/" + name
    headers, whole = dumps[name]
    third = len(whole) // 3
    parts = [http(url, headers={"Range": f"bytes={start}-{end}", "If-Range": headers["ETag"]})
             for start, end in ((0, third - 1), (third, 2 * third - 1), (2 * third, ""))]
    assert [status for status, _, _ in parts] == [206, 206, 206]
    assert b"".join(body for _, _, body in parts) == whole


def test_ranges_the_server_ignores(live_server, dumps):
    """Several ranges, another unit, a stale If-Range, or a fresh If-None-Match: the whole
    representation (or 304), never a wrong part."""
    url = live_server + "dumps/cnc-kg.ttl"
    headers, whole = dumps["cnc-kg.ttl"]
    for extra in ({"Range": "bytes=0-5,10-20"}, {"Range": "items=0-5"},
                  {"Range": "bytes=0-5", "If-Range": '"some-other-version"'}):
        status, _, body = http(url, headers=extra)
        assert (status, body) == (200, whole), extra
    status, _, body = http(url, headers={"Range": "bytes=0-5", "If-None-Match": headers["ETag"]})
    assert status == 304 and body == b""


# --- dumps: the gzipped N-Triples for downloaders and for RDF clients ---------------------------

def test_ntriples_dump_is_a_gzip_file_for_downloaders(live_server, dumps, dump_path: Path):
    headers, body = dumps["cnc-kg.nt.gz"]
    assert headers["Content-Type"] == "application/gzip"
    assert "Content-Encoding" not in headers
    assert 'filename="cnc-kg.nt.gz"' in headers["Content-Disposition"]
    assert gzip.decompress(body) == dump_path.read_bytes()
    for accept in ("*/*", "text/html,application/xhtml+xml,*/*;q=0.8", "application/gzip"):
        status, got, same = http(live_server + "dumps/cnc-kg.nt.gz",
                                 headers={"Accept": accept, "Accept-Encoding": "gzip"})
        assert (status, got["Content-Type"], same) == (200, "application/gzip", body), accept


def test_ntriples_dump_is_ntriples_for_rdf_clients(live_server, dumps, dump_path: Path):
    url = live_server + "dumps/cnc-kg.nt.gz"
    rdf_client = "application/n-quads,application/n-triples;q=0.8,text/turtle;q=0.6"
    status, headers, body = http(url, headers={"Accept": rdf_client,
                                               "Accept-Encoding": "br,gzip,deflate"})
    assert status == 200
    assert headers["Content-Type"].startswith("application/n-triples")
    assert headers["Content-Encoding"] == "gzip"
    assert {v.strip() for v in headers["Vary"].split(",")} >= {"Accept", "Accept-Encoding"}
    assert gzip.decompress(body) == dump_path.read_bytes()
    assert headers["ETag"] != dumps["cnc-kg.nt.gz"][0]["ETag"]     # another representation
    status, headers, plain = http(url, headers={"Accept": "application/n-triples"})
    assert status == 200 and "Content-Encoding" not in headers
    assert headers["Content-Type"].startswith("application/n-triples")
    assert plain == dump_path.read_bytes()
    status, _, part = http(url, headers={"Accept": "application/n-triples", "Range": "bytes=0-9"})
    assert (status, part) == (206, plain[:10])


# --- sitemap --------------------------------------------------------------------------------------

def test_sitemap_lists_html_pages_and_entity_pages_with_rdf(live_server):
    status, _, body = http(live_server + "sitemap.xml")
    assert status == 200
    urls = [loc.text for loc in ET.fromstring(body).iter(SITEMAP + "loc")]
    assert urls and all(url.startswith(live_server) for url in urls)
    entities = [url for url in urls if url.startswith((live_server + "id/",
                                                       live_server + "synthetic/"))]
    pages = [url for url in urls if url not in entities]
    assert entities and pages
    for url in pages:
        status, headers, _ = http(url, headers={"Accept": "text/html"})
        assert status == 200 and headers["Content-Type"].startswith("text/html"), url
    for url in entities:
        status, headers, _ = http(url, headers={"Accept": "text/turtle"})
        assert status == 200 and headers["Content-Type"].startswith("text/turtle"), url
