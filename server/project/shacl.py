"""SHACL validation of the graph and of the shapes themselves (https://www.w3.org/TR/shacl/).

Runs a SHACL engine on the union of data and ontology (the ``shacl`` package's Rust engine:
pySHACL's report, in seconds at a million triples; bench/validation.md) and turns its results
graph into plain ``Finding`` records that the CLI, the build and the tests share. The shapes
graph itself is checked by pySHACL against SHACL-for-SHACL.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pyshacl.entrypoints import meta_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from server.project import shacl_engine
from server.project.shacl_engine import ShapesNotRunnable

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
    shapes_text = _runnable_shapes(shapes)
    with tempfile.NamedTemporaryFile(suffix=".nt", prefix="cnc-kg-shacl-") as file:
        file.write(data)
        file.flush()
        return _report(shacl_engine.results(Path(file.name), shapes_text))


class ShaclRun:
    """``validate_ntriples`` in a process of its own, started at once: the caller works
    meanwhile (the engine would hold this process's interpreter lock) and ``report()`` waits
    for the answer. Use it in a ``with`` block: leaving the block stops the process. Shapes no
    engine can run start nothing; ``report()`` raises their ``ShapesNotRunnable``."""

    def __init__(self, data: bytes, shapes: Graph):
        self.seconds: float | None = None    # the engine's wall-clock time, once it is known
        self._process: subprocess.Popen | None = None
        try:
            shapes_text = _runnable_shapes(shapes)
        except ShapesNotRunnable as refusal:
            self._refusal: ShapesNotRunnable | None = refusal
            return
        self._refusal = None
        self._folder = tempfile.TemporaryDirectory(prefix="cnc-kg-shacl-")
        folder = Path(self._folder.name)
        self._data, self._shapes, self._out = (folder / name for name in
                                               ("data.nt", "shapes.nt", "results.nt"))
        self._data.write_bytes(data)
        self._shapes.write_text(shapes_text, encoding="utf-8")
        self._process = subprocess.Popen(
            [sys.executable, "-m", shacl_engine.__name__, self._data, self._shapes, self._out],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def report(self) -> Report:
        """The report, once the engine has finished (``ShapesNotRunnable`` as in-process)."""
        if self._refusal is not None:
            raise self._refusal
        printed, errors = self._process.communicate()
        said = errors.decode("utf-8", "replace").strip()
        if self._process.returncode == shacl_engine.NOT_RUNNABLE:
            raise ShapesNotRunnable(said)
        if self._process.returncode != 0:
            raise RuntimeError(f"the SHACL engine stopped with exit code "
                               f"{self._process.returncode}: {said}")
        self.seconds = float(printed)
        return _report(self._out.read_text("utf-8"))

    def __enter__(self) -> ShaclRun:
        return self

    def __exit__(self, *exc_info) -> None:
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        for pipe in (self._process.stdout, self._process.stderr):
            pipe.close()                      # read by report(), if it was called
        self._folder.cleanup()


def _runnable_shapes(shapes: Graph) -> str:
    """``shapes`` as N-Triples for the engine; ``ShapesNotRunnable`` for what it would skip."""
    problem = _malformed_property_shape(shapes)
    if problem is not None:
        raise ShapesNotRunnable(problem)
    return shapes.serialize(format="nt", encoding="utf-8").decode("utf-8")


def _report(results: str) -> Report:
    return report_of_results(Graph().parse(data=results, format="nt"))


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
