"""Entity pages for people (issue 4): language from Accept-Language, switch and cookie, label
fallback, property names and dates in the page language, schema.org JSON-LD, escaping of
labels holding HTML, and search (accents, Chinese, ranking)."""

from __future__ import annotations

import html
import json
import re
import urllib.parse
from pathlib import Path

import pyoxigraph as ox
import pytest
from http_calls import http
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from server.config import DATA_NS, ONTOLOGY_NS, load_settings
from server.project.build import Sources, publish
from server.services.i18n import DEFAULT_LANGUAGE, format_date, parse_accept_language, pick
from server.text import fold
from server.web.negotiation import GRAPH_FORMATS


def page_of(base: str, iri: URIRef) -> str:
    return base + "id/" + str(iri)[len(DATA_NS):]


def heading(page: str) -> tuple[str | None, str]:
    """(language, text) of the page's h1: the title's own ``<span lang>`` when it has one (its
    language badge, in the page's language, follows it)."""
    match = re.search(r'<h1>(?:<span lang="([^"]+)">(.*?)</span>.*?|(.*?))</h1>', page, re.S)
    assert match, "no h1"
    return match.group(1), html.unescape(match.group(2) or match.group(3))


@pytest.fixture(scope="module")
def published(dump_path: Path) -> Graph:
    return Graph().parse(dump_path, format="nt")


@pytest.fixture(scope="module")
def entities(published: Graph) -> list[URIRef]:
    found = sorted({s for s in published.subjects(RDF.type) if isinstance(s, URIRef)
                    and str(s).startswith(DATA_NS)})
    assert found
    return found


@pytest.mark.parametrize("header, expected", [
    ("fr-FR,fr;q=0.9,en;q=0.8", "fr"),
    ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
    ("zh-Hant-TW", "zh"),
    ("de-DE, en;q=0.5", "en"),
    ("en;q=0.2, fr;q=0.8", "fr"),
    ("fr;q=0, zh;q=0.1", "zh"),
    ("de, ja", None),
    ("", None),
    ("*;q=0.5, xx-;q=abc", None),
])
def test_parse_accept_language(header, expected):
    assert parse_accept_language(header) == expected


@pytest.mark.parametrize("value, lang, expected", [
    (Literal("2023-11-24", datatype=XSD.date), "fr", "24 novembre 2023"),
    (Literal("2023-11-24", datatype=XSD.date), "en", "24 November 2023"),
    (Literal("2023-11-24", datatype=XSD.date), "zh", "2023年11月24日"),
    (Literal("2023-04", datatype=XSD.gYearMonth), "fr", "avril 2023"),
    (Literal("2023-04", datatype=XSD.gYearMonth), "zh", "2023年4月"),
    (Literal("1978", datatype=XSD.gYear), "en", "1978"),
    (Literal("1978", datatype=XSD.gYear), "zh", "1978年"),
    (Literal("2019-03-01", datatype=XSD.date), "fr", "1er mars 2019"),
    (Literal("about 2019"), "en", "about 2019"),
])
def test_format_date_keeps_precision(value, lang, expected):
    assert format_date(value, lang) == expected


@pytest.mark.parametrize("header, lang", [
    ("fr-FR,fr;q=0.9", "fr"), ("zh-CN,zh;q=0.9", "zh"), ("en-GB", "en"),
    ("de-DE", DEFAULT_LANGUAGE),
])
def test_page_language_from_accept_language(live_server, header, lang):
    answer = http(live_server, headers={"Accept-Language": header})
    assert answer.status == 200
    assert f'<html lang="{lang}">' in answer.text
    assert answer.headers["Content-Language"] == lang
    assert "accept-language" in answer.headers["Vary"].lower()


def test_language_switch_is_remembered(live_server):
    url = live_server + "id/cnc"
    answer = http(url + "?lang=zh", headers={"Accept-Language": "fr"})
    assert answer.status == 200 and '<html lang="zh">' in answer.text
    cookie = answer.headers["Set-Cookie"].split(";")[0]
    assert cookie == "lang=zh"
    page = http(url, headers={"Accept-Language": "fr", "Cookie": cookie}).text
    assert '<html lang="zh">' in page, "the chosen language was not remembered"
    page = http(url + "?lang=en", headers={"Cookie": cookie}).text
    assert '<html lang="en">' in page, "?lang= must win over the cookie"
    assert 'href="/id/cnc?lang=fr"' in page, "no switch to French on the page"


def test_titles_follow_the_fallback_order(live_server, published, entities):
    """The h1 is the label in the page language, else the next in the fallback order, and
    carries the language of the literal shown."""
    fallbacks = 0
    for iri in entities[:40]:
        labels = {o.language or "": str(o) for o in published.objects(iri, RDFS.label)}
        if not labels:
            continue
        for lang in ("fr", "en", "zh"):
            page = http(page_of(live_server, iri) + f"?lang={lang}").text
            shown_lang, text = heading(page)
            expected_text, expected_lang = pick(labels, lang)
            assert (text, shown_lang or "") == (expected_text, expected_lang), (iri, lang)
            fallbacks += expected_lang != lang
    assert fallbacks, "no entity without a label in some language: fallback untested"


def test_property_names_and_dates_in_page_language(live_server, published, entities):
    """Property names come from the ontology's labels in the page language; dates are
    formatted for it."""
    date = URIRef(ONTOLOGY_NS + "date")
    dated = next(iri for iri in entities if (iri, date, None) in published)
    value = published.value(dated, date)
    for lang in ("fr", "en", "zh"):
        page = http(page_of(live_server, dated) + f"?lang={lang}").text
        assert html.escape(format_date(value, lang), quote=False) in page
        label = next(str(o) for o in published.objects(date, RDFS.label) if o.language == lang)
        assert f'lang="{lang}">{html.escape(label, quote=False)}</a>' in page


def test_external_property_names_in_page_language(live_server, published, entities):
    """Properties from other vocabularies (skos:note …) are named in the page language too."""
    from rdflib.namespace import SKOS

    from server.services.i18n import EXTERNAL_NAMES

    noted = next(iri for iri in entities if (iri, SKOS.note, None) in published)
    for lang in ("fr", "en", "zh"):
        page = http(page_of(live_server, noted) + f"?lang={lang}").text
        name = html.escape(EXTERNAL_NAMES[SKOS.note][lang], quote=False)
        assert f">{name}</a>" in page, (lang, name)


def test_alternates_and_schema_org(live_server):
    page = http(live_server + "id/cnc").text
    for fmt in GRAPH_FORMATS:
        assert f'<link rel="alternate" type="{fmt.media_type}" href="/id/cnc.{fmt.extension}"' \
            in page
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    data = json.loads(block.group(1))
    assert data["@context"] == "https://schema.org" and data["@id"] == DATA_NS + "cnc"
    assert data["name"] and data["@type"] != "Thing"


@pytest.fixture(scope="module")
def hostile_app(built_root: Path, tmp_path_factory: pytest.TempPathFactory):
    """The app over the published graph plus an entity whose label is HTML (a curator's typo or
    an attack), on the real embedded store."""
    from server.web.app import create_app

    root = tmp_path_factory.mktemp("hostile")
    text = (built_root / "dist" / "cnc-kg.nt").read_text("utf-8")
    text += (f'<{DATA_NS}test-escaping> <{RDF.type}> <{ONTOLOGY_NS}Organisation> .\n'
             f'<{DATA_NS}test-escaping> <{RDFS.label}> "<script>alert(1)</script> & co"@en .\n'
             f'<{DATA_NS}cnc> <{ONTOLOGY_NS}partner> <{DATA_NS}test-escaping> .\n')
    # Published as it is: the shapes would refuse this organisation (it has no source).
    publish(root / "dist", ox.serialize(ox.parse(text, format=ox.RdfFormat.N_TRIPLES),
                                        format=ox.RdfFormat.N_TRIPLES), Sources())
    app = create_app(load_settings(root=root))
    yield app
    app.extensions["cnc_kg.store"].close()


@pytest.mark.parametrize("path", ["/id/test-escaping", "/id/cnc", "/search?q=alert",
                                  "/search?q=<script>alert(2)</script>",
                                  "/id/<script>alert(3)</script>"])
def test_html_in_labels_shows_as_text(hostile_app, path):
    page = hostile_app.test_client().get(path, headers={"Accept": "text/html"}) \
        .get_data(as_text=True)
    assert "<script>alert(" not in page
    assert "&lt;script&gt;alert(" in page or "\\u003cscript\\u003ealert(" in page


def test_search_is_accent_insensitive_for_french(live_server, published):
    accented = next((s, o) for s, o in published.subject_objects(RDFS.label)
                    if str(s).startswith(DATA_NS) and o.language == "fr"
                    and fold(str(o)) != str(o).casefold())
    iri, label = accented
    query = fold(str(label))
    body = http(live_server + "api/search?" + urllib.parse.urlencode({"q": query})).text
    assert str(iri) in [hit["iri"] for hit in json.loads(body)], (query, iri)


def test_search_finds_chinese_substrings(live_server, published):
    iri, label = next((s, o) for s, o in sorted(published.subject_objects(RDFS.label))
                      if str(s).startswith(DATA_NS) and o.language == "zh" and len(o) >= 4)
    query = str(label)[1:3]
    body = http(live_server + "api/search?" + urllib.parse.urlencode(
        {"q": query, "limit": 50})).text
    assert str(iri) in [hit["iri"] for hit in json.loads(body)], (query, iri)


def test_search_ranks_exact_names_first(live_server, published):
    """A full name finds its entity first; a prefix ranks before a mere substring."""
    iri, label = next((s, o) for s, o in sorted(published.subject_objects(RDFS.label))
                      if str(s).startswith(DATA_NS) and o.language == "en" and len(o) > 6)
    body = http(live_server + "api/search?" + urllib.parse.urlencode({"q": str(label)})).text
    hits = json.loads(body)
    assert fold(hits[0]["matched"]) == fold(str(label))
    query = fold(str(label))[:4]
    body = http(live_server + "api/search?" + urllib.parse.urlencode(
        {"q": query, "limit": 50})).text
    kinds = [0 if fold(h["matched"]).startswith(query) else 1 for h in json.loads(body)]
    assert kinds == sorted(kinds), "a substring match ranked before a prefix match"
    page = http(live_server + "search?" + urllib.parse.urlencode({"q": str(label)})).text
    assert f'href="/id/{str(iri)[len(DATA_NS):]}"' in page


def test_network_picture_shows_every_node_and_partner(live_server, published):
    """The server-drawn SVG names every CNC node and each of its partners, with one line per
    link, and the same links are listed as text."""
    node_class = URIRef(ONTOLOGY_NS + "NetworkNode")
    partner = URIRef(ONTOLOGY_NS + "partner")
    nodes = set(published.subjects(RDF.type, node_class))
    assert nodes, "no cnc:NetworkNode in the data"
    page = http(live_server + "network?lang=en").text
    svg = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    for node in nodes:
        assert f'href="/id/{str(node)[len(DATA_NS):]}"' in svg, node
        for organisation in published.objects(node, partner):
            assert f'href="/id/{str(organisation)[len(DATA_NS):]}"' in svg, organisation
    links = sum(1 for node in nodes for _ in published.objects(node, partner))
    assert svg.count("<line ") >= links
    assert 'aria-labelledby="network-title-wide"' in svg and "<title" in svg
