"""The project folder as the importer sees it: ontology, shapes, and each data/ file's own graph.

Unlike ``project.files.load_project`` it keeps the data files apart (an import replaces its own
``imported-<kind>.ttl``) and accepts a data/ folder with no file yet (a fresh project).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from server.config import Settings
from server.namespaces import bind_prefixes
from server.project.files import parse_turtle_file, turtle_files
from server.project.shacl import load_shapes

IMPORTED_PREFIX = "imported-"


def imported_file_name(kind: str) -> str:
    """The data/ file an import of ``kind`` writes (hand-curated files are never rewritten)."""
    return f"{IMPORTED_PREFIX}{kind}.ttl"


def graph_of(path: Path) -> Graph:
    """One Turtle file as an rdflib graph (strict parser; errors name file, line and column)."""
    graph = bind_prefixes(Graph())
    for triple in parse_turtle_file(path).triples:
        graph.add(triple)
    return graph


@dataclass
class Workspace:
    """Ontology, shapes and data of a project folder, data kept per file."""

    settings: Settings
    ontology: Graph
    shapes: Graph
    data_files: dict[Path, Graph]

    @property
    def data_dir(self) -> Path:
        return self.settings.data_path

    def imported_path(self, kind: str) -> Path:
        """Where the import of ``kind`` is written."""
        return self.data_dir / imported_file_name(kind)

    def data(self, without: set[Path] = frozenset()) -> Graph:
        """The union of every data file except those in ``without``."""
        graph = bind_prefixes(Graph())
        for path, part in self.data_files.items():
            if path not in without:
                graph += part
        return graph

    def defining_files(self) -> dict[URIRef, Path]:
        """Every subject typed in data/, with the (first) file that types it."""
        found: dict[URIRef, Path] = {}
        for path, graph in self.data_files.items():
            for subject in graph.subjects(RDF.type):
                if isinstance(subject, URIRef):
                    found.setdefault(subject, path)
        return found


def load_workspace(settings: Settings) -> Workspace:
    """Read the project of ``settings``; a Turtle error propagates as ``RdfSyntaxError``."""
    ontology = bind_prefixes(Graph())
    for path in turtle_files(settings.ontology_dir):
        ontology += graph_of(path)
    data_dir = settings.data_path
    files = sorted(data_dir.rglob("*.ttl")) if data_dir.is_dir() else []
    return Workspace(settings=settings, ontology=ontology, shapes=load_shapes(settings.shapes_dir),
                     data_files={path: graph_of(path) for path in files})
