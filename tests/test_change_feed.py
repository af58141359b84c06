"""The change feed after two real builds: Atom (RFC 4287), JSON, per-version dumps, DCAT links.

A copy of the project is built twice with the ``cnc-kg`` console script, one entity removed, one
added and one edited in between, then served by a real ``cnc-kg serve``.
"""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from http_calls import http
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF

REPO = Path(__file__).resolve().parent.parent
CNC_KG = str(Path(sys.executable).parent / "cnc-kg")
QUICK = ("--no-reasoner", "--no-shapes-check")
ATOM = "{http://www.w3.org/2005/Atom}"
XHTML = "{http://www.w3.org/1999/xhtml}"
KG = "https://w3id.org/cnc-kg/id/"
DATASET = URIRef("https://w3id.org/cnc-kg/dataset")
# DCAT 3 versioning terms (rdflib's DCAT namespace is DCAT 2 and warns on them).
VERSION, PREVIOUS, CURRENT = (URIRef(str(DCAT) + term) for term in
                              ("version", "previousVersion", "hasCurrentVersion"))
PARIS_WIKIDATA = "    cnc:wikidata <http://www.wikidata.org/entity/Q90> ;\n"
TEST_CITY = """@prefix cnc: <https://w3id.org/cnc-kg/ontology/> .
@prefix kg: <https://w3id.org/cnc-kg/id/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
# Test data only: a made-up city, cited to an existing source so the shapes accept it.
kg:{slug} a cnc:City ;
    rdfs:label "{slug}"@fr , "{slug}"@en ;
    cnc:country kg:france ;
    dcterms:source kg:cnc-presentation-2025 .
"""


def build(root: Path) -> subprocess.CompletedProcess:
    """``cnc-kg --root ROOT build`` with the real console script (reasoner not under test)."""
    return subprocess.run([CNC_KG, "--root", str(root), "build", *QUICK], capture_output=True,
                          text=True, timeout=300)


def get(url: str, accept: str | None = None) -> bytes:
    """The body of a 200 answer."""
    status, _, body = http(url, accept=accept)
    assert status == 200, (url, status)
    return body


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory, server_starter):
    """(root, base URL, v1 graph): a project built twice, served."""
    root = tmp_path_factory.mktemp("changes")
    for name in ("ontology", "shapes", "data", "queries"):
        shutil.copytree(REPO / name, root / name)
    (root / "data" / "zz-test-gone.ttl").write_text(TEST_CITY.format(slug="test-gone"), "utf-8")
    first = build(root)
    assert first.returncode == 0, first.stdout + first.stderr
    v1 = Graph().parse(root / "dist" / "cnc-kg.nt", format="nt")

    (root / "data" / "zz-test-gone.ttl").unlink()
    (root / "data" / "zz-test-new.ttl").write_text(TEST_CITY.format(slug="test-new"), "utf-8")
    places = root / "data" / "places.ttl"
    text = places.read_text("utf-8")
    assert PARIS_WIKIDATA in text
    places.write_text(text.replace(PARIS_WIKIDATA, ""), "utf-8")
    second = build(root)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "version 2" in second.stdout
    with server_starter(root) as base:
        yield root, base, v1


def _list(entry: ET.Element, kind: str) -> list[str]:
    listing = entry.find(f"{ATOM}content/{XHTML}div/{XHTML}ul[@class='{kind}']")
    assert listing is not None, kind
    return [a.get("href") for a in listing.iter(f"{XHTML}a")]


def _feed(base: str, query: str = "") -> ET.Element:
    feed = ET.fromstring(get(base + "changes.atom" + query))
    assert feed.tag == f"{ATOM}feed"
    # RFC 4287 §4.1.1: atom:id, atom:title, atom:updated, an author, a self link.
    for required in ("id", "title", "updated", "author/name"):
        assert (feed.findtext(f"{ATOM}" + required.replace("/", f"/{ATOM}")) or "").strip()
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == base + "changes.atom"
    return feed


def test_feed_lists_exactly_what_version_2_changed(history):
    _, base, _ = history
    entries = _feed(base).findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Version 2", "Version 1"]
    for entry in entries:  # RFC 4287 §4.1.2: id, title, updated on every entry
        assert entry.findtext(f"{ATOM}id") and entry.findtext(f"{ATOM}updated")
    assert len({e.findtext(f"{ATOM}id") for e in entries}) == 2
    newest = entries[0]
    assert _list(newest, "added") == [KG + "test-new"]
    assert _list(newest, "changed") == [KG + "paris"]
    assert _list(newest, "removed") == [KG + "test-gone"]
    assert KG + "test-gone" in _list(entries[1], "added")


def test_json_twin_and_since(history):
    _, base, _ = history
    versions = json.loads(get(base + "changes.json"))["versions"]
    assert [v["number"] for v in versions] == [2, 1]
    assert (versions[0]["added"], versions[0]["changed"], versions[0]["removed"]) == (
        [KG + "test-new"], [KG + "paris"], [KG + "test-gone"])
    later = json.loads(get(base + "changes.json?since=1"))["versions"]
    assert [v["number"] for v in later] == [2]
    assert _feed(base, "?since=1").findall(f"{ATOM}entry")[0].findtext(f"{ATOM}title") == \
        "Version 2"


def test_per_version_dumps_gunzip_to_each_versions_graph(history):
    root, base, v1 = history
    entries = _feed(base).findall(f"{ATOM}entry")
    dumps = [e.find(f"{ATOM}link[@rel='enclosure']").get("href") for e in entries]
    assert dumps == [base + "dumps/versions/v2.nt.gz", base + "dumps/versions/v1.nt.gz"]
    newest = Graph().parse(data=gzip.decompress(get(dumps[0])).decode("utf-8"), format="nt")
    oldest = Graph().parse(data=gzip.decompress(get(dumps[1])).decode("utf-8"), format="nt")
    assert isomorphic(newest, Graph().parse(root / "dist" / "cnc-kg.nt", format="nt"))
    assert isomorphic(oldest, v1)
    assert (URIRef(KG + "test-gone"), None, None) in oldest
    assert (URIRef(KG + "test-gone"), None, None) not in newest


def test_dcat_description_links_the_versions(history):
    _, base, _ = history
    # The dataset's IRI answers a page to a client naming no type, as entity IRIs do.
    graph = Graph().parse(data=get(base + "dataset", "text/turtle"), format="turtle")
    v1, v2 = URIRef(str(DATASET) + "/v1"), URIRef(str(DATASET) + "/v2")
    assert graph.value(DATASET, VERSION) == Literal("2")
    assert graph.value(DATASET, PREVIOUS) == v1
    assert graph.value(DATASET, CURRENT) == v2
    assert graph.value(DATASET, DCTERMS.modified) is not None
    assert graph.value(v2, PREVIOUS) == v1
    for number, version in ((1, v1), (2, v2)):
        assert (version, RDF.type, DCAT.Dataset) in graph
        assert (version, DCTERMS.isVersionOf, DATASET) in graph
        url = graph.value(graph.value(version, DCAT.distribution), DCAT.downloadURL)
        assert str(url) == f"{base}dumps/versions/v{number}.nt.gz"
        assert gzip.decompress(get(str(url)))
    # Each version IRI resolves on the server to its own description.
    alone = Graph().parse(data=get(base + "dataset/v1"), format="turtle")
    assert (v1, VERSION, Literal("1")) in alone


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.alternates: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "link" and dict(attrs).get("rel") == "alternate":
            self.alternates.append(dict(attrs))


@pytest.mark.parametrize("path", ["", "dumps/"])
def test_home_and_dumps_pages_announce_the_feed(history, path):
    _, base, _ = history
    parser = _Links()
    parser.feed(get(base + path).decode("utf-8"))
    assert {"type": "application/atom+xml", "href": "/changes.atom"}.items() <= next(
        (a for a in parser.alternates if a.get("type") == "application/atom+xml"), {}).items()


def test_unknown_version_dump_is_404(history):
    _, base, _ = history
    for path in ("dumps/versions/v3.nt.gz", "dumps/versions/index.json", "dataset/v9"):
        assert http(base + path).status == 404, path


def test_invalid_build_leaves_the_history_unchanged(history):
    root, base, _ = history
    before, feed_before = snapshot(root / "dist"), get(base + "changes.json")
    shutil.copy(REPO / "tests" / "broken" / "no-source" / "organisations.ttl",
                root / "data" / "zz-broken.ttl")
    try:
        refused = build(root)
    finally:
        (root / "data" / "zz-broken.ttl").unlink()
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert snapshot(root / "dist") == before
    assert get(base + "changes.json") == feed_before
