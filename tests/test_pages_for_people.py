"""Pages that answer a visitor's questions (issue 12), on a real server and checked against the
published graph: the dataset page, class lists as sortable tables, events in date order with
spans written once, a node's French and Chinese partners side by side, one source for the
declared figures, search by words, the names of a batch of IRIs, the query page in the site's
languages, and the network picture's layout."""

from __future__ import annotations

import hashlib
import html
import json
import re
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from http_calls import http
from rdflib import Graph, URIRef
from rdflib.namespace import ORG, RDF

from server.config import DATA_NS
from server.namespaces import CNC
from server.services.network_layout import NARROW, WIDE, wrap

TIMEOUT = 30
LANGUAGES = ("fr", "en", "zh")


def page(base: str, path: str, lang: str = "en") -> str:
    answer = http(base + path.lstrip("/"), headers={"Cookie": f"lang={lang}"}, accept="text/html")
    assert answer.status == 200, (path, answer.status)
    return answer.text


def section(body: str, element_id: str) -> str:
    """The HTML of the element with ``element_id`` up to the end of its section."""
    start = body.index(f'id="{element_id}"')
    return body[start:body.index("</section>", start)]


@pytest.fixture(scope="module")
def graph(dump_path: Path) -> Graph:
    return Graph().parse(dump_path, format="nt")


# --- the dataset ---------------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGUAGES)
def test_dataset_page_says_what_size_version_licence_and_where(live_server, built_root, lang):
    body = page(live_server, "dataset", lang)
    record = json.loads((built_root / "dist" / "build.json").read_text("utf-8"))
    assert f'<html lang="{lang}">' in body
    assert "creativecommons.org/licenses/by/4.0/" in body
    assert 'href="/sparql"' in body and 'href="/changes.atom"' in body
    assert f"v{record['version']}" in body and record["sha256"] in body
    for fmt in ("text/turtle", "application/ld+json"):
        assert f'type="{fmt}"' in body
    dumps = section(body, "h-dumps")
    names = re.findall(r'href="/dumps/([^"/]+)"', dumps)
    assert len(names) >= 3
    for name in names:
        with urllib.request.urlopen(live_server + "dumps/" + name, timeout=TIMEOUT) as file:
            assert hashlib.sha256(file.read()).hexdigest() in dumps, name


def test_dataset_page_and_void_agree_on_the_size(live_server):
    turtle = http(live_server + "dataset", accept="text/turtle").text
    void = Graph().parse(data=turtle, format="turtle")
    triples = int(void.value(URIRef("https://w3id.org/cnc-kg/dataset"),
                             URIRef("http://rdfs.org/ns/void#triples")))
    assert f"{triples:,}" in page(live_server, "dataset", "en")
    assert f"{triples:,}".replace(",", "\u202f") in page(live_server, "dataset", "fr")


# --- class lists -----------------------------------------------------------------------------

def _dates(body: str) -> list[str]:
    table = body[body.index('<table class="list">'):body.index("</table>")]
    return [d[:10] for d in re.findall(r'<time datetime="([^"]+)"', table)]


def test_events_are_listed_in_date_order(live_server):
    dates = _dates(page(live_server, "list/Event"))
    assert len(dates) > 10 and dates == sorted(dates)
    newest_first = _dates(page(live_server, "list/Event?sort=date&order=desc"))
    assert newest_first == sorted(newest_first, reverse=True)


def test_class_lists_are_tables_sortable_by_their_columns(live_server, graph):
    body = page(live_server, "list/Organisation", "fr")
    assert '<th scope="col" aria-sort="ascending">' in body       # by name, the default
    for column in ("type", "country", "parent"):
        assert f'href="/list/Organisation?sort={column}"' in body, column
    by_country = page(live_server, "list/Organisation?sort=country", "en")
    table = by_country[by_country.index("<tbody>"):]
    shown = [html.unescape(c) for c in re.findall(r'<td><a href="/id/(?:china|france)"[^>]*>'
                                                  r'([^<]+)</a>', table)]
    assert shown == sorted(shown) and len(set(shown)) == 2
    assert http(live_server + "list/Organisation?sort=nonsense")[0] == 404
    universities = set(graph.subjects(RDF.type, CNC.University))
    body = page(live_server, "list/University")
    assert all(f'href="/id/{str(u)[len(DATA_NS):]}"' in body for u in universities)


@pytest.mark.parametrize(("lang", "span"), [("fr", "3–5 décembre 2025"),
                                            ("en", "3–5 December 2025"),
                                            ("zh", "2025年12月3日至5日")])
def test_spans_are_written_once_on_the_timeline(live_server, lang, span):
    assert span in page(live_server, "timeline", lang)
    dates = re.findall(r'<time datetime="([^"]+)"', page(live_server, "timeline", lang))
    assert [d[:10] for d in dates] == sorted(d[:10] for d in dates)


# --- a node's partners ---------------------------------------------------------------------

def _country(graph: Graph, organisation: URIRef) -> str | None:
    for holder in (organisation, *graph.transitive_objects(organisation, ORG.subOrganizationOf)):
        for country in graph.objects(holder, CNC.country):
            return str(country).rsplit("/", 1)[-1]
    return None


@pytest.mark.parametrize("node", ["e2p2l", "lia-a-agd"])
def test_partners_of_a_node_side_by_side_with_roles(live_server, graph, node):
    body = page(live_server, f"id/{node}", "en")
    iri = URIRef(DATA_NS + node)
    sides = {"france": "h-partners-fr", "china": "h-partners-cn"}
    for partner in set(graph.objects(iri, CNC.partner)) | set(
            graph.objects(iri, CNC.coordinatingOrganisation)):
        where = sides.get(_country(graph, partner), "h-partners-other")
        assert f'href="/id/{str(partner)[len(DATA_NS):]}"' in section(body, where), partner
    for coordinator in graph.objects(iri, CNC.coordinatingOrganisation):
        item = body[body.index(f'href="/id/{str(coordinator)[len(DATA_NS):]}"'):]
        assert 'class="badge role coordinator">coordinator<' in item[:item.index("</li>")]
    relations = section(body, "h-relations") if 'id="h-relations"' in body else ""
    assert ">partner</a></dt>" not in relations, "partners listed twice"


# --- one source for the declared figures --------------------------------------------------

@pytest.mark.parametrize("lang", LANGUAGES)
def test_declared_figures_say_the_same_on_home_and_quality(live_server, lang):
    def figures(path: str) -> str:
        body = page(live_server, path, lang)
        table = body[body.index('<table id="figures">'):]
        return table[:table.index("</table>")]
    assert figures("/") == figures("quality")


def test_researchers_are_not_counted_as_people(live_server):
    """Heads of state and ministers are people of the graph, not researchers of the network."""
    table = page(live_server, "quality", "en")
    table = table[table.index('<table id="figures">'):]
    rows = [row for row in table[:table.index("</table>")].split("<tr>") if "researchers" in row]
    assert rows and all("not recorded" in row for row in rows)


# --- search --------------------------------------------------------------------------------

def hits(base: str, query: str, lang: str = "en", limit: int = 10) -> list[dict]:
    _, _, body = http(base + "api/search?" + urllib.parse.urlencode(
        {"q": query, "lang": lang, "limit": limit}))
    return json.loads(body)


@pytest.mark.parametrize(("query", "first", "among"), [
    ("universite lille", "universite-de-lille", ["uccs"]),
    ("lille universite", "universite-de-lille", ["uccs"]),
    ("inrae caas", "framework-2021-inrae-caas", ["inrae", "caas"]),
    ("chimie", "e2p2l", []),
    ("碳中和", "cnc", []),
    ("umi 3464", "e2p2l", []),
])
def test_search_by_words_as_a_person_expects(live_server, query, first, among):
    found = [hit["iri"][len(DATA_NS):] for hit in hits(live_server, query)]
    assert found and found[0] == first, (query, found)
    assert set(among) <= set(found), (query, found)


def test_results_and_suggestions_show_type_and_description(live_server):
    suggestion = hits(live_server, "e2p2l", "fr", 3)[0]
    assert suggestion["kind"] == "Laboratoire international de recherche (IRL)"
    assert suggestion["description"].startswith("CNRS International Research Laboratory")
    body = page(live_server, "search?q=universite+lille", "zh")
    first = body[body.index('<ol class="hits">'):].split("</li>")[0]
    assert '<span class="kind"><span lang="zh">大学</span></span>' in first
    assert '<p class="description">' in first and "法国" in first


# --- names of IRIs, for the query page -----------------------------------------------------

def test_labels_name_iris_in_the_page_language(live_server):
    iris = [DATA_NS + "cnc", str(CNC.Event), "http://www.wikidata.org/entity/Q142",
            "urn:example:x", "http://xmlns.com/foaf/0.1/Person"]
    query = urllib.parse.urlencode([("iri", iri) for iri in iris] + [("lang", "zh")])
    status, headers, body = http(live_server + "api/labels?" + query)
    found = json.loads(body)
    assert status == 200 and headers.get_content_type() == "application/json"
    assert found[DATA_NS + "cnc"] == {"label": "中法碳中和中心", "lang": "zh", "short": "kg:cnc",
                                      "url": "/id/cnc"}
    assert found[str(CNC.Event)]["short"] == "cnc:Event"
    assert found[str(CNC.Event)]["url"] == "/ontology/Event"
    assert found["http://xmlns.com/foaf/0.1/Person"]["label"] == "人物"
    assert found["urn:example:x"] == {"label": None, "lang": "", "short": None, "url": None}
    many = urllib.parse.urlencode([("iri", f"{DATA_NS}x{i}") for i in range(1001)]).encode()
    assert http(live_server + "api/labels", data=many)[0] == 400


# --- the query page --------------------------------------------------------------------------

def test_query_page_is_in_the_sites_languages(live_server):
    bodies = {}
    for lang in LANGUAGES:
        answer = http(live_server + f"sparql?lang={lang}", accept="text/html")
        bodies[lang] = answer.text
        assert answer.status == 200 and f'<html lang="{lang}">' in bodies[lang]
        assert answer.headers["Set-Cookie"].startswith(f"lang={lang}")
        assert 'class="languages"' in bodies[lang] and 'id="query"' in bodies[lang]
    assert len(set(bodies.values())) == 3
    examples = section(bodies["zh"], "h-examples")
    assert "第一份中法科技合作协定于何时签署" in examples and ">cq-01" not in examples
    assert "PREFIX cnc: &lt;https://w3id.org/cnc-kg/ontology/&gt;" in bodies["zh"]
    editor = bodies["en"][bodies["en"].index('id="query"'):]
    assert editor[editor.index(">") + 1:].lstrip().startswith("SELECT")


def test_a_query_may_start_with_select_and_errors_say_where(live_server):
    data = urllib.parse.urlencode({"query": "SELECT ?n WHERE { ?n a cnc:NetworkNode }"})
    status, _, body = http(live_server + "sparql", accept="application/sparql-results+json",
                           data=data.encode())
    assert status == 200 and json.loads(body)["results"]["bindings"]
    bad = urllib.parse.urlencode({"query": "SELECT * WHERE {\n  ?s a nope:Thing }"})
    answer = http(live_server + "sparql", data=bad.encode())
    assert answer.status == 400
    assert "at 2:" in answer.text and "prefix 'nope:' is not declared" in answer.text


# --- the network picture ---------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Centre national de la recherche scientifique",
    "Institut national de recherche pour l'agriculture, l'alimentation et l'environnement",
    "中国农业科学院植物保护研究所", "École normale supérieure de l'Est de la Chine",
    "Eco-Efficient Products and Processes Laboratory", "Supercalifragilisticexpialidocious-Lab"])
@pytest.mark.parametrize("size", [WIDE, NARROW], ids=["wide", "narrow"])
def test_names_are_wrapped_never_cut(text, size):
    lines = wrap(text, size.column, size.font_px)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for line in lines:
        width = sum(size.font_px * (1.0 if "\u4e00" <= c <= "\u9fff" else 0.6) for c in line)
        assert width <= size.column + 0.01, line


def test_network_picture_at_both_widths(live_server, graph):
    body = page(live_server, "network", "zh")
    for name, width in (("wide", WIDE.width), ("narrow", NARROW.width)):
        svg = re.search(rf'<svg [^>]*class="network network-{name}".*?</svg>', body, re.S)
        assert svg, name
        assert f'viewBox="0 0 {width} ' in svg.group(0)
        assert "…" not in svg.group(0), "a name was cut"
        assert 'lang="zh"' in svg.group(0)
    nodes = set(graph.subjects(RDF.type, CNC.NetworkNode))
    listed = section(body, "h-pairs")
    assert listed.count("<dl>") == len(nodes), "one entry per node, partners grouped"
