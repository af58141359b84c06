"""Load a project folder's Turtle files (https://www.w3.org/TR/turtle/) into graphs, with origins.

Files are parsed by pyoxigraph's strict W3C Turtle parser, which reports line *and* column of a
syntax error. The triples stay pyoxigraph's (the SHACL engine reads them as N-Triples); rdflib
graphs, what the serialisers and the importer take, are made from them when asked for.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from itertools import chain
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from server.config import Settings
from server.namespaces import bind_prefixes

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_TYPE = ox.NamedNode(str(RDF.type))
# Literals whose lexical form rdflib keeps as written.
_AS_WRITTEN = (_XSD_STRING, "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString")
_ESCAPE = re.compile(r"\\(.)")
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


class Project:
    """The parsed project: its triples per folder, the files read, where each subject is defined.

    The triples are kept as pyoxigraph read them (``triples``); the rdflib graphs ``ontology``,
    ``shapes`` and ``data`` are made from them on first use only, since at a million triples the
    conversion costs more than the parse. Blank nodes carry the same label in both forms and in
    ``ntriples``, so a finding on a blank node can be traced back in either.
    """

    GROUPS = ("ontology", "shapes", "data")

    def __init__(self, triples: dict[str, list[ox.Quad]], files: list[Path],
                 origins: dict[URIRef, tuple[Path, int]], ontology_files: list[Path] | None = None,
                 type_conflicts: list[TypeConflict] | None = None):
        self.triples = triples
        self.files = files
        self.origins = origins
        self.ontology_files = ontology_files or []
        self.type_conflicts = type_conflicts or []
        self._owners: dict[str, tuple[str, str]] | None = None

    @cached_property
    def ontology(self) -> Graph:
        """The ontology folder as an rdflib graph."""
        return self._graph("ontology")

    @cached_property
    def shapes(self) -> Graph:
        """The shapes folder as an rdflib graph."""
        return self._graph("shapes")

    @cached_property
    def data(self) -> Graph:
        """The data folder as an rdflib graph."""
        return self._graph("data")

    def _graph(self, group: str) -> Graph:
        graph = bind_prefixes(Graph())
        add, term = graph.add, _term_converter()
        for s, p, o, _graph in self.triples[group]:  # pyoxigraph gives quads (default graph)
            add((term(s), term(p), term(o)))
        return graph

    def ntriples(self, *groups: str) -> bytes:
        """The triples of ``groups`` as N-Triples, as the rdflib graphs hold them: blank nodes
        keep their labels, typed literals take rdflib's canonical form ("06"^^xsd:integer is
        "6"), which is what validation and the published graph have always seen."""
        return ox.serialize(_rdflib_literals(chain.from_iterable(self.triples[g] for g in groups)),
                            format=ox.RdfFormat.N_TRIPLES)

    def published(self) -> Graph:
        """The graph that is published and queried: ontology + data (shapes are not part of it)."""
        graph = bind_prefixes(Graph())
        graph += self.ontology
        graph += self.data
        return graph

    def owner(self, blank_node: str) -> tuple[str, str] | None:
        """(subject IRI, predicate IRI) of a named subject pointing at ``blank_node`` (its label),
        looked for in the data, then the ontology, then the shapes; None if there is none."""
        if self._owners is None:
            self._owners = {}
            for group in ("data", "ontology", "shapes"):
                for s, p, o, _graph in self.triples[group]:
                    if type(o) is ox.BlankNode and type(s) is ox.NamedNode:
                        self._owners.setdefault(o.value, (s.value, p.value))
        return self._owners.get(blank_node)


@dataclass
class _ParsedFile:
    """One file's triples and the line where each of its subjects' blocks starts."""

    path: Path
    triples: list[tuple[Node, Node, Node]]
    origins: dict[URIRef, int]


@dataclass
class _ReadFile:
    """One file as pyoxigraph read it: triples, subjects' block lines, triples per subject and
    the types given to each subject (both keyed by IRI text)."""

    path: Path
    triples: list[ox.Quad]  # in the default graph
    origins: dict[str, int]
    counts: Counter
    types: dict[str, set]


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
    triples: dict[str, list[ox.Quad]] = {}
    read_all: list[_ReadFile] = []
    for name, paths in groups.items():
        triples[name] = []
        for path in paths:
            read = _read_turtle_file(path)
            triples[name] += read.triples
            read_all.append(read)
    # A subject described in several files is placed in the one that says most about it.
    weight: dict[str, int] = {}
    origins: dict[str, tuple[Path, int]] = {}
    for read in read_all:
        counts = read.counts
        for subject, line in read.origins.items():
            if counts[subject] > weight.get(subject, 0):
                weight[subject] = counts[subject]
                origins[subject] = (read.path, line)
    return Project(
        triples=triples,
        files=[path for paths in groups.values() for path in paths],
        origins={URIRef(subject): where for subject, where in origins.items()},
        ontology_files=groups["ontology"],
        type_conflicts=_conflicting_types(
            [read for read in read_all if read.path not in groups["shapes"]]),
    )


def parse_turtle_file(path: Path) -> _ParsedFile:
    """Parse one Turtle file into rdflib triples and the line where each subject's block starts."""
    read = _read_turtle_file(path)
    term = _term_converter()
    return _ParsedFile(
        path=path,
        triples=[(term(s), term(p), term(o)) for s, p, o, _graph in read.triples],
        origins={URIRef(subject): line for subject, line in read.origins.items()})


def _read_turtle_file(path: Path) -> _ReadFile:
    """Parse one Turtle file with pyoxigraph; raise ``RdfSyntaxError`` where it does not parse."""
    text = path.read_bytes()
    # No base IRI: a relative IRI in curated data is a mistake, so it must fail to parse.
    # Blank nodes get fresh labels: labels are scoped to their file, as Turtle says.
    parser = ox.parse(input=text, format=ox.RdfFormat.TURTLE, rename_blank_nodes=True)
    try:
        triples = list(parser)
    except SyntaxError as err:  # also raised for bytes that are not UTF-8
        # pyoxigraph wraps its reason in position text; the position is in lineno/offset.
        message = _POSITION_TEXT.sub("", str(err.args[0] if err.args else err))
        raise RdfSyntaxError(path, err.lineno, err.offset, message) from err
    counts: Counter = Counter()
    types: dict[str, set] = defaultdict(set)
    named, rdf_type = ox.NamedNode, _RDF_TYPE
    for subject, predicate, obj, _graph in triples:
        if type(subject) is named:
            counts[subject.value] += 1
            if predicate == rdf_type:
                types[subject.value].add(obj)
    origins = _block_starts(text.decode("utf-8"), parser.prefixes, parser.base_iri, counts)
    return _ReadFile(path=path, triples=triples, origins=origins, counts=counts, types=types)


def _rdflib_literals(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    """The quads with each typed literal in the lexical form rdflib gives it (most are already)."""
    canonical: dict[tuple[str, str], ox.Literal | None] = {}  # None: already canonical
    literal, as_written = ox.Literal, _AS_WRITTEN
    for quad in quads:
        subject, predicate, obj, _graph = quad
        if type(obj) is literal and obj.datatype.value not in as_written:
            key = (obj.value, obj.datatype.value)
            if key not in canonical:
                lexical = str(_to_rdflib(obj))
                canonical[key] = None if lexical == obj.value else literal(
                    lexical, datatype=obj.datatype)
            if canonical[key] is not None:
                quad = ox.Quad(subject, predicate, canonical[key])
        yield quad


def _term_converter():
    """``_to_rdflib`` remembering its answers: a term repeats a lot (types, predicates)."""
    cache: dict = {}

    def convert(term):
        found = cache.get(term)
        if found is None:
            found = cache[term] = _to_rdflib(term)
        return found
    return convert


def _to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal):
    """The rdflib term for a pyoxigraph term (plain strings stay untyped, as rdflib parses them)."""
    if type(term) is ox.NamedNode:
        return URIRef(term.value)
    if type(term) is ox.BlankNode:
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == _XSD_STRING:
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


# A statement's subject at the start of a line: <iri> or prefix:local (PN_LOCAL, loosely).
_SUBJECT_AT_LINE_START = re.compile(r"^(?:<([^>\s]*)>|([A-Za-z][\w.-]*)?:((?:[^\s;,\\]|\\.)*))")
_DIRECTIVE = re.compile(r"^(@prefix|@base|prefix\s|base\s)", re.IGNORECASE)


def _block_starts(text: str, prefixes: dict[str, str], base: str | None,
                  subjects: Collection[str]) -> dict[str, int]:
    """Line (1-based) of the first block whose subject starts at column 0, per subject IRI.

    A candidate is kept only if it is a real subject of the file, so text inside long strings
    that happens to start a line cannot invent an origin. One pass over the lines.
    """
    found: dict[str, int] = {}
    match_subject, match_directive = _SUBJECT_AT_LINE_START.match, _DIRECTIVE.match
    for number, line in enumerate(text.split("\n"), start=1):  # Turtle's lines, not Unicode's
        if not line or line[0] in " \t#":
            continue
        match = match_subject(line)
        if match is None or match_directive(line):
            continue
        iri_ref, prefix, local = match.groups()
        if iri_ref is not None:
            iri = iri_ref if ":" in iri_ref or base is None else base + iri_ref
        elif (prefix or "") in prefixes:
            local = local.rstrip(".")
            iri = prefixes[prefix or ""] + (_ESCAPE.sub(r"\1", local) if "\\" in local else local)
        else:
            continue
        if iri in subjects and iri not in found:
            found[iri] = number
    return found


def _conflicting_types(files: list[_ReadFile]) -> list[TypeConflict]:
    """Subjects typed in more than one file with different types (an IRI reused by mistake?)."""
    types: dict[str, dict[Path, set]] = defaultdict(dict)
    for read in files:
        for subject, kinds in read.types.items():
            types[subject][read.path] = kinds
    lines = {read.path: read.origins for read in files}
    return [
        TypeConflict(URIRef(subject), tuple(
            (path, lines[path].get(subject, 0), tuple(sorted(_to_rdflib(k) for k in kinds)))
            for path, kinds in per_file.items()))
        for subject, per_file in types.items()
        if len(per_file) > 1 and len({frozenset(kinds) for kinds in per_file.values()}) > 1
    ]
