"""Validation of a project: parse every file, check the ontology (HermiT), run SHACL, and place
each finding at the file and line that defines its focus node.

The data is handed to SHACL as N-Triples straight from the parser; it is never made an rdflib
graph here, which at a million triples cost more than the parse itself."""

from __future__ import annotations

import contextlib
import re
import resource
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph, URIRef

from server.config import ONTOLOGY_IRI, Settings
from server.namespaces import bind_prefixes
from server.project import language_tags
from server.project.files import Project, ProjectError, TypeConflict, load_project
from server.project.report import (
    SEVERITIES,
    Entry,
    Report,
    compact,
    relative,
    severity_name,
)
from server.project.shacl_engine import ShapesNotRunnable

if TYPE_CHECKING:
    from server.project.shacl import ShaclRun  # pySHACL's import is paid only when validating


class CheckNotRun(ProjectError):
    """A check could not run (no Java, HermiT failure): the project is not known to be valid."""


class ReasonerNotRun(CheckNotRun):
    """The OWL reasoner could not run (no Java, no owlready2, HermiT failure); the other checks
    can still run without it."""


@dataclass
class ValidationRun:
    """A project, its report, and how long each step took (seconds of wall clock, and of CPU:
    this process's threads and its finished children, such as the reasoner's Java)."""

    project: Project
    report: Report
    durations: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)


def validate_project(settings: Settings, reasoner: bool = True,
                     shapes_check: bool = True) -> ValidationRun:
    """Load and check the project of ``settings``; raises ``ProjectError`` if it is unreadable.

    ``reasoner`` runs HermiT on the ontology; ``shapes_check`` validates the shapes against
    SHACL-for-SHACL. Both are slow (seconds) and on by default.
    """
    with checking(settings, reasoner, shapes_check) as check:
        return check.result()


@contextlib.contextmanager
def checking(settings: Settings, reasoner: bool = True,
             shapes_check: bool = True) -> Iterator[Checking]:
    """``validate_project`` begun: the project parsed, SHACL started in a process of its own,
    the other checks done in this one. Within the block the caller may work on the project
    while SHACL runs (the build writes its files meanwhile); ``result()`` waits for SHACL.
    Leaving the block stops SHACL if it still runs."""
    from server.project import (
        shacl as validation,  # pySHACL is a heavy import, paid only when validating
    )

    clock = _Clock()
    with clock.step("parse"):
        project = load_project(settings)
    placer = _Placer(project, settings.root)
    # Started first: it is the longest check, and the others run meanwhile. The build
    # publishes the same N-Triples.
    ntriples = project.ntriples("ontology", "data")
    with validation.ShaclRun(ntriples, project.shapes) as run:
        entries = [placer.type_conflict(conflict) for conflict in project.type_conflicts]
        if reasoner:
            with clock.step("reasoner"):
                entries += _reasoner_entries(project, placer)
        shapes_runnable = True
        if shapes_check:
            with clock.step("shapes-check"):
                shapes_report = validation.check_shapes(project.shapes)
            entries += [placer.finding(f) for f in shapes_report.findings]
            shapes_runnable = shapes_report.conforms  # broken shapes check nothing reliably
        with clock.step("language"):
            entries += language_tags.report_entries(project, settings.root)  # tag vs text
        yield Checking(project, ntriples, entries, clock, run if shapes_runnable else None,
                       placer)


class Checking:
    """A validation under way (``checking``): the project and its graph as N-Triples (ontology
    and data, what SHACL checks), and the report once SHACL is done."""

    def __init__(self, project: Project, ntriples: bytes, entries: list[Entry], clock: _Clock,
                 shacl_run: ShaclRun | None, placer: _Placer):
        """``shacl_run`` is None when the shapes failed their own check (nothing run on them
        is reliable)."""
        self.project, self.ntriples, self.durations = project, ntriples, clock.durations
        self._entries, self._clock, self._shacl, self._placer = entries, clock, shacl_run, placer
        self._run: ValidationRun | None = None

    def conforms_so_far(self) -> bool:
        """No violation among the checks done before SHACL's."""
        return not any(entry.severity == "Violation" for entry in self._entries)

    def result(self) -> ValidationRun:
        """The whole run: waits for SHACL (its seconds are the engine's own, beside the
        others'; its CPU is its finished process's)."""
        if self._run is None:
            entries = list(self._entries)
            if self._shacl is not None:
                with self._clock.step("shacl"):
                    try:
                        report = self._shacl.report()
                    except ShapesNotRunnable as error:  # a malformed shape no engine can run
                        raise CheckNotRun(f"the shapes could not be run: {error}") from error
                self._clock.durations["shacl"] = self._shacl.seconds
                entries += [self._placer.finding(f) for f in report.findings]
            entries.sort(key=lambda e: (e.file or "~", e.line or 0, e.focus_node,
                                        SEVERITIES.index(e.severity), e.shape or "",
                                        e.message))
            self._run = ValidationRun(project=self.project, report=Report(tuple(entries)),
                                      durations=self._clock.durations, cpu=self._clock.cpu)
        return self._run


class _Clock:
    """Wall-clock and CPU seconds per step (CPU tells the cost on a machine shared with others)."""

    def __init__(self):
        self.durations: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        wall, cpu = time.perf_counter(), _cpu_seconds()
        yield
        self.durations[name] = time.perf_counter() - wall
        self.cpu[name] = _cpu_seconds() - cpu


def _cpu_seconds() -> float:
    """CPU seconds of this process (every thread) and of its waited-for children."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _reasoner_entries(project: Project, placer: _Placer) -> list[Entry]:
    """Violations for an inconsistent ontology and for each unsatisfiable class."""
    try:
        from server.project.reasoning import JavaMissingError, ReasonerError, check_ontology
    except ModuleNotFoundError as error:  # owlready2 is the optional `reasoner` extra
        raise ReasonerNotRun(f"the ontology could not be checked: the OWL reasoner needs the "
                             f"{error.name} package (pip install 'cnc-kg[reasoner]')") from error
    try:
        result = check_ontology(project.ontology_files)
    except (JavaMissingError, ReasonerError) as error:
        raise ReasonerNotRun(f"the ontology could not be checked: {error}") from error
    entries = []
    if not result.consistent:
        entries.append(placer.entry("Violation", ONTOLOGY_IRI, None, None,
                                    f"the ontology is inconsistent: {result.message}",
                                    "(reasoner) HermiT"))
    for cls in result.unsatisfiable:
        entries.append(placer.entry("Violation", str(cls), None, None,
                                    "class is unsatisfiable: no individual can belong to it; "
                                    "check its disjointness and restriction axioms",
                                    "(reasoner) HermiT"))
    return entries


class _Placer:
    """Turns findings into report entries placed at the file and line defining their focus node."""

    def __init__(self, project: Project, root: Path):
        self.project, self.root = project, root
        self.prefixes = bind_prefixes(Graph())

    def finding(self, finding) -> Entry:
        """An entry for a ``server.project.shacl.Finding`` (whose terms are plain text)."""
        return self.entry(finding.severity, finding.focus_node, finding.path, finding.value,
                          finding.message, finding.shape)

    def type_conflict(self, conflict: TypeConflict) -> Entry:
        """A warning naming each file that types the subject, and the types it gives."""
        where = "; ".join(
            f"{', '.join(compact(self.prefixes, t) for t in types)} in "
            f"{relative(path, self.root)}:{line}"
            for path, line, types in conflict.definitions)
        return self.entry("Warning", str(conflict.focus_node), None, None,
                          f"typed differently in several files ({where}): keep one definition "
                          "per entity, or check the IRI is not reused by mistake",
                          "(loader) conflicting types")

    def entry(self, severity: str, focus: str, path: str | None, value: str | None,
              message: str, shape: str | None) -> Entry:
        """An entry for ``focus`` (IRI or blank-node id), placed at its origin when known."""
        named, label = self._named_focus(focus)
        origin = self.project.origins.get(named) if named is not None else None
        return Entry(
            severity=severity_name(severity),
            focus_node=label,
            file=relative(origin[0], self.root) if origin else None,
            line=origin[1] if origin else None,
            path=self._compact_text(path),
            value=self._compact_text(value) if value != focus else None,
            message=str(message),
            shape=self._compact_text(shape),
        )

    def _compact_text(self, text: str | None) -> str | None:
        """IRIs as prefixed names, also inside a property path; literals unchanged."""
        if text is None:
            return None
        if _ABSOLUTE_IRI.fullmatch(text):
            return compact(self.prefixes, URIRef(text))
        if text.startswith(("<", "^", "(")):  # a SPARQL property path: <iri>/<iri>*
            return _BRACKETED_IRI.sub(lambda m: compact(self.prefixes, URIRef(m[1])), text)
        return text

    def _named_focus(self, focus: str) -> tuple[URIRef | None, str]:
        """A blank node is reported through the named subject that points at it."""
        owner = self.project.owner(focus)
        if owner is not None:
            subject, predicate = URIRef(owner[0]), URIRef(owner[1])
            return subject, (f"{compact(self.prefixes, subject)} "
                             f"{compact(self.prefixes, predicate)} [blank node]")
        if _ABSOLUTE_IRI.fullmatch(focus):
            return URIRef(focus), compact(self.prefixes, URIRef(focus))
        return None, focus


_BRACKETED_IRI = re.compile(r"<([^<>\s]+)>")
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]*")
