"""One import, start to end but for writing: read sheets, check rows, map, plan files, run SHACL."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib.graph import ReadOnlyGraphAggregate

from server.config import Settings
from server.importer.checks import Problem, analyse, shacl_problems
from server.importer.sheets import SheetError, read_sheets
from server.importer.workspace import load_workspace
from server.importer.writer import FileChange, plan_file
from server.project.shacl import validate


@dataclass
class ImportPlan:
    """Every problem found and, per imported file, what writing it would change."""

    problems: list[Problem]
    changes: list[FileChange]

    @property
    def errors(self) -> list[Problem]:
        """Problems that forbid writing anything."""
        return [p for p in self.problems if p.severity == "error"]


def plan_import(settings: Settings, paths: list[Path], prune: bool = False) -> ImportPlan:
    """Check ``paths`` against the project of ``settings`` and plan the files to write."""
    sheets, problems = [], []
    for path in paths:
        try:
            sheets += read_sheets(path)
        except SheetError as error:
            problems.append(Problem(error.where, error.row, None, error.message))
    if problems:  # refused before the project is loaded and SHACL runs: a zip bomb costs nothing
        return ImportPlan(problems=problems, changes=[])
    workspace = load_workspace(settings)
    analysis = analyse(sheets, workspace)
    problems += analysis.problems
    changes = [plan_file(workspace.imported_path(kind), graph,
                         workspace.data_files.get(workspace.imported_path(kind)),
                         analysis.sheets_of[kind], prune)
               for kind, graph in sorted(analysis.graphs.items())]
    # the graph data/ would hold, read through rather than copied (validate copies it anyway)
    written = {c.path for c in changes}
    candidate = ReadOnlyGraphAggregate(
        [g for path, g in workspace.data_files.items() if path not in written]
        + [c.graph for c in changes])
    report = validate(candidate, workspace.ontology, workspace.shapes)
    baseline: set[tuple] = set()
    imported = {str(s) for s in analysis.subject_rows}
    if any(f.severity == "Violation" and f.focus_node not in imported for f in report.findings):
        # violations already in data/ before this import are not this import's to fix
        before = validate(workspace.data(), workspace.ontology, workspace.shapes)
        baseline = {(f.focus_node, f.path, f.shape, f.value) for f in before.findings}
    problems += shacl_problems(report.findings, analysis, baseline)
    return ImportPlan(problems=_ordered(problems), changes=changes)


def _ordered(problems: list[Problem]) -> list[Problem]:
    """Errors first, then by file, row and column, as a curator walks the sheet."""
    rank = {"error": 0, "warning": 1, "notice": 2}
    return sorted(problems, key=lambda p: (rank[p.severity], p.file, p.row or 0, p.column or ""))
