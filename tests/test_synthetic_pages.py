"""Pages of a synthetic project (``cnc-kg generate``) served by the real server: entity pages
under /synthetic/, class lists and timeline cut in pages, the network picture capped, and
cached pages renewed by a new build."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from http_calls import Answer, http
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from server.config import SYNTHETIC_NS

CNC_KG = str(Path(sys.executable).parent / "cnc-kg")
FOLDERS = ("ontology", "shapes", "data", "queries")
NODE = "node-0"                      # every generated project has it
PATIENCE = 60.0                      # seconds a rebuilt graph may take to be served


def _build(root: Path) -> None:
    done = subprocess.run([CNC_KG, "--root", str(root), "build", "--no-reasoner",
                           "--no-shapes-check"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr


def _copy_and_build(source: Path, target: Path) -> Path:
    for name in FOLDERS:
        shutil.copytree(source / name, target / name)
    _build(target)
    return target


def get(url: str, accept: str = "text/html") -> Answer:
    """A page (or, with ``accept``, a document) of this slower, larger project."""
    return http(url, accept=accept, timeout=120)


@pytest.fixture(scope="module")
def synthetic_root(synthetic_10k: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A built copy of the 10k-triple synthetic project."""
    return _copy_and_build(synthetic_10k, tmp_path_factory.mktemp("synthetic-built"))


@pytest.fixture(scope="module")
def synthetic_server(synthetic_root: Path, server_starter):
    with server_starter(synthetic_root) as base:
        yield base


def test_synthetic_entity_page_and_documents(synthetic_server):
    answer = get(synthetic_server + f"synthetic/{NODE}?lang=en")
    assert answer.status == 200 and answer.headers["Content-Type"].startswith("text/html")
    assert "Synthetic node 0" in answer.text
    iri = URIRef(SYNTHETIC_NS + NODE)
    for suffix in ("ttl", "nt", "jsonld", "rdf"):
        status, _, body = get(synthetic_server + f"synthetic/{NODE}.{suffix}", "*/*")
        assert status == 200, suffix
        triples = ox.parse(body, format=ox.RdfFormat.from_extension(suffix))
        assert any(t.subject.value == str(iri) and t.predicate.value == str(RDFS.label)
                   for t in triples), suffix
    status, headers, body = get(synthetic_server + f"synthetic/{NODE}", "text/turtle")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    assert "Accept" in headers["Vary"]
    assert headers["Content-Location"] == f"/synthetic/{NODE}.ttl"
    assert (iri, RDFS.label, None) in Graph().parse(data=body, format="turtle")


def test_unknown_synthetic_name_is_404(synthetic_server):
    status, headers, _ = get(synthetic_server + "synthetic/no-such-thing")
    assert status == 404 and headers["Content-Type"].startswith("text/html")
    assert get(synthetic_server + "synthetic/no-such-thing", "text/turtle")[0] == 404
    assert get(synthetic_server + "synthetic/Not_A_Slug.ttl", "*/*")[0] == 404


def test_synthetic_entities_are_listed_and_searched(synthetic_server):
    answer = get(synthetic_server + "list/?lang=en")
    assert answer.status == 200 and 'href="/list/NetworkNode"' in answer.text
    answer = get(synthetic_server + "search?q=synthetic+node+0&lang=en")
    assert answer.status == 200 and f'href="/synthetic/{NODE}"' in answer.text


def _entity_links(page: str) -> list[str]:
    main = page.split('<main', 1)[1].split('</main>', 1)[0]
    return re.findall(r'href="(/synthetic/[^"]+)"', main)


def test_class_list_pages(synthetic_server):
    answer = get(synthetic_server + "list/foaf:Person?lang=en")
    first = answer.text
    assert answer.status == 200
    assert re.search(r'<link rel="next" href="/list/foaf:Person\?lang=en&amp;page=2">', first)
    assert 'rel="prev"' not in first
    answer = get(synthetic_server + "list/foaf:Person?page=2&lang=en")
    second = answer.text
    assert answer.status == 200 and '<link rel="prev"' in second
    assert _entity_links(first) and _entity_links(second)
    assert not set(_entity_links(first)) & set(_entity_links(second))
    assert len(_entity_links(first)) == 100
    for bad in ("page=999", "page=0", "page=x"):
        assert get(synthetic_server + f"list/foaf:Person?{bad}")[0] == 404, bad


def test_timeline_and_network_say_what_they_leave_out(synthetic_server):
    answer = get(synthetic_server + "timeline?lang=en")
    page = answer.text
    assert answer.status == 200 and 'rel="next"' in page
    assert re.search(r"1–100 of \d{3}", page)
    assert 'href="/sparql?query=' in page
    assert get(synthetic_server + "timeline?page=99")[0] == 404
    answer = get(synthetic_server + "network?lang=en")
    page = answer.text
    assert answer.status == 200
    assert re.search(r"The 40 most connected nodes of \d+ are drawn", page)
    wide = page[page.index('class="network network-wide"'):]
    assert wide[:wide.index("</svg>")].count('<rect class="node"') == 40


def test_new_build_renews_cached_pages(synthetic_10k, tmp_path, server_starter):
    root = _copy_and_build(synthetic_10k, tmp_path)
    with server_starter(root, env={"CNC_KG_RELOAD_CHECK": "0.2"}) as base:
        answer = get(base + "timeline?lang=en")
        before = answer.text
        assert answer.status == 200
        assert "Synthetic event" in before and "Renamed event" not in before
        data = next((root / "data").glob("synthetic.ttl"))
        data.write_text(data.read_text(encoding="utf-8").replace(
            '"Synthetic event ', '"Renamed event '), encoding="utf-8")
        _build(root)
        deadline = time.monotonic() + PATIENCE
        # Each gunicorn worker reloads on its own: wait until several answers in a row are new.
        fresh = 0
        while fresh < 6:
            assert time.monotonic() < deadline, "the cached timeline never changed"
            fresh = fresh + 1 if "Renamed event" in get(base + "timeline?lang=en").text else 0
            time.sleep(0.1)
