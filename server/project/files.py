"""Load a project folder's Turtle files (https://www.w3.org/TR/turtle/) into graphs, with origins.

Files are parsed by pyoxigraph's strict W3C Turtle parser, which reports line *and* column of a
syntax error, then handed over as rdflib graphs (what pySHACL and the serialisers take).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from server.config import Settings
from server.namespaces import bind_prefixes

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_POSITION_TEXT = re.compile(r"^Parser error (?:at|between) [^:]*:\s*|\s*\(line \d+\)$")


class ProjectError(Exception):
    """The project folder cannot be read as a project (missing or empty folder)."""


class RdfSyntaxError(ProjectError):
    """A Turtle file does not parse; carries the file, line, column and the parser's message."""

    def __init__(self, path: Path, line: int | None, column: int | None, message: str):
        self.path, self.line, self.column, self.message = path, line, column, message
        where = f"{path}:{line}:{column}" if line is not None else str(path)
        super().__init__(f"{where}: Turtle syntax error: {message}")


@dataclass(frozen=True)
class TypeConflict:
    """A subject typed differently in several files: each file, line and the types it gives."""

    focus_node: URIRef
    definitions: tuple[tuple[Path, int, tuple[URIRef, ...]], ...]


@dataclass
class Project:
    """The parsed project: one graph per folder, the files read, where each subject is defined."""

    ontology: Graph
    shapes: Graph
    data: Graph
    files: list[Path]
    origins: dict[URIRef, tuple[Path, int]]
    ontology_files: list[Path] = field(default_factory=list)
    type_conflicts: list[TypeConflict] = field(default_factory=list)

    def published(self) -> Graph:
        """The graph that is published and queried: ontology + data (shapes are not part of it)."""
        graph = bind_prefixes(Graph())
        graph += self.ontology
        graph += self.data
        return graph


@dataclass
class _ParsedFile:
    """One file's triples and the line where each of its subjects' blocks starts."""

    path: Path
    triples: list[tuple[Node, Node, Node]]
    origins: dict[URIRef, int]


def turtle_files(folder: Path) -> list[Path]:
    """Every ``*.ttl`` under ``folder`` (or ``folder`` itself if it is a file), sorted.

    A missing folder or one without Turtle files is an error: a check over nothing must not pass.
    """
    if folder.is_file():
        return [folder]
    if not folder.is_dir():
        raise ProjectError(f"{folder}: folder not found")
    files = sorted(folder.rglob("*.ttl"))
    if not files:
        raise ProjectError(f"{folder}: no .ttl file in this folder")
    return files


def load_project(settings: Settings) -> Project:
    """Parse every Turtle file of ``ontology/``, ``shapes/`` and the data folder of ``settings``.

    Raises ``RdfSyntaxError`` on the first file that does not parse, ``ProjectError`` for a
    missing or empty folder.
    """
    groups = {
        "ontology": turtle_files(settings.ontology_dir),
        "shapes": turtle_files(settings.shapes_dir),
        "data": turtle_files(settings.data_path),
    }
    graphs: dict[str, Graph] = {}
    parsed_all: list[_ParsedFile] = []
    for name, paths in groups.items():
        graph = bind_prefixes(Graph())
        for path in paths:
            parsed = parse_turtle_file(path)
            for triple in parsed.triples:
                graph.add(triple)
            parsed_all.append(parsed)
        graphs[name] = graph
    # A subject described in several files is placed in the one that says most about it.
    weight: dict[URIRef, int] = {}
    origins: dict[URIRef, tuple[Path, int]] = {}
    for parsed in parsed_all:
        counts = Counter(s for s, _, _ in parsed.triples)
        for subject, line in parsed.origins.items():
            if counts[subject] > weight.get(subject, 0):
                weight[subject] = counts[subject]
                origins[subject] = (parsed.path, line)
    return Project(
        ontology=graphs["ontology"],
        shapes=graphs["shapes"],
        data=graphs["data"],
        files=[path for paths in groups.values() for path in paths],
        origins=origins,
        ontology_files=groups["ontology"],
        type_conflicts=_conflicting_types(
            [parsed for parsed in parsed_all if parsed.path not in groups["shapes"]]),
    )


def parse_turtle_file(path: Path) -> _ParsedFile:
    """Parse one Turtle file into rdflib triples and the line where each subject's block starts."""
    text = path.read_bytes()
    # No base IRI: a relative IRI in curated data is a mistake, so it must fail to parse.
    parser = ox.parse(input=text, format=ox.RdfFormat.TURTLE)
    blank_nodes: dict[str, BNode] = {}  # labels are scoped to their file, as Turtle says
    try:
        triples = [
            (_to_rdflib(q.subject, blank_nodes), _to_rdflib(q.predicate, blank_nodes),
             _to_rdflib(q.object, blank_nodes))
            for q in parser
        ]
    except SyntaxError as err:  # also raised for bytes that are not UTF-8
        # pyoxigraph wraps its reason in position text; the position is in lineno/offset.
        message = _POSITION_TEXT.sub("", str(err.args[0] if err.args else err))
        raise RdfSyntaxError(path, err.lineno, err.offset, message) from err
    subjects = {s for s, _, _ in triples if isinstance(s, URIRef)}
    origins = _block_starts(text.decode("utf-8"), parser.prefixes, parser.base_iri, subjects)
    return _ParsedFile(path=path, triples=triples, origins=origins)


def _to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal, blank_nodes: dict[str, BNode]):
    """The rdflib term for a pyoxigraph term (plain strings stay untyped, as rdflib parses them)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return blank_nodes.setdefault(term.value, BNode())
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == _XSD_STRING:
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


# A statement's subject at the start of a line: <iri> or prefix:local (PN_LOCAL, loosely).
_SUBJECT_AT_LINE_START = re.compile(r"^(?:<([^>\s]*)>|([A-Za-z][\w.-]*)?:((?:[^\s;,\\]|\\.)*))")
_DIRECTIVE = re.compile(r"^(@prefix|@base|prefix\s|base\s)", re.IGNORECASE)


def _block_starts(text: str, prefixes: dict[str, str], base: str | None,
                  subjects: set[URIRef]) -> dict[URIRef, int]:
    """Line (1-based) of the first block whose subject starts at column 0, per subject.

    A candidate is kept only if it is a real subject of the file, so text inside long strings
    that happens to start a line cannot invent an origin.
    """
    found: dict[URIRef, int] = {}
    for number, line in enumerate(text.split("\n"), start=1):  # Turtle's lines, not Unicode's
        if not line or line[0] in " \t#" or _DIRECTIVE.match(line):
            continue
        match = _SUBJECT_AT_LINE_START.match(line)
        if match is None:
            continue
        iri_ref, prefix, local = match.groups()
        if iri_ref is not None:
            iri = URIRef(iri_ref if ":" in iri_ref or base is None else base + iri_ref)
        elif (prefix or "") in prefixes:
            iri = URIRef(prefixes[prefix or ""] + re.sub(r"\\(.)", r"\1", local.rstrip(".")))
        else:
            continue
        if iri in subjects:
            found.setdefault(iri, number)
    return found


def _conflicting_types(files: list[_ParsedFile]) -> list[TypeConflict]:
    """Subjects typed in more than one file with different types (an IRI reused by mistake?)."""
    types: dict[URIRef, dict[Path, set[URIRef]]] = defaultdict(lambda: defaultdict(set))
    lines = {parsed.path: parsed.origins for parsed in files}
    for parsed in files:
        for s, p, o in parsed.triples:
            if p == RDF.type and isinstance(s, URIRef):
                types[s][parsed.path].add(o)
    return [
        TypeConflict(subject, tuple((path, lines[path].get(subject, 0), tuple(sorted(kinds)))
                                    for path, kinds in per_file.items()))
        for subject, per_file in types.items()
        if len({frozenset(kinds) for kinds in per_file.values()}) > 1
    ]
