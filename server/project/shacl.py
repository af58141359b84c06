"""SHACL validation of the graph and of the shapes themselves (https://www.w3.org/TR/shacl/).

Runs a SHACL engine on the union of data and ontology (the ``shacl`` package's Rust engine:
pySHACL's report, in seconds at a million triples; bench/validation.md) and turns its results
graph into plain ``Finding`` records that the CLI, the build and the tests share. The shapes
graph itself is checked by pySHACL against SHACL-for-SHACL.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from pyshacl.entrypoints import meta_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
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
    """Validate ``data`` against ``shapes``, with the ``ontology`` merged in (rdflib graphs).

    The union gives SHACL the class hierarchy (sh:targetClass reaches subclasses) and lets the
    declared-terms shape see the ontology. No inference: shapes see only asserted triples.
    """
    union = Graph()
    for source in (data, ontology):
        # triples() rather than iteration: a ConjunctiveGraph iterates quads
        for triple in source.triples((None, None, None)):
            union.add(triple)
    return validate_ntriples(union.serialize(format="nt", encoding="utf-8"), shapes)


def validate_ntriples(data: bytes, shapes: Graph) -> Report:
    """Validate the graph ``data`` (N-Triples: the data and the ontology) against ``shapes``.

    The engine is the Rust SHACL engine of the ``shacl`` package: its report is pySHACL's on
    every example, mutation test and synthetic project we have (bench/validation.md), and it
    validates a million triples in seconds where pySHACL took over 19 minutes. No inference:
    shapes see only asserted triples. Raises ``ShapesNotRunnable`` for shapes it cannot run.
    """
    import shacl as engine  # a compiled extension, imported when validating only

    problem = _malformed_property_shape(shapes)
    if problem is not None:
        raise ShapesNotRunnable(problem)
    with tempfile.NamedTemporaryFile(suffix=".nt", prefix="cnc-kg-shacl-") as file:
        file.write(data)
        file.flush()
        try:
            compiled = engine.Shapes.from_text(
                shapes.serialize(format="nt", encoding="utf-8").decode("utf-8"),
                format="ntriples")
            report = compiled.validate_file(file.name, allow_warnings=True)
        except ValueError as error:  # a malformed shape: a pattern, a query, a count ...
            raise ShapesNotRunnable(str(error)) from error
    return report_of_results(Graph().parse(data=report.serialize("ntriples"), format="nt"))


class ShapesNotRunnable(RuntimeError):
    """A shape cannot be run (a property shape without a path, a query that does not parse)."""


def _malformed_property_shape(shapes: Graph) -> str | None:
    """pySHACL's refusal of a property shape without sh:path (the engine would skip it)."""
    for shape in sorted(set(shapes.objects(None, SH.property)), key=str):
        if shapes.value(shape, SH.path) is None:
            return (f"'{shape}' exists but is not a well-formed SHACL PropertyShape. "
                    "Ensure it has the correct type (sh:PropertyShape) and all required "
                    "properties.")
    return None


def check_shapes(shapes: Graph) -> Report:
    """Check that ``shapes`` is itself valid SHACL, against the SHACL-for-SHACL shapes graph."""
    _conforms, results, _text = meta_validate(shapes, inference="none")
    return report_of_results(results)


def report_of_results(results: Graph) -> Report:
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
