"""SHACL validation of the graph and of the shapes themselves (https://www.w3.org/TR/shacl/).

Runs pySHACL on the union of data and ontology and turns its results graph into plain
``Finding`` records that the CLI, the build and the tests share.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyshacl
from pyshacl.entrypoints import meta_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

SEVERITIES = ("Violation", "Warning", "Info")


@dataclass(frozen=True)
class Finding:
    """One SHACL validation result."""

    severity: str      # "Violation" | "Warning" | "Info"
    focus_node: str    # IRI or blank node id as text
    path: str | None
    value: str | None
    message: str
    shape: str         # source shape IRI (or named check)
    constraint: str    # constraint component IRI (or named check)


@dataclass(frozen=True)
class Report:
    """All findings of one validation run; the graph conforms when none is a violation."""

    conforms: bool
    findings: list[Finding]

    @property
    def violations(self) -> list[Finding]:
        """Findings of severity Violation."""
        return [f for f in self.findings if f.severity == "Violation"]

    @property
    def warnings(self) -> list[Finding]:
        """Findings of severity Warning."""
        return [f for f in self.findings if f.severity == "Warning"]


def load_shapes(shapes_dir: Path) -> Graph:
    """Parse every ``*.ttl`` file of ``shapes_dir`` into one shapes graph.

    Raises FileNotFoundError when the folder holds no shapes, so validation can never pass by
    checking nothing; a Turtle syntax error propagates from rdflib naming the file and line.
    """
    files = sorted(Path(shapes_dir).glob("*.ttl"))
    if not files:
        raise FileNotFoundError(f"no shapes (*.ttl) in {shapes_dir}")
    shapes = Graph()
    for file in files:
        shapes.parse(file, format="turtle")
    return shapes


def validate(data: Graph, ontology: Graph, shapes: Graph) -> Report:
    """Validate ``data`` against ``shapes``, with the ``ontology`` merged in.

    The union gives SHACL the class hierarchy (sh:targetClass reaches subclasses) and lets the
    declared-terms shape see the ontology. No inference: shapes see only asserted triples.
    """
    union = _PreparedQueryGraph()
    for source in (data, ontology):
        # triples() rather than iteration: a ConjunctiveGraph iterates quads
        for triple in source.triples((None, None, None)):
            union.add(triple)
    _conforms, results, _text = pyshacl.validate(
        union, shacl_graph=shapes, inference="none", abort_on_first=False, allow_warnings=True,
    )
    return _report(results)


@lru_cache(maxsize=256)
def _prepared(query: str) -> Query:
    """Parse a SPARQL query once per process."""
    return prepareQuery(query)


class _PreparedQueryGraph(Graph):
    """A graph that parses each SPARQL query text once.

    pySHACL runs every SPARQL-based constraint once per focus node with the same text and new
    initBindings; rdflib would re-parse it each time (about 50 ms for our queries, which made a
    small graph take 25 s to validate instead of 4 s).
    """

    def query(self, query_object, processor="sparql", result="sparql", initNs=None,
              initBindings=None, use_store_provided=True, **kwargs):
        """rdflib's Graph.query, with query strings parsed through the cache."""
        if isinstance(query_object, str) and not initNs:
            query_object = _prepared(query_object)
        return super().query(query_object, processor, result, initNs, initBindings,
                             use_store_provided, **kwargs)


def check_shapes(shapes: Graph) -> Report:
    """Check that ``shapes`` is itself valid SHACL, against the SHACL-for-SHACL shapes graph."""
    _conforms, results, _text = meta_validate(shapes, inference="none")
    return _report(results)


def _report(results: Graph) -> Report:
    """Turn a pySHACL results graph into a sorted, deterministic Report."""
    findings = sorted(
        # top-level results only: sh:detail results of nested shapes repeat them
        {_finding(results, r) for r in results.objects(None, SH.result)},
        key=lambda f: (SEVERITIES.index(f.severity), f.focus_node, f.shape, f.path or "",
                       f.value or ""),
    )
    return Report(conforms=not any(f.severity == "Violation" for f in findings),
                  findings=findings)


def _finding(results: Graph, result: Node) -> Finding:
    """Read one sh:ValidationResult."""
    severity = results.value(result, SH.resultSeverity)
    path = results.value(result, SH.resultPath)
    value = results.value(result, SH.value)
    return Finding(
        severity=str(severity).removeprefix(str(SH)),
        focus_node=str(results.value(result, SH.focusNode)),
        path=None if path is None else _path_text(results, path),
        value=None if value is None else str(value),
        message=_message(results, result),
        shape=str(results.value(result, SH.sourceShape)),
        constraint=str(results.value(result, SH.sourceConstraintComponent)),
    )


def _message(results: Graph, result: Node) -> str:
    """The result's message, preferring English when several languages are given."""
    messages = list(results.objects(result, SH.resultMessage))
    for message in messages:
        if isinstance(message, Literal) and message.language == "en":
            return str(message)
    return str(messages[0]) if messages else ""


def _path_text(graph: Graph, path: Node) -> str:
    """A SHACL property path as SPARQL property-path text (a plain IRI stays as is)."""
    if isinstance(path, URIRef):
        return str(path)
    return _compound_path_text(graph, path)


def _compound_path_text(graph: Graph, path: Node) -> str:
    """A path step inside a compound path: IRIs in angle brackets, as SPARQL writes them."""
    if isinstance(path, URIRef):
        return f"<{path}>"
    if isinstance(path, BNode) and graph.value(path, RDF.first) is not None:
        return "/".join(_compound_path_text(graph, step) for step in Collection(graph, path))
    operators = {SH.inversePath: "^{}", SH.zeroOrMorePath: "{}*", SH.oneOrMorePath: "{}+",
                 SH.zeroOrOnePath: "{}?"}
    for predicate, template in operators.items():
        inner = graph.value(path, predicate)
        if inner is not None:
            return template.format(_compound_path_text(graph, inner))
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        steps = (_compound_path_text(graph, a) for a in Collection(graph, alternatives))
        return "(" + "|".join(steps) + ")"
    return str(path)
