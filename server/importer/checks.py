"""Check sheets before anything is written; every problem as ``file:row:column: message``.

Sheet checks (unknown column, private column on people, bad slug, date, number or identifier,
unknown reference, duplicate key, missing source, missing fr/en label) are all collected in one
pass; the rows are mapped to RDF at the same time (``Analysis.graphs``) so that SHACL can run on
the result and its findings be placed back on the rows (``shacl_problems``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import FOAF, ORG, RDF
from rdflib.term import Node

from server.importer.cells import CellRuleError, import_value
from server.importer.mapping import (
    TRUE_WORDS,
    CellError,
    check_slug,
    literal_or_iri,
    record_iri,
    slug_of,
    split_cell,
)
from server.importer.sheets import Sheet
from server.importer.templates import (
    KINDS,
    Column,
    OntologyLookups,
    Template,
    resolve,
    term_name,
)
from server.importer.workspace import IMPORTED_PREFIX, Workspace
from server.namespaces import CNC, bind_prefixes

# Header words that would put a person's private contact data in the graph (fr, en, zh).
PRIVATE_COLUMN = re.compile(r"mail|courriel|phone|t[ée]l|mobile|portable|fax|address|adresse|"
                            r"rue|street|postal|邮箱|电话|手机|地址", re.IGNORECASE)


@dataclass(frozen=True)
class Problem:
    """One problem, placed at a sheet's row and column when it has one."""

    file: str
    row: int | None
    column: str | None
    message: str
    severity: str = "error"     # "error" blocks the import; "warning" and "notice" do not

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f":{self.row}"
            if self.column:
                where += f":{self.column}"
        label = "" if self.severity == "error" else f"{self.severity}: "
        return f"{where}: {label}{self.message}"


@dataclass
class _Record:
    sheet: Sheet
    template: Template
    row: int
    cells: dict[str, str]
    subject: URIRef | None
    types: set[URIRef]


@dataclass
class Analysis:
    """The mapped sheets: one graph per kind, where each statement came from, the problems."""

    graphs: dict[str, Graph] = field(default_factory=dict)
    sheets_of: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    subject_rows: dict[URIRef, tuple[str, int, str]] = field(default_factory=dict)
    statement_cells: dict[tuple[Node, Node, Node], tuple[str, int, str]] = field(
        default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    templates: dict[str, Template] = field(default_factory=dict)
    subjects_with_problems: set[URIRef] = field(default_factory=set)

    @property
    def errors(self) -> list[Problem]:
        """Problems that block the import."""
        return [p for p in self.problems if p.severity == "error"]


def kind_of_sheet(name: str) -> str | None:
    """The record kind a sheet named ``name`` holds: its name, or a name ending in -<kind>."""
    lowered = name.strip().lower().replace("_", "-")
    for kind in sorted(KINDS, key=len, reverse=True):
        if lowered == kind or lowered.endswith("-" + kind):
            return kind
    return None


def analyse(sheets: list[Sheet], workspace: Workspace) -> Analysis:
    """Check every row of ``sheets`` and map them to RDF; collect all problems."""
    result = Analysis()
    result.templates = {name: resolve(kind, workspace.ontology, workspace.shapes)
                        for name, kind in KINDS.items()}
    matched: list[tuple[Sheet, Template]] = []
    for sheet in sheets:
        kind = kind_of_sheet(sheet.name)
        if kind is None:
            result.problems.append(Problem(sheet.label, None, None, "cannot tell which kind of "
                                           "record this sheet holds: name the file or worksheet "
                                           "after one of " + ", ".join(KINDS)))
            continue
        template = result.templates[kind]
        result.problems += _header_problems(sheet, template)
        result.sheets_of[kind].append(sheet.label)
        result.graphs.setdefault(kind, bind_prefixes(Graph()))
        matched.append((sheet, template))
    lookups = OntologyLookups(workspace.ontology)
    records, unpublished = _records(matched, workspace, lookups, result.problems)
    known = _known_types(workspace, records)
    for record in records:
        _map_record(record, known, unpublished, lookups, result)
    return result


def _header_problems(sheet: Sheet, template: Template) -> list[Problem]:
    problems = []
    seen: set[str] = set()
    for name in sheet.header:
        if not name:
            continue
        if name in seen:
            problems.append(Problem(sheet.label, 1, name, f"column {name!r} appears twice"))
        seen.add(name)
        if template.column(name) is not None:
            continue
        if template.kind.private_fields_refused and PRIVATE_COLUMN.search(name):
            problems.append(Problem(sheet.label, 1, name, f"column {name!r} refused: the graph "
                                    "publishes no personal e-mail, phone or address; delete this "
                                    "column (an institution's contact belongs on the "
                                    "organisation)"))
        else:
            problems.append(Problem(sheet.label, 1, name, f"unknown column {name!r} for "
                                    f"{template.kind.name}; expected: "
                                    + ", ".join(c.name for c in template.columns)))
    for column in template.columns:
        if column.required and column.name not in seen:
            problems.append(Problem(sheet.label, 1, column.name,
                                    f"missing column {column.name!r} (required)"))
    return problems


def _records(matched: list[tuple[Sheet, Template]], workspace: Workspace,
             lookups: OntologyLookups, problems: list[Problem]
             ) -> tuple[list[_Record], set[str]]:
    """First pass: each row's subject and types; duplicate keys; people not to publish."""
    records = []
    unpublished: set[str] = set()
    keys: dict[tuple, tuple[str, int]] = {}
    defined = workspace.defining_files()
    for sheet, template in matched:
        kind = template.kind
        subject_column = template.column(kind.subject_column)
        for row, cells in sheet.rows:
            key_text = cells.get(subject_column.name, "")
            subject = None
            if key_text:
                try:
                    subject = record_iri(check_slug(key_text))
                except CellError as error:
                    problems.append(Problem(sheet.label, row, subject_column.name, str(error)))
            if kind.cls == FOAF.Person and not _allowed(cells.get("publication_allowed", "")):
                if key_text:
                    unpublished.add(key_text)
                problems.append(Problem(sheet.label, row, "publication_allowed", "person not "
                                        "imported: publication_allowed is not yes", "notice"))
                continue
            key = tuple(cells.get(name, "") for name in kind.key_columns)
            if all(key):
                scope = ("entity",) if kind.subject_column == "slug" else (kind.name,)
                if scope + key in keys:
                    where = keys[scope + key]
                    problems.append(Problem(sheet.label, row, kind.key_columns[-1],
                                            f"duplicate key {' + '.join(key)!r}: already used "
                                            f"in {where[0]} row {where[1]}"))
                    continue
                keys[scope + key] = (sheet.label, row)
            elsewhere = defined.get(subject) if kind.subject_column == "slug" else None
            if elsewhere is not None and elsewhere != workspace.imported_path(kind.name):
                problems.append(Problem(sheet.label, row, "slug", _defined_elsewhere(
                    key_text, elsewhere)))
            types = set()
            if kind.subject_column == "slug":
                types = {kind.cls, *kind.extra_types}
                choices = lookups.choices(kind, template.column("type")
                                          or Column("type", "type"))
                chosen = cells.get("type", "")
                if chosen in choices:
                    types.add(choices[chosen])
            records.append(_Record(sheet, template, row, cells, subject, types))
    return records, unpublished


def _defined_elsewhere(slug: str, path: Path) -> str:
    if path.name.startswith(IMPORTED_PREFIX):
        return (f"slug {slug!r} is already used by a record imported into {path.name}: choose "
                "another slug, or remove that row from its sheet and import it with --prune")
    return (f"slug {slug!r} is already defined in {path.name} (hand-curated): choose another "
            "slug or edit that file")


def _allowed(text: str) -> bool:
    return text.strip().lower() in TRUE_WORDS


def _known_types(workspace: Workspace, records: list[_Record]) -> dict[str, set[URIRef]]:
    """Types of every slug a reference may name: rows being imported, then data/."""
    known: dict[str, set[URIRef]] = defaultdict(set)
    replaced = {workspace.imported_path(r.template.kind.name) for r in records}
    for path, graph in workspace.data_files.items():
        if path in replaced:
            continue
        for subject, _, cls in graph.triples((None, RDF.type, None)):
            if slug_of(subject):
                known[slug_of(subject)].add(cls)
    for record in records:
        if record.subject is not None:
            known[slug_of(record.subject)] |= record.types
    return known


def _map_record(record: _Record, known: dict[str, set[URIRef]], unpublished: set[str],
                lookups: OntologyLookups, result: Analysis) -> None:
    """Second pass: every cell of one row to triples, or to a problem placed on the cell."""
    kind = record.template.kind
    label = record.sheet.label
    graph = result.graphs[kind.name]  # made once per kind by analyse, not once per row
    problems: list[Problem] = []
    triples: list[tuple[Node, Node, Node, str]] = []
    if record.subject is None:
        if not record.cells.get(kind.subject_column):
            problems.append(Problem(label, record.row, kind.subject_column,
                                    f"missing {kind.subject_column}: every row needs one "
                                    "(never a row number)"))
    elif kind.subject_column == "slug":
        triples += [(record.subject, RDF.type, cls, "slug") for cls in sorted(record.types)
                    if cls not in _implied_by(record.types, lookups, cls)]
    for column in record.template.columns:
        if column.value in ("slug", "type") or column.predicate is None:
            continue
        text = record.cells.get(column.name, "")
        if not text and column.required:
            problems.append(Problem(label, record.row, column.name, _missing(column)))
        choices = lookups.choices(kind, column)
        for value in split_cell(column, text):
            try:
                term = _term(column, import_value(value), choices, known, unpublished, lookups)
            except (CellError, CellRuleError) as error:
                problems.append(Problem(label, record.row, column.name, str(error)))
                continue
            if term is None:  # a membership of a person who is not published: skip the row
                result.problems.append(Problem(label, record.row, column.name,
                                               f"row not imported: {value!r} is not published",
                                               "notice"))
                return
            if record.subject is not None:
                triples.append((record.subject, column.predicate, term, column.name))
    names = [c.name for c in record.template.columns if c.value == "label"]
    if names and not any(record.cells.get(name) for name in names):  # shapes: LabelShape-present
        problems.append(Problem(label, record.row, names[0], "missing label: give the name in "
                                f"the language(s) it exists in ({', '.join(names)})"))
    result.problems += problems
    for subject, predicate, term, column_name in triples:
        graph.add((subject, predicate, term))
        result.statement_cells.setdefault((subject, predicate, term),
                                          (label, record.row, column_name))
    if record.subject is not None and (kind.subject_column == "slug"
                                       or record.subject not in result.subject_rows):
        # a node's own row (nodes sheet) answers for it rather than one of its partner rows
        result.subject_rows[record.subject] = (label, record.row, kind.name)
        if problems:  # SHACL findings on a row already reported are noise
            result.subjects_with_problems.add(record.subject)


def _implied_by(types: set[URIRef], lookups: OntologyLookups, cls: URIRef) -> set[URIRef]:
    """{cls} if a more specific type in ``types`` implies it (Organisation under Ministry)."""
    implied = any(other != cls and cls in lookups.superclasses(other)
                  for other in types)
    return {cls} if implied else set()


def _missing(column: Column) -> str:
    if column.value == "source":
        return ("missing source: give the https:// address of a public page stating this row, "
                "or the slug of a row of the sources sheet")
    if column.value == "label":
        language = {"fr": "French", "en": "English", "zh": "Chinese"}[column.lang]
        return f"missing {language} label ({column.name}): every record needs one"
    return f"missing value: {column.name} is required"


def _term(column: Column, text: str, choices: dict[str, URIRef], known: dict[str, set[URIRef]],
          unpublished: set[str], lookups: OntologyLookups) -> Node | None:
    """One cell value as an RDF term; references are checked against ``known`` slugs."""
    if column.value == "source" and re.match(r"^https?://", text):
        return literal_or_iri(Column(column.name, "url"), text, {})
    if column.value not in ("ref", "source"):
        return literal_or_iri(column, text, choices)
    slug = check_slug(text)
    targets = (CNC.SourceDocument,) if column.value == "source" else column.targets
    if slug in unpublished:
        if column.predicate == ORG.member:
            return None
        raise CellError(f"{slug!r} is a person not cleared for publication (people sheet): "
                        "remove the reference or set publication_allowed to yes")
    if slug not in known:
        wanted = " or ".join(term_name(t) if str(t).startswith(str(CNC)) else t.n3()
                             for t in targets)
        raise CellError(f"unknown reference {slug!r}: no row of the sheets imported and no "
                        f"entity in data/ has this slug (expected a {wanted})")
    allowed = set().union(*(lookups.subclasses(t) for t in targets))
    if not known[slug] & allowed:
        found = ", ".join(sorted(_short(t) for t in known[slug]))
        raise CellError(f"{slug!r} is a {found}, but {column.name} needs a "
                        + " or ".join(_short(t) for t in targets))
    return record_iri(slug)


def _short(term: URIRef) -> str:
    return term_name(term) if str(term).startswith(str(CNC)) else term.n3()


def shacl_problems(findings, analysis: Analysis, baseline: set[tuple]) -> list[Problem]:
    """SHACL findings placed on the rows they concern; others only if new (not in ``baseline``).

    A finding on a row that already has a sheet problem is dropped: fix the sheet problem first.
    """
    problems = []
    # the column of each statement, looked up by the finding's text: one pass, not one per finding
    columns: dict[tuple[str, str, str], str] = {}
    for (s, p, o), (_, _, column) in analysis.statement_cells.items():
        columns.setdefault((str(s), str(p), str(o)), column)
    for finding in findings:
        focus = URIRef(finding.focus_node)
        severity = "error" if finding.severity == "Violation" else "warning"
        rule = f" [{finding.shape.rsplit('/', 1)[-1]}]"
        origin = analysis.subject_rows.get(focus)
        if origin is None:
            if severity == "error" and _key(finding) not in baseline:
                problems.append(Problem("data/", None, None, f"{finding.focus_node}: "
                                        f"{finding.message}{rule}"))
            continue
        if focus in analysis.subjects_with_problems:
            continue
        label, row, kind = origin
        column = _column_of(finding, columns, analysis, kind)
        problems.append(Problem(label, row, column, finding.message + rule, severity))
    return problems


def _key(finding) -> tuple:
    return (finding.focus_node, finding.path, finding.shape, finding.value)


def _column_of(finding, columns: dict[tuple[str, str, str], str], analysis: Analysis,
               kind: str) -> str:
    """The column a finding's path and value came from (label_fr for the French-label rule)."""
    if finding.path and finding.value is not None:
        column = columns.get((finding.focus_node, finding.path, finding.value))
        if column is not None:
            return column
    candidates = [c for c in analysis.templates[kind].columns
                  if c.predicate is not None and str(c.predicate) == finding.path]
    for column in candidates:
        if column.lang and finding.shape.endswith("-" + column.lang):
            return column.name
    return candidates[0].name if candidates else "-"

