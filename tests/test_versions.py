"""Dataset versions (server/project/versions.py): hash, counts, dumps, entity diff, feed."""

from __future__ import annotations

import datetime
import gzip
from pathlib import Path

import pyoxigraph as ox
from importing import run, sample_files, scratch_project
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS

from server.project.build import canonical_lines
from server.project.versions import changes, history, record_version, sorted_ntriples

KG = "https://w3id.org/cnc-kg/id/"


def _data(project: Path) -> Graph:
    graph = Graph()
    for path in sorted((project / "data").glob("*.ttl")):
        graph.parse(path)
    return graph


def _lines(graph: Graph) -> list[str]:
    return sorted_ntriples(graph)


def test_two_builds_give_two_versions_and_the_difference(tmp_path: Path):
    project = scratch_project(tmp_path / "project")
    assert run(project, "import", *map(str, sample_files())).exit_code == 0
    first_graph = _data(project)
    first = record_version(tmp_path / "dist1", _lines(first_graph),
                           now=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    assert (first.number, first.previous, first.removed) == (1, None, [])
    assert KG + "e2p2l" in first.added and first.triples == len(first_graph)
    assert first.classes["https://w3id.org/cnc-kg/ontology/NetworkNode"] == 1

    # same content again: no new version
    assert record_version(tmp_path / "dist1", _lines(first_graph)) == first

    second_graph = Graph() + first_graph
    second_graph.remove((URIRef(KG + "cas"), None, None))
    second_graph.add((URIRef(KG + "shanghai"), RDFS.label, Literal("上海", lang="zh")))
    second_graph.add((URIRef(KG + "new-place"), RDFS.label, Literal("x", lang="en")))
    second = record_version(tmp_path / "dist2", _lines(second_graph),
                            history_from=tmp_path / "dist1")
    assert (second.number, second.previous) == (2, 1)
    assert second.added == [KG + "new-place"]
    assert second.changed == [KG + "shanghai"]
    assert second.removed == [KG + "cas"]
    assert second.sha256 != first.sha256
    assert [v.number for v in history(tmp_path / "dist2")] == [1, 2]

    feed = changes(tmp_path / "dist2")
    assert [entry["number"] for entry in feed] == [2, 1]
    assert changes(tmp_path / "dist2", since=1)[0]["removed"] == [KG + "cas"]
    with gzip.open(tmp_path / "dist2" / feed[1]["dump"], "rt", encoding="utf-8") as dump:
        assert isomorphic(Graph().parse(data=dump.read(), format="nt"), first_graph)


def test_canonical_lines_ignore_blank_node_labels_line_order_and_repeats():
    """The content hash rests on these lines: the same graph must give the same lines however
    its blank nodes are labelled and its triples ordered, and a line separator inside a
    literal (U+2028) or "_:" inside text must not cut or change a line."""
    first = ('<http://x/a> <http://x/p> _:one .\n'
             '_:one <http://x/q> _:two .\n'
             '_:two <http://x/r> "ends\u2028here"@en .\n'
             '<http://x/a> <http://x/s> "_:not-a-node" .\n'
             '<http://x/a> <http://x/s> "_:not-a-node" .\n')
    second = ('<http://x/a> <http://x/s> "_:not-a-node" .\n'
              '_:b7 <http://x/r> "ends\u2028here"@en .\n'
              '_:zz <http://x/q> _:b7 .\n'
              '<http://x/a> <http://x/p> _:zz .\n')

    def ntriples(text: str) -> bytes:
        return ox.serialize(ox.parse(text, format=ox.RdfFormat.N_TRIPLES),
                            format=ox.RdfFormat.N_TRIPLES)

    lines = canonical_lines(ntriples(first))
    assert lines == canonical_lines(ntriples(second))
    assert len(lines) == 4 and all(line.endswith(" .\n") for line in lines)
    assert '<http://x/a> <http://x/s> "_:not-a-node" .\n' in lines
    whole = ox.Dataset(ox.parse(first, format=ox.RdfFormat.N_TRIPLES))
    whole.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    assert lines == sorted({f"{q.subject} {q.predicate} {q.object} .\n" for q in whole})
