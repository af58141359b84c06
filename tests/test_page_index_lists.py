"""Sorted class lists in the page index (``page_index.sorted_members``): kept in runs of
``CHUNK`` term ids, read back for any page, in both directions, across run boundaries — on an
index written by ``page_index.write`` from a real store of more than two runs of entities."""

from __future__ import annotations

import random
from pathlib import Path

import pyoxigraph as ox
import pytest

from server.config import DATA_NS
from server.store.page_index import CHUNK, PageIndex, write

GRAPH = "https://example.org/graph"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SUBCLASS = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
THING = "https://example.org/Thing"
KINDS = {"https://example.org/Alpha": "Alpha", "https://example.org/Beta": "Beta"}
ENTITIES = 2 * CHUNK + 300            # three runs, the last one short


def _entities() -> dict[str, tuple[str, str]]:
    """``{iri: (name, kind)}``; names and kinds in shuffled IRI order, so that neither the
    name order nor the kind order follows the IRIs."""
    numbers = list(range(ENTITIES))
    random.Random(7).shuffle(numbers)
    kinds = list(KINDS)
    return {f"{DATA_NS}list-test-{i}": (f"Entity {n:05d}", kinds[n % 3 == 0])
            for i, n in enumerate(numbers)}


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory):
    graph = ox.NamedNode(GRAPH)
    quads = [ox.Quad(ox.NamedNode(kind), SUBCLASS, ox.NamedNode(THING), graph) for kind in KINDS]
    quads += [ox.Quad(ox.NamedNode(kind), LABEL, ox.Literal(name, language="en"), graph)
              for kind, name in KINDS.items()]
    for iri, (name, kind) in _entities().items():
        quads += [ox.Quad(ox.NamedNode(iri), RDF_TYPE, ox.NamedNode(kind), graph),
                  ox.Quad(ox.NamedNode(iri), LABEL, ox.Literal(name, language="en"), graph)]
    store = ox.Store()
    store.extend(quads)
    path = Path(tmp_path_factory.mktemp("index")) / "pages.sqlite"
    write(path, store, GRAPH, "test", len(quads), "2026-01-01T00:00:00+00:00")
    opened = PageIndex(path)
    yield opened
    opened.close()


def _by_name() -> list[str]:
    return [iri for iri, _ in sorted(_entities().items(), key=lambda item: item[1][0])]


def test_the_whole_list_is_every_member_in_name_order(index):
    assert [str(i) for i in index.sorted_members(THING, "en", "name")] == _by_name()
    assert index.member_count(THING) == ENTITIES


def test_a_column_orders_by_its_value_then_by_name(index):
    entities = _entities()
    expected = sorted(_by_name(), key=lambda iri: KINDS[entities[iri][1]])
    assert [str(i) for i in index.sorted_members(THING, "en", "type")] == expected


@pytest.mark.parametrize("column", ["name", "type"])
@pytest.mark.parametrize("offset, limit", [
    (0, 100), (CHUNK - 1, 2), (CHUNK - 50, 100), (CHUNK, CHUNK), (CHUNK - 1, CHUNK + 2),
    (2 * CHUNK - 1, 1), (ENTITIES - 7, 100), (ENTITIES - 1, 5), (ENTITIES, 10), (5, 0),
    (3, None), (ENTITIES + 1, None)])
def test_any_page_is_a_slice_of_the_list_in_both_directions(index, column, offset, limit):
    whole = index.sorted_members(THING, "en", column)
    end = None if limit is None else offset + limit
    assert index.sorted_members(THING, "en", column, False, offset, limit) == whole[offset:end]
    assert index.sorted_members(THING, "en", column, True, offset, limit) == \
        whole[::-1][offset:end]


def test_a_subclass_list_and_an_unknown_class(index):
    entities = _entities()
    betas = [iri for iri in _by_name() if entities[iri][1] == "https://example.org/Beta"]
    assert [str(i) for i in index.sorted_members("https://example.org/Beta", "en",
                                                 "name")] == betas
    assert index.sorted_members("https://example.org/Nothing", "en", "name") == []
