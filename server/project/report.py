"""The validation report: entries placed at their focus node's file and line, as text or JSON."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

from rdflib import Graph
from rdflib.term import BNode, Node

SEVERITIES = ("Violation", "Warning", "Info")


@dataclass(frozen=True)
class Entry:
    """One finding, with the file and line that define its focus node (when known)."""

    severity: str          # one of SEVERITIES
    focus_node: str        # compact IRI (kg:cnc) or blank-node description
    file: str | None       # relative to the project root
    line: int | None
    path: str | None       # the property at fault, compact
    value: str | None
    message: str
    shape: str | None      # the shape (or check) that produced it


@dataclass(frozen=True)
class Report:
    """Every entry of a validation run; valid when it holds no violation."""

    entries: tuple[Entry, ...]

    @property
    def violations(self) -> int:
        return sum(e.severity == "Violation" for e in self.entries)

    @property
    def warnings(self) -> int:
        return sum(e.severity == "Warning" for e in self.entries)

    @property
    def conforms(self) -> bool:
        return self.violations == 0

    def to_json(self) -> dict:
        """The machine-readable report (schema documented in docs/curating.md)."""
        return {
            "conforms": self.conforms,
            "violations": self.violations,
            "warnings": self.warnings,
            "findings": [asdict(e) for e in self.entries],
        }

    def to_json_text(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, indent=2) + "\n"

    def to_text(self) -> str:
        """The report for people: grouped by focus node, in file order, then a summary line."""
        groups: dict[tuple, list[Entry]] = defaultdict(list)
        for entry in self.entries:
            groups[(entry.file or "~", entry.line or 0, entry.focus_node)].append(entry)
        lines = []
        for (file, line, focus), entries in sorted(groups.items()):
            where = f"{file}:{line}" if line else (file if file != "~" else "file unknown")
            lines.append(f"{focus}  ({where})")
            for e in sorted(entries, key=lambda e: SEVERITIES.index(e.severity)):
                about = f" {e.path}" if e.path else ""
                value = f" = {e.value}" if e.value is not None else ""
                shape = f"  [{e.shape}]" if e.shape else ""
                lines.append(f"  {e.severity:<9}{about}{value}: {e.message}{shape}")
            lines.append("")
        verdict = "valid" if self.conforms else "INVALID"
        lines.append(f"{verdict}: {self.violations} violation(s), {self.warnings} warning(s)")
        return "\n".join(lines) + "\n"


def severity_name(severity: object) -> str:
    """``sh:Violation`` / ``"Violation"`` / ``"violation"`` -> ``"Violation"``."""
    name = str(severity).rsplit("#", 1)[-1].rsplit("/", 1)[-1].capitalize()
    if name not in SEVERITIES:
        raise ValueError(f"unknown severity {severity!r}")
    return name


def compact(graph: Graph, term: Node | None) -> str | None:
    """A term as a curator reads it: prefixed name when a prefix fits, else N-Triples form."""
    if term is None:
        return None
    if isinstance(term, BNode):
        return "[blank node]"
    return term.n3(graph.namespace_manager)


def relative(path: Path, root: Path) -> str:
    """``path`` relative to the project root when inside it (reports stay short and portable)."""
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
