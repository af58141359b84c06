"""The benchmark's workload: every catalogue and page query, with its bindings, runs on the
embedded engine and answers about the bound entity (timings are never asserted)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import URIRef

from server.bench.clients import RawEngine
from server.bench.data import publish
from server.bench.workload import workload
from server.generate import SYNTHETIC_NS, generate_project

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def synthetic_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[ox.Store, URIRef, Path]:
    folder = tmp_path_factory.mktemp("bench") / "synthetic"
    generate_project(REPO, folder, 3_000, seed=5)
    published = publish(folder)
    store = ox.Store()
    store.bulk_load(path=str(folder / "dist" / "cnc-kg.nt"), format=ox.RdfFormat.N_TRIPLES)
    assert len(store) == published
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
