"""The benchmark's workload: every catalogue and page query, with its bindings, runs on the
embedded engine and answers about the bound entity; the measured graph is the curated graph
grown by synthetic data, so catalogue queries have their real answers (timings are never
asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import URIRef

from bench.clients import RawEngine
from bench.data import build, published, synthetic_project
from bench.machine import CpuWindow, connections_per_process, group_of
from bench.report import earlier_profiles, profile_section, slow_rounds
from bench.request_profile import request_profile
from bench.runner import CHEAP, distinct_entities
from bench.workload import SERVER_QUERIES, bound, workload
from server.project.synthetic import SYNTHETIC_NS

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def synthetic_store(tmp_path_factory: pytest.TempPathFactory,
                    built_root: Path) -> tuple[ox.Store, URIRef, Path]:
    folder = synthetic_project(REPO, tmp_path_factory.mktemp("bench"), 3_000, seed=5)
    built = build(folder, 600, "--no-reasoner")
    store = ox.Store()
    store.bulk_load(path=str(published(folder)), format=ox.RdfFormat.N_TRIPLES)
    assert len(store) == built["triples"]
    return store, URIRef(SYNTHETIC_NS + "org-3-fr"), folder


def test_every_query_runs_with_its_bindings(synthetic_store):
    store, entity, folder = synthetic_store
    queries = workload(folder, entity)
    assert {q.group for q in queries} >= {"pages"}
    engine = RawEngine(store)
    failures = {q.name: outcome.detail for q in queries
                if (outcome := engine.run(q.text, q.form)).status != "ok"}
    assert failures == {}


def test_bound_entity_reaches_the_query(synthetic_store):
    store, entity, folder = synthetic_store
    describe = next(q for q in workload(folder, entity) if q.name == "describe")
    triples = list(store.query(describe.text))
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    about = [t for t in triples if t.predicate.value != label]
    assert any(t.subject.value == str(entity) for t in about)
    assert any(t.object.value == str(entity) for t in about)   # lab-3-fr is part of it
    assert all(str(entity) in (t.subject.value, t.object.value) for t in about)


def test_catalogue_keeps_its_curated_answers(synthetic_store, built_root):
    """Grown by synthetic data, the graph still answers every catalogue query at least as fully
    as the curated graph alone (so no catalogue timing measures an empty answer), and the
    questions about the CNC itself (its steering ministries) exactly as before."""
    store, entity, folder = synthetic_store
    curated = ox.Store()
    curated.bulk_load(path=str(built_root / "dist" / "cnc-kg.nt"), format=ox.RdfFormat.N_TRIPLES)
    catalogue = [q for q in workload(folder, entity) if q.group == "catalogue"]
    assert catalogue
    for query in catalogue:
        grown = RawEngine(store).run(query.text, query.form)
        alone = RawEngine(curated).run(query.text, query.form)
        assert grown.status == alone.status == "ok", query.name
        assert grown.rows >= alone.rows > 0, query.name
        if query.name.startswith("cq-05"):
            assert grown.rows == alone.rows


def test_distinct_cheap_queries_each_ask_about_an_entity_of_the_graph(synthetic_store):
    """The load run of a new query each time asks for the labels of every generated
    organisation and laboratory in turn: each one exists and has its own answer."""
    store, _, folder = synthetic_store
    entities = distinct_entities(folder)
    assert len(set(entities)) == len(entities) > 20
    text = (SERVER_QUERIES / f"{CHEAP}.rq").read_text(encoding="utf-8")
    for entity in entities:
        rows = list(store.query(bound(text, entity)))
        assert rows and {row["iri"].value for row in rows} == {str(entity)}, entity


def test_request_profile_tells_kept_answers_from_engine_work(synthetic_store):
    """The profile of each kind of request adds up, and shows what the server does: a query
    asked again never waits for an engine process, a new one does."""
    _, entity, folder = synthetic_store
    profile = request_profile(folder, entity, requests=40)
    assert set(profile) == {"static route", "cheap SELECT, asked again",
                            "cheap SELECT, a new query each time", "cached entity page"}
    for kind in profile.values():
        assert kind["us_per_request"] > 0 and kind["top"]
        assert abs(sum(kind["groups"].values()) - 1) < 1e-6
    waiting = "engine process (waiting)"
    assert profile["cheap SELECT, a new query each time"]["groups"].get(waiting, 0) > 0
    assert waiting not in profile["cheap SELECT, asked again"]["groups"]


def test_a_load_round_says_where_the_machine_spent_its_cpu():
    """A child process burning CPU in the window (wrk's place) is counted as such; the shares
    cover the machine's time (with idle), and a round far under its median is explained in
    the report with them."""
    window = CpuWindow.start()
    subprocess.run([sys.executable, "-c", "sum(i * i for i in range(3_000_000))"], check=True)
    shares = window.stop()
    assert shares["wrk"] > 0.05
    assert 0.5 < sum(shares.values()) < 1.5          # both cores' time, give or take rounding
    run = {"requests_per_s": 5000.0, "rounds_per_s": [5000.0, 1800.0, 5100.0],
           "rounds_cpu": [{"cnc-kg": 0.8}, shares, {"cnc-kg": 0.8}], "cpu": {"cnc-kg": 0.8},
           "rounds_connections": [[8, 8], [16, 0], [9, 7]], "connections": [8, 8]}
    lines = slow_rounds({"sizes": [{"triples": 1000, "load_runs": {"cnc-kg": {"page": run}}}]})
    assert len([line for line in lines if line.startswith("- ")]) == 1
    assert "round 2: 1,800 req/s" in lines[-1] and "wrk" in lines[-1]
    assert "16, 0 (median round: 8, 8)" in lines[-1]


def test_connections_are_counted_per_serving_process(tmp_path):
    """A process serving a port shows its established connections; a process that listens but
    holds none shows 0."""
    import socket

    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        assert connections_per_process(port) == [0]
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
        accepted = [server.accept()[0] for _ in clients]
        try:
            assert connections_per_process(port) == [3]
        finally:
            for sock in clients + accepted:
                sock.close()


def test_the_profile_shows_the_run_before_beside_this_one(tmp_path):
    """The per-request profile of a size measured again keeps the earlier run's figures; a
    size this run does not measure, or an earlier run without a profile, gives none."""
    earlier = {"environment": {"date": "2026-01-01"}, "sizes": [
        {"size": 1000, "triples": 1000, "request_profile": {
            "static route": {"us_per_request": 150.0, "groups": {}, "top": []}}},
        {"size": 2000, "triples": 2000, "request_profile": {
            "static route": {"us_per_request": 170.0, "groups": {}, "top": []}}},
        {"size": 3000, "triples": 3000}]}
    path = tmp_path / "results.json"
    path.write_text(json.dumps(earlier), encoding="utf-8")
    before = earlier_profiles(path, {1000, 3000})
    assert before == {1000: {"run_date": "2026-01-01",
                             "us_per_request": {"static route": 150.0}}}
    now = {"sizes": [{"size": 1000, "triples": 1000, "profile_before": before[1000],
                      "request_profile": {"static route": {
                          "us_per_request": 120.0, "groups": {"werkzeug": 0.5}, "top": []}}}]}
    assert "| static route | 120 | 150 | werkzeug 50% |" in profile_section(now)


def test_processes_are_grouped_by_server():
    """Our server and its engines, and each peer even when it serves our dump by name."""
    assert group_of("/repo/.venv/bin/python /repo/.venv/bin/cnc-kg serve --root x") == "cnc-kg"
    assert group_of("/usr/bin/python3 -m server.store.engine --store x/dist/store") == "cnc-kg"
    assert group_of("/repo/.venv/bin/rdflib-endpoint serve x/dist/cnc-kg.nt") == "rdflib-endpoint"
    assert group_of("/usr/bin/virtuoso-t +foreground +configfile x/cnc-kg/virtuoso.ini") == \
        "Virtuoso"
    assert group_of("/usr/bin/wrk -t2 http://127.0.0.1:1/robots.txt") == "other"
