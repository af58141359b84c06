"""OWL 2 consistency check with HermiT (through owlready2), for the ontology and, optionally, data.

HermiT: http://www.hermit-reasoner.com/ — run by owlready2's ``sync_reasoner_hermit``.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import owlready2
from rdflib import Graph
from rdflib.namespace import OWL

# owl:Nothing is always unsatisfiable; it is not a modelling error.
_OWL_NOTHING = "http://www.w3.org/2002/07/owl#Nothing"


class JavaMissingError(RuntimeError):
    """No ``java`` executable: the reasoner cannot run (install a Java runtime)."""


class ReasonerError(RuntimeError):
    """HermiT could not run on the input (for instance an unsupported datatype)."""


@dataclass
class ReasoningResult:
    """Outcome of a consistency check: consistent, and which classes (IRIs) cannot have members."""

    consistent: bool
    unsatisfiable: list[str] = field(default_factory=list)
    message: str = ""

    @property
    def ok(self) -> bool:
        """True when the ontology is consistent and every class is satisfiable."""
        return self.consistent and not self.unsatisfiable


def find_java() -> str:
    """Path of the ``java`` executable, or raise :class:`JavaMissingError`."""
    java = shutil.which("java")
    if java is None:
        raise JavaMissingError(
            "the OWL reasoner (HermiT) needs Java, but no 'java' executable is on PATH; "
            "install a Java runtime (Debian: apt-get install default-jre-headless)")
    return java


def _merge_as_ntriples(paths: list[Path], target: Path) -> None:
    """Parse every file with rdflib (format from its suffix); write them as one N-Triples file."""
    graph = Graph()
    for path in paths:
        graph.parse(path)
    # Every file is already merged here; owlready2 would otherwise fetch imports from the web.
    graph.remove((None, OWL.imports, None))
    graph.serialize(target, format="nt", encoding="utf-8")


def check_ontology(paths: list[Path]) -> ReasoningResult:
    """Run HermiT on the union of ``paths`` (ontology, alignments, and optionally data files).

    Raises :class:`JavaMissingError` when Java is absent and :class:`ReasonerError` when HermiT
    fails for another reason; rdflib's parser errors propagate (they name the file).
    """
    owlready2.JAVA_EXE = find_java()
    with tempfile.TemporaryDirectory(prefix="cnc-reasoning-") as tmp:
        merged = Path(tmp) / "merged.nt"
        _merge_as_ntriples([Path(p) for p in paths], merged)
        # An isolated World: nothing leaks between checks or into owlready2's default world.
        world = owlready2.World()
        try:
            onto = world.get_ontology(merged.as_uri()).load()
            try:
                with onto:
                    # Data dates are xsd:gYear / xsd:gYearMonth, outside the OWL 2 datatype map:
                    # HermiT treats such literals as opaque; the shapes check their datatypes.
                    owlready2.sync_reasoner_hermit(world, debug=0,
                                                   ignore_unsupported_datatypes=True)
            except owlready2.OwlReadyInconsistentOntologyError:
                return ReasoningResult(
                    consistent=False,
                    message="inconsistent: HermiT found a contradiction in "
                            + ", ".join(str(p) for p in paths))
            except owlready2.OwlReadyJavaError as err:
                raise ReasonerError(
                    f"HermiT failed on {', '.join(map(str, paths))}: {err}") from err
            except (OSError, subprocess.SubprocessError) as err:
                raise ReasonerError(
                    f"could not run HermiT with {owlready2.JAVA_EXE}: {err}") from err
            unsatisfiable = sorted(
                cls.iri for cls in world.inconsistent_classes() if cls.iri != _OWL_NOTHING)
        finally:
            world.close()
    if unsatisfiable:
        return ReasoningResult(
            consistent=True, unsatisfiable=unsatisfiable,
            message=f"{len(unsatisfiable)} unsatisfiable class(es): " + ", ".join(unsatisfiable))
    return ReasoningResult(consistent=True,
                           message="consistent; every class is satisfiable (HermiT)")
