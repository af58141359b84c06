"""The curator's to-do list as data, computed by the build (``dist/quality.json``): what the
quality dashboard page and its JSON show.

Declared figures beside what the graph records, SHACL warnings (from the build's validation
report; the language-tag ones also apart), entities missing a Chinese label or an external
identifier, the most cited sources, conflicts between sources (claims with different values
for the same entity and property) and facts resting only on copies of other publishers' pages.
"""

from __future__ import annotations

from collections import defaultdict

from rdflib.term import Identifier

from server.namespaces import CNC
from server.store.base import Store
from server.store.queries import internal_query

# What the graph records for each declared measure: instances of this class (None: not recorded).
RECORDED_AS = {
    # Not people in general: the graph records heads of state, ministers and ambassadors,
    # who are no researchers of the network.
    CNC.MeasureResearchers: None,
    CNC.MeasurePhdStudents: None,
    CNC.MeasureLaboratories: CNC.Laboratory,
    CNC.MeasureJointStructures: CNC.JointResearchStructure,
    CNC.MeasurePartnershipProjects: CNC.PartnershipProject,
    CNC.MeasureResearchTeams: CNC.NetworkNode,
}
MOST_CITED = 20
LANGUAGE_CHECK = "(language) "  # shape column of the language-tag warnings (language_tags.py)


def _text(term: Identifier | None) -> str | None:
    return None if term is None else str(term)


def _figures(store: Store, counts: dict[str, int]) -> list[dict]:
    figures = []
    for _, _, measure, value, qualifier, as_of, source, standard in store.query(
            internal_query("declared_figures")).rows:
        cls = RECORDED_AS.get(measure)
        figures.append({
            "measure": _text(measure), "declared": int(value), "qualifier": _text(qualifier),
            "standard_qualifier": _text(standard),
            "as_of": _text(as_of), "source": _text(source),
            "recorded_as": _text(cls), "recorded": None if cls is None else counts.get(str(cls), 0),
        })
    return sorted(figures, key=lambda f: (f["measure"], f["as_of"] or "", f["source"] or ""))


def _warnings(report: dict | None) -> list[dict]:
    if report is None:
        return []
    return [{k: finding.get(k) for k in ("focus_node", "path", "message", "shape", "file", "line")}
            for finding in report.get("findings", []) if finding.get("severity") == "Warning"]


def quality_report(store: Store, validation_report: dict | None = None) -> dict:
    """The dashboard's content as plain JSON-ready data.

    ``validation_report`` is the build's (``validation-report.json``): its warnings are listed.
    """
    counts = {str(cls): int(n) for cls, n in store.query(
        internal_query("quality_recorded_counts")).rows}
    nodes = {(_text(kind) or "unspecified"): int(n) for kind, n in store.query(
        internal_query("quality_nodes_by_kind")).rows if int(n)}
    missing: dict[str, list[str]] = defaultdict(list)
    for entity, what in store.query(internal_query("quality_missing")).rows:
        missing[str(what)].append(str(entity))
    sources = [{"source": str(source), "entities": int(n)} for source, n in store.query(
        internal_query("quality_sources_cited")).rows][:MOST_CITED]
    conflicts: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for entity, prop, value, source, claim in store.query(
            internal_query("quality_conflicts")).rows:
        conflicts[(str(entity), str(prop))].append(
            {"claim": str(claim), "value": str(value), "source": _text(source)})
    copies: dict[str, list[dict]] = defaultdict(list)
    for fact, source, original in store.query(internal_query("quality_only_copies")).rows:
        copies[str(fact)].append({"source": str(source), "original": _text(original)})
    warnings = _warnings(validation_report)
    return {
        "figures": _figures(store, counts),
        "nodes_by_kind": dict(sorted(nodes.items())),
        "shacl_warnings": warnings,
        "language_warnings": [w for w in warnings
                              if (w["shape"] or "").startswith(LANGUAGE_CHECK)],
        "only_on_copies": [{"fact": fact, "copies": found} for fact, found in copies.items()],
        "missing_zh_label": missing.get("zh-label", []),
        "missing_external_identifier": missing.get("external-identifier", []),
        "sources_cited_most": sources,
        "conflicts": [{"entity": e, "property": p, "claims": claims}
                      for (e, p), claims in sorted(conflicts.items())],
    }
