"""The reconciliation service (/reconcile) on a real server, as OpenRefine uses it: manifest,
query batches, suggest, preview and data extension; every JSON answer validated against the
Reconciliation Service API 0.2 schemas (tests/reconciliation_schemas/, see its README).

The batch of 50 queries is made from data/ itself: the organisations under their other names
(alternative labels, acronyms, names in another language), never from literals written here.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from http_calls import Answer, http
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator
from rdflib import Graph, URIRef
from rdflib.namespace import ORG, RDF, RDFS, SKOS
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from server.config import DATA_NS, load_settings
from server.namespaces import CNC
from server.project.matching import key, similarity
from server.project.reconcile import load_lookup, propose
from server.web.app import create_app

SCHEMAS = Path(__file__).parent / "reconciliation_schemas"
SCHEMA_BASE = "https://reconciliation-api.github.io/specs/0.2/schemas/"
BATCH_SIZE = 50
DEFAULT_TYPES = {"cnc:Organisation", "foaf:Person", "cnc:Place", "cnc:NetworkNode"}
SUGGEST_SCHEMAS = {"entity": "suggest-entities-response.json",
                   "type": "suggest-types-response.json",
                   "property": "suggest-properties-response.json"}


# --- the specification's schemas ------------------------------------------------------------

@pytest.fixture(scope="module")
def validate():
    """``validate(schema file name, instance)``: raises on the first error, no network."""
    resources = [(SCHEMA_BASE + path.name, Resource.from_contents(
        json.loads(path.read_text("utf-8")), default_specification=DRAFT7))
        for path in SCHEMAS.glob("*.json")]
    registry = Registry().with_resources(resources)

    def check(name: str, instance: object) -> None:
        schema = json.loads((SCHEMAS / name).read_text("utf-8"))
        Draft7Validator(schema, registry=registry).validate(instance)

    return check


# --- HTTP -----------------------------------------------------------------------------------

def post_form(url: str, fields: dict[str, str]) -> Answer:
    """POST ``fields`` form-encoded, as OpenRefine does; 4xx/5xx returned."""
    return http(url, data=urllib.parse.urlencode(fields).encode())


@pytest.fixture(scope="module")
def service(live_server: str) -> str:
    return live_server + "reconcile"


def reconcile(service: str, batch: dict, validate, method: str = "POST") -> dict:
    """POST (form field ``queries``) or GET a query batch; both validated against the spec."""
    validate("reconciliation-query-batch.json", batch)
    text = json.dumps(batch, ensure_ascii=False)
    if method == "POST":
        status, _, body = post_form(service, {"queries": text})
    else:
        status, _, body = http(service + "?" + urllib.parse.urlencode({"queries": text}))
    assert status == 200, body
    answer = json.loads(body)
    validate("reconciliation-result-batch.json", answer)
    assert set(answer) == set(batch)
    return answer


def top(answer: dict, key_: str) -> dict:
    results = answer[key_]["result"]
    assert results, f"no candidate for {key_}"
    return results[0]


# --- the graph, read from the dump -----------------------------------------------------------

@pytest.fixture(scope="module")
def graph(built_root: Path) -> Graph:
    return Graph().parse(built_root / "dist" / "cnc-kg.nt", format="nt")


def organisations(graph: Graph) -> list[URIRef]:
    classes = set(graph.transitive_subjects(RDFS.subClassOf, CNC.Organisation))
    return sorted({s for s, c in graph.subject_objects(RDF.type)
                   if c in classes and str(s).startswith(DATA_NS)})


def names(graph: Graph, entity: URIRef) -> list:
    return sorted({*graph.objects(entity, RDFS.label), *graph.objects(entity, SKOS.altLabel)},
                  key=lambda n: (n.language or "", str(n)))


def main_name(graph: Graph, entity: URIRef) -> str:
    """The name one would type first: English, else French, else any."""
    labels = {n.language: str(n) for n in graph.objects(entity, RDFS.label)}
    return labels.get("en") or labels.get("fr") or next(iter(labels.values()))


def other_names_batch(graph: Graph) -> tuple[dict, dict[str, str]]:
    """50 queries: each organisation under a name other than its English (else French) one,
    in turn, names that no other entity of the graph bears (otherwise no answer is right);
    every third one folded (lower case, no accents), every other one typed cnc:Organisation,
    every fifth with its country as a property constraint, named in French."""
    owners: dict[str, set[URIRef]] = {}
    for s, n in (*graph.subject_objects(RDFS.label), *graph.subject_objects(SKOS.altLabel)):
        if str(s).startswith(DATA_NS):
            owners.setdefault(key(str(n)), set()).add(s)
    choices = {org: [str(n) for n in names(graph, org)
                     if key(str(n)) != key(main_name(graph, org)) and len(owners[key(str(n))]) == 1]
               for org in organisations(graph)}
    picked: list[tuple[URIRef, str]] = []
    for turn in range(max(map(len, choices.values()))):
        picked += [(org, found[turn]) for org, found in choices.items() if turn < len(found)]
    assert len(picked) >= BATCH_SIZE, f"data/ gives only {len(picked)} other names"
    batch, expected = {}, {}
    for i, (org, name) in enumerate(picked[:BATCH_SIZE]):
        query: dict = {"query": name.lower() if i % 3 == 0 else name}
        if i % 2 == 0:
            query["type"] = "cnc:Organisation"
        countries = [*graph.objects(org, CNC.country),
                     *(c for parent in graph.transitive_objects(org, ORG.subOrganizationOf)
                       for c in graph.objects(parent, CNC.country))]
        if i % 5 == 0 and countries:
            french = {n.language: str(n) for n in graph.objects(countries[0], RDFS.label)}["fr"]
            query["properties"] = [{"pid": "cnc:country", "v": french}]
        batch[f"q{i}"] = query
        expected[f"q{i}"] = str(org)[len(DATA_NS):]
    return batch, expected


def test_batch_of_fifty_other_names_finds_each_organisation(service, graph, validate):
    batch, expected = other_names_batch(graph)
    answer = reconcile(service, batch, validate)
    right = {k for k in batch if top(answer, k)["id"] == expected[k]}
    wrong = {k: (batch[k], [c["id"] for c in answer[k]["result"][:3]], expected[k])
             for k in batch if k not in right}
    print(f"reconciliation batch: {len(right)}/{len(batch)} right top candidates")
    assert not wrong
    # Each of these names is borne by one entity only: the service says so.
    assert all(top(answer, k)["match"] for k in batch)
    assert all(top(answer, k)["score"] == 100 for k in batch)


def test_manifest(live_server, service, validate):
    status, headers, body = http(service)
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert headers["Access-Control-Allow-Origin"] == "*"
    manifest = json.loads(body)
    validate("manifest.json", manifest)
    assert manifest["versions"] == ["0.2"]
    assert manifest["identifierSpace"] == DATA_NS
    assert manifest["schemaSpace"] == "https://w3id.org/cnc-kg/ontology/"
    assert {t["id"] for t in manifest["defaultTypes"]} == DEFAULT_TYPES
    assert manifest["view"]["url"] == live_server + "id/{{id}}"
    for kind in ("entity", "type", "property"):
        suggest = manifest["suggest"][kind]
        url = suggest["service_url"] + suggest["service_path"] + "?prefix=a"
        assert http(url)[0] == 200
    preview = manifest["preview"]["url"].replace("{{id}}", "cnrs")
    assert http(preview)[0] == 200
    names = {lang: json.loads(http(service + "?lang=" + lang)[2])["name"]
             for lang in ("fr", "en", "zh")}
    assert len(set(names.values())) == 3


def test_cors_preflight(service):
    status, headers, _ = http(service, headers={"Origin": "https://openrefine.example",
                                                "Access-Control-Request-Method": "POST"})
    assert headers["Access-Control-Allow-Origin"] == "*"
    request = urllib.request.Request(service, method="OPTIONS", headers={
        "Origin": "https://openrefine.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status in (200, 204)
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "POST" in response.headers["Access-Control-Allow-Methods"]


def test_get_and_post_agree(service, validate):
    batch = {"a": {"query": "CNRS"}, "b": {"query": "中国科学院", "limit": 2}}
    assert reconcile(service, batch, validate, "GET") == reconcile(service, batch, validate)
    assert len(reconcile(service, batch, validate)["b"]["result"]) <= 2


def test_type_decides_between_namesakes(service, validate):
    """The Chinese state and the country share their names: no certain match until a type
    says which one is meant."""
    name = "People's Republic of China"
    answer = reconcile(service, {"any": {"query": name},
                                 "org": {"query": name, "type": "cnc:Organisation"},
                                 "place": {"query": name, "type": ["cnc:Place"]}}, validate)
    both = answer["any"]["result"][:2]
    assert {c["id"] for c in both} == {"peoples-republic-of-china", "china"}
    assert not any(c["match"] for c in answer["any"]["result"])
    one = reconcile(service, {"q": {"query": name, "limit": 1}}, validate)["q"]["result"]
    assert len(one) == 1 and not one[0]["match"]     # the namesake left out still counts
    assert top(answer, "org")["id"] == "peoples-republic-of-china" and top(answer, "org")["match"]
    assert top(answer, "place")["id"] == "china" and top(answer, "place")["match"]
    assert all(t["id"] != "cnc:Country" for c in answer["org"]["result"] for t in c["type"])


def test_identifier_properties_decide(service, graph, validate):
    cnrs = URIRef(DATA_NS + "cnrs")
    ror, wikidata = graph.value(cnrs, CNC.ror), graph.value(cnrs, CNC.wikidata)
    assert ror is not None and wikidata is not None
    answer = reconcile(service, {
        "ror-only": {"properties": [{"pid": "cnc:ror", "v": str(ror)}]},
        "bare-ror": {"properties": [{"pid": "cnc:ror", "v": str(ror).rsplit("/", 1)[1]}]},
        "wikidata": {"query": "Centre national", "properties": [
            {"pid": "cnc:wikidata", "v": str(wikidata).rsplit("/", 1)[1]}]},
        "other-ror": {"query": "CNRS", "properties": [
            {"pid": "cnc:ror", "v": str(graph.value(URIRef(DATA_NS + "pku"), CNC.ror))}]},
    }, validate)
    for k in ("ror-only", "bare-ror", "wikidata"):
        assert top(answer, k)["id"] == "cnrs" and top(answer, k)["match"], k
    # CNRS holds another ROR than the one given: it is not proposed, PKU (that ROR's) is.
    assert "cnrs" not in {c["id"] for c in answer["other-ror"]["result"]}
    assert top(answer, "other-ror")["id"] == "pku"


def test_country_constraint_is_inherited_and_weighs(service, validate):
    """UCCS states no country: it is French through its university. A wrong country lowers the
    score and never makes a certain match."""
    answer = reconcile(service, {
        "fr": {"query": "UCCS (Lille)", "properties": [{"pid": "cnc:country", "v": "France"}]},
        "zh": {"query": "UCCS (Lille)", "properties": [{"pid": "country", "v": "中国"}]},
        "short": {"query": "UCCS", "properties": [{"pid": "cnc:country", "v": "France"}]},
    }, validate)
    assert top(answer, "fr")["id"] == "uccs" and top(answer, "fr")["match"]
    assert {"id": "cnc:country", "value": True} in top(answer, "fr")["features"]
    assert top(answer, "zh")["id"] == "uccs" and not top(answer, "zh")["match"]
    assert top(answer, "zh")["score"] < top(answer, "fr")["score"]
    assert top(answer, "short")["id"] == "uccs" and not top(answer, "short")["match"]


def test_fuzzy_candidates_are_scored_not_matched(service, validate):
    answer = reconcile(service, {"q": {"query": "Universite Lille"}}, validate)
    best = top(answer, "q")
    assert best["id"] == "universite-de-lille"
    assert not best["match"] and 60 <= best["score"] < 100
    assert [c["score"] for c in answer["q"]["result"]] == sorted(
        (c["score"] for c in answer["q"]["result"]), reverse=True)


def test_same_matcher_as_cnc_kg_reconcile(service, validate):
    """`cnc-kg reconcile` and the service score a name alike: one matcher."""
    name = "Chinese Academy of Agricultural Science"
    [proposal] = propose("x", "data/", [name], {"ror"}, load_lookup())
    assert proposal.match == f"fuzzy {similarity(name, proposal.variant.name):.0f}"
    best = top(reconcile(service, {"q": {"query": name}}, validate), "q")
    assert best["id"] == "caas"
    assert round(best["score"]) == round(similarity(name, "Chinese Academy of Agricultural "
                                                         "Sciences"))


def test_entity_identifier_as_query(service, validate):
    answer = reconcile(service, {"q": {"query": "kg:e2p2l"}}, validate)
    assert top(answer, "q")["id"] == "e2p2l" and top(answer, "q")["match"]


# --- suggest, preview, data extension ---------------------------------------------------------

def suggest(service: str, kind: str, prefix: str, validate, cursor: int = 0) -> list[dict]:
    status, _, body = http(f"{service}/suggest/{kind}?" + urllib.parse.urlencode(
        {"prefix": prefix, "cursor": cursor}))
    assert status == 200, body
    answer = json.loads(body)
    validate(SUGGEST_SCHEMAS[kind], answer)
    return answer["result"]


def test_suggest_services(service, validate):
    assert "pku" in {r["id"] for r in suggest(service, "entity", "Peking", validate)}
    assert suggest(service, "entity", "cnrs", validate)[0]["id"] == "cnrs"
    assert "cas" in {r["id"] for r in suggest(service, "entity", "中国科学", validate)}
    first = suggest(service, "entity", "Uni", validate)
    second = suggest(service, "entity", "Uni", validate, cursor=len(first))
    assert first and not {r["id"] for r in first} & {r["id"] for r in second}
    assert "cnc:University" in {r["id"] for r in suggest(service, "type", "univ", validate)}
    assert {r["id"] for r in suggest(service, "type", "", validate)} >= DEFAULT_TYPES
    assert [r["id"] for r in suggest(service, "property", "coun", validate)] == ["cnc:country"]
    assert "org:subOrganizationOf" in {r["id"] for r in suggest(service, "property", "part",
                                                                   validate)}
    assert http(service + "/suggest/entity?prefix=a&cursor=x")[0] == 400
    assert http(service + "/suggest/nothing?prefix=a")[0] == 404


def test_preview_card_is_trilingual(service, graph):
    cnrs = URIRef(DATA_NS + "cnrs")
    status, headers, body = http(service + "/preview?id=cnrs&lang=fr")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    page = body.decode("utf-8")
    assert '<html lang="fr">' in page
    for label in graph.objects(cnrs, RDFS.label):
        assert f'lang="{label.language}">{label}</dd>' in page
    assert "CNRS" in page and str(graph.value(cnrs, CNC.ror)) in page
    assert 'href="/id/cnrs"' in page and "Pays" in page
    assert http(service + "/preview?id=no-such-entity")[0] == 404
    assert http(service + "/preview?id=%3Cscript%3E")[0] == 404


def test_data_extension(service, graph, validate):
    ids = ["cnrs", "uccs", "pku", "no-such-entity"]
    query = {"ids": ids, "properties": [{"id": "cnc:ror"}, {"id": "cnc:wikidata"},
                                        {"id": "cnc:country"}, {"id": "org:subOrganizationOf"}]}
    validate("data-extension-query.json", query)
    status, _, body = post_form(service, {"extend": json.dumps(query)})
    assert status == 200, body
    answer = json.loads(body)
    validate("data-extension-response.json", answer)
    assert [m["id"] for m in answer["meta"]] == [p["id"] for p in query["properties"]]
    rows = answer["rows"]
    assert set(rows) == set(ids)
    for slug in ids[:3]:
        entity = URIRef(DATA_NS + slug)
        assert [v["str"] for v in rows[slug]["cnc:ror"]] == [
            str(o).rsplit("/", 1)[1] for o in graph.objects(entity, CNC.ror)]
        assert [v["str"] for v in rows[slug]["cnc:wikidata"]] == [
            str(o).rsplit("/", 1)[1] for o in graph.objects(entity, CNC.wikidata)]
        assert {v["id"] for v in rows[slug]["org:subOrganizationOf"]} == {
            str(o)[len(DATA_NS):] for o in graph.objects(entity, ORG.subOrganizationOf)}
    assert [v["id"] for v in rows["uccs"]["cnc:country"]] == ["france"]   # its university's
    assert rows["no-such-entity"] == {p["id"]: [] for p in query["properties"]}
    status, _, body = post_form(service, {"extend": json.dumps(
        {"ids": ["cnrs"], "properties": [{"id": "cnc:nothing"}]})})
    assert status == 400 and b"cnc:nothing" in body


def test_property_proposals(service):
    status, _, body = http(service + "/properties?type=cnc:Organisation&limit=2")
    assert status == 200
    answer = json.loads(body)
    assert answer["type"] == "cnc:Organisation" and answer["limit"] == 2
    assert len(answer["properties"]) == 2 and all(p["id"] and p["name"]
                                                  for p in answer["properties"])
    everything = json.loads(http(service + "/properties?type=cnc:Organisation")[2])
    assert {p["id"] for p in everything["properties"]} == {
        "cnc:ror", "cnc:wikidata", "cnc:country", "org:subOrganizationOf"}


@pytest.mark.parametrize(("data", "status", "words"), [
    ({"queries": "{not json"}, 400, b"not JSON"),
    ({"queries": '{"q": {"limit": 3}}'}, 400, b"neither"),
    ({"queries": '{"q": {"query": "x", "properties": [{"pid": "cnc:nothing", "v": 1}]}}'},
     400, b"unknown property"),
    ({"queries": '{"q": {"query": "x", "limit": 0}}'}, 400, b"limit"),
    ({"queries": '["CNRS"]'}, 400, b"object"),
    ({"queries": "{}", "extend": "{}"}, 400, b"either"),
    ({"other": "1"}, 400, b"queries"),
    ({"queries": json.dumps({f"q{i}": {"query": "CNRS"} for i in range(101)})}, 413,
     b"batchSize"),
])
def test_bad_requests(service, data, status, words):
    got, _, body = post_form(service, data)
    assert got == status and words in body, body


# --- any input: a 4xx, never a 5xx ------------------------------------------------------------

@pytest.fixture(scope="module")
def app_client(built_root):
    app = create_app(load_settings(root=built_root))
    yield app.test_client()
    app.extensions["cnc_kg.store"].close()


LEAF = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
KEYS = st.sampled_from(["query", "type", "limit", "properties", "pid", "v", "id", "name", "ids",
                        "q0"]) | st.text(max_size=5)
INNER = LEAF | st.lists(LEAF, max_size=4) | st.dictionaries(KEYS, LEAF, max_size=4)
JSONISH = st.lists(INNER, max_size=4) | st.dictionaries(
    KEYS, INNER | st.dictionaries(KEYS, INNER | st.lists(INNER, max_size=3), max_size=4),
    max_size=4)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(["queries", "extend"]),
       value=JSONISH.map(lambda v: json.dumps(v, allow_nan=True)) | st.text(max_size=60)
       | st.just("[" * 50_000) | st.just('{"q": {"query": "x", "limit": 1e400}}'),
       method=st.sampled_from(["GET", "POST"]))
def test_any_query_or_extension_is_answered_or_refused(app_client, name, value, method):
    if method == "GET":
        response = app_client.get("/reconcile", query_string={name: value})
    else:
        response = app_client.post("/reconcile", data={name: value})
    assert response.status_code in (200, 400, 413), response.data[:300]
    assert b"Traceback" not in response.data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(["/reconcile/suggest/entity", "/reconcile/suggest/type",
                             "/reconcile/suggest/property", "/reconcile/preview",
                             "/reconcile/properties"]),
       parameter=st.sampled_from(["prefix", "cursor", "id", "type", "limit", "lang"]),
       value=st.text(max_size=40))
def test_any_suggest_preview_or_proposal_parameter(app_client, path, parameter, value):
    response = app_client.get(path, query_string={parameter: value})
    assert response.status_code in (200, 304, 400, 404), response.data[:300]
