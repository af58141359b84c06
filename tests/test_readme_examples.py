"""The examples of docs/clients.md marked ``<!-- tested -->`` run as written against a live
server (its address put for http://127.0.0.1:8000/), and say what the graph says.

The data-science block is also the README's example: its expected figures are computed from the
dump with rdflib, never written here.
"""

from __future__ import annotations

import contextlib
import io
import re
import textwrap
from collections import defaultdict
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import FOAF, ORG, RDF, RDFS

from server.config import DATA_NS
from server.namespaces import CNC

DOC = Path(__file__).resolve().parent.parent / "docs" / "clients.md"
README = DOC.parent.parent / "README.md"
EXAMPLE_SERVER = "http://127.0.0.1:8000/"
TESTED = re.compile(r"<!-- tested -->[ \t]*\n([ \t]*)```python\n(.*?)\n\1```", re.DOTALL)


def marked_blocks() -> list[str]:
    blocks = [textwrap.dedent("\n".join(line.removeprefix(indent) for line in body.split("\n")))
              for indent, body in TESTED.findall(DOC.read_text("utf-8"))]
    assert len(blocks) >= 3, f"{DOC} lost its tested examples"
    return blocks


def run(block: str, live_server: str) -> tuple[dict, str]:
    """Execute ``block`` against ``live_server``; its variables and what it printed."""
    assert EXAMPLE_SERVER in block
    namespace: dict = {"__name__": "example"}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(block.replace(EXAMPLE_SERVER, live_server), str(DOC), "exec"), namespace)
    return namespace, printed.getvalue()


def block_with(text: str) -> str:
    return next(block for block in marked_blocks() if text in block)


@pytest.fixture(scope="module")
def graph(built_root: Path) -> Graph:
    return Graph().parse(built_root / "dist" / "cnc-kg.nt", format="nt")


def test_readme_example_is_the_tested_one():
    """The README shows the data-science block of docs/clients.md, word for word."""
    readme = README.read_text("utf-8")
    assert "<!-- tested -->" in readme
    assert block_with("pivot_table").strip() in readme


def test_every_tested_block_runs(live_server):
    for block in marked_blocks():
        run(block, live_server)


def english(graph: Graph, node) -> str | None:
    return next((str(o) for o in graph.objects(node, RDFS.label) if o.language == "en"), None)


def partner_name(graph: Graph, node) -> str:
    return english(graph, node) or next(str(o) for o in graph.objects(node, RDFS.label)
                                        if o.language == "fr")


def test_data_science_example_counts_partners_by_country(live_server, graph):
    namespace, printed = run(block_with("pivot_table"), live_server)
    counts, nodes = namespace["counts"], namespace["nodes"]
    kinds = set(graph.transitive_subjects(RDFS.subClassOf, CNC.JointResearchStructure))
    expected: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for structure in {s for s, c in graph.subject_objects(RDF.type) if c in kinds}:
        status = "CNC node" if (structure, CNC.nodeOf, URIRef(DATA_NS + "cnc")) in graph \
            else "candidate"
        for partner in {*graph.objects(structure, CNC.partner),
                        *graph.objects(structure, CNC.coordinatingOrganisation)}:
            countries = {english(graph, c)
                         for org in graph.transitive_objects(partner, ORG.subOrganizationOf)
                         for c in graph.objects(org, CNC.country)} or {"(not stated)"}
            for country in countries:
                expected[status, str(structure)[len(DATA_NS):], country].add(
                    partner_name(graph, partner))
    assert expected, "data/ has no joint structure: the example would show nothing"
    got = {(status, structure, country): int(n)
           for (status, structure), row in counts.iterrows()
           for country, n in row.items() if n}
    assert got == {key: len(names) for key, names in expected.items()}
    assert set(nodes["structure"]) == {s for status, s, _ in expected if status == "CNC node"}
    assert "CNC node" in printed and "candidate" in printed


def test_sparqlwrapper_workaround_example(live_server, graph):
    namespace, _ = run(block_with("client.queryType = SELECT"), live_server)
    assert namespace["website"] == str(graph.value(URIRef(DATA_NS + "cnc"), FOAF.homepage))


def test_reconciliation_example(live_server):
    namespace, printed = run(block_with("/reconcile"), live_server)
    best = {key: answer["result"][0] for key, answer in namespace["answers"].items()}
    assert {key: b["id"] for key, b in best.items()} == {"q0": "pku", "q1": "cas", "q2": "uccs"}
    assert best["q0"]["match"] and best["q1"]["match"]
    assert "pku" in printed
