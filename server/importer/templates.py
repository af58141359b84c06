"""The record kinds a curator fills in, and their columns, completed from the ontology and shapes.

Each kind declares its columns (name, property, kind of value); what the ontology and the shapes
know is read from them, not repeated here: the choices of a ``type`` column (subclasses of the
kind's class), of ``role`` and ``research_axis`` (controlled individuals), and which columns are
required (``sh:minCount`` / ``sh:qualifiedMinCount`` of a shape targeting the kind's class).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, RDF, RDFS, SKOS

from server.namespaces import CNC, SCHEMA, SH

MULTI_SEPARATOR = "|"   # several values in one cell: "cnrs | cas"
COMMENT_MARK = "#"      # a row whose first cell starts with it is an explanation, not data


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its header, the property it fills and how its cells are read.

    ``value`` is one of: slug, type, label, text, langtext, date, integer, boolean, url, ror,
    orcid, wikidata, ref (a slug of another record, of a class in ``targets``), choice (a
    controlled individual of the ontology, from ``choices_of``), source (a URL or a source slug).
    """

    name: str
    value: str
    predicate: URIRef | None = None
    help: str = ""
    lang: str | None = None
    targets: tuple[URIRef, ...] = ()
    multiple: bool = False
    required: bool = False
    choices_of: str | None = None          # "roles" | "axes" | "types"
    choices: tuple[str, ...] = ()          # filled from the ontology by ``resolve``


@dataclass(frozen=True)
class Kind:
    """A kind of record: one sheet, one output file ``data/imported-<name>.ttl``."""

    name: str
    cls: URIRef                              # the class every record gets
    title: str
    columns: tuple[Column, ...]
    extra_types: tuple[URIRef, ...] = ()     # always asserted besides ``cls`` / the type column
    subject_column: str = "slug"             # the column whose value names the record's IRI
    private_fields_refused: bool = False     # people: no e-mail, phone or address columns

    def column(self, name: str) -> Column | None:
        """The column called ``name``, or None."""
        return next((c for c in self.columns if c.name == name), None)

    @property
    def key_columns(self) -> tuple[str, ...]:
        """Columns that identify a row (a duplicate key is an error)."""
        if self.subject_column == "slug":
            return ("slug",)
        return tuple(c.name for c in self.columns if c.value == "ref")[:2]


def _slug(what: str) -> Column:
    return Column("slug", "slug", help=f"Stable identifier of the {what}: lower-case a-z, 0-9 and "
                  "hyphens (e.g. e2p2l); it becomes https://w3id.org/cnc-kg/id/<slug>. Never "
                  "change it once published.", required=True)


def _labels(what: str) -> tuple[Column, ...]:
    return (
        Column("label_fr", "label", RDFS.label,
               f"Name of the {what} in French, as a source writes it.", lang="fr"),
        Column("label_en", "label", RDFS.label, f"Name of the {what} in English.", lang="en"),
        Column("label_zh", "label", RDFS.label, f"Official Chinese name of the {what}, only if a "
               "source gives it (never a home-made translation).", lang="zh"),
    )


def _type(what: str) -> Column:
    return Column("type", "type", RDF.type, f"Kind of {what}: one of the choices listed (leave "
                  "empty for the general kind).", choices_of="types")


_ALT = Column("alt_labels", "text", SKOS.altLabel, "Acronyms and other spellings, separated by |.",
              multiple=True)
_HOMEPAGE = Column("homepage", "url", FOAF.homepage, "Official web site, https://…")
_WIKIDATA = Column("wikidata", "wikidata", CNC.wikidata, "Wikidata item id, e.g. Q280413 "
                   "(see `cnc-kg reconcile`).")
_ROR = Column("ror", "ror", CNC.ror, "ROR ID, e.g. 02feahw73 (its check digits are verified).")
_SOURCE = Column("source", "source", DCTERMS.source, "Public page(s) stating this row: https://… "
                 "or the slug of a row of the sources sheet; several separated by |.",
                 multiple=True, required=True)
_START = Column("start_date", "date", CNC.startDate, "Start: YYYY-MM-DD, YYYY-MM or YYYY.")
_END = Column("end_date", "date", CNC.endDate, "End: YYYY-MM-DD, YYYY-MM or YYYY.")
_AXIS = Column("research_axis", "choice", CNC.researchAxis, "CNC research axis (one of the "
               "choices listed), several separated by |.", multiple=True, choices_of="axes")
_ORG = (CNC.Organisation,)
_PERSON_OR_ORG = (CNC.Organisation, FOAF.Person)


def _organisation_columns(what: str, typed: bool) -> tuple[Column, ...]:
    return (
        _slug(what), *((_type(what),) if typed else ()), *_labels(what), _ALT,
        Column("country", "ref", CNC.country, "Country slug (france, china…).",
               targets=(CNC.Country,)),
        Column("parent", "ref", ORG.subOrganizationOf, "Slug of the organisation it belongs to.",
               targets=_ORG),
        _HOMEPAGE, _WIKIDATA, _ROR, _SOURCE,
    )


def _event_columns(what: str) -> tuple[Column, ...]:
    return (
        _slug(what), _type(what), *_labels(what),
        Column("date", "date", CNC.date, "Day (or month, or year) of a one-day event: "
               "YYYY-MM-DD, YYYY-MM or YYYY."),
        _START, _END,
        Column("place", "ref", CNC.place, "Slug of the place (city) it took place in.",
               targets=(CNC.Place,)),
        Column("organisers", "ref", CNC.organiser, "Slugs of the organisers (organisations or "
               "people), separated by |.", targets=_PERSON_OR_ORG, multiple=True),
    )


KINDS: dict[str, Kind] = {kind.name: kind for kind in (
    Kind("sources", CNC.SourceDocument, "Sources: documents cited by other sheets", (
        _slug("source"),
        Column("title", "text", DCTERMS.title, "Title of the document or page, as written.",
               required=True),
        Column("url", "url", SCHEMA.url, "Where it can be read: https://…"),
        Column("date", "date", DCTERMS.issued, "Publication date: YYYY-MM-DD, YYYY-MM or YYYY."),
    )),
    Kind("places", CNC.Place, "Places: countries and cities", (
        _slug("place"), _type("place"), *_labels("place"),
        Column("country", "ref", CNC.country, "Slug of the country a city is in.",
               targets=(CNC.Country,)),
        _WIKIDATA, _SOURCE,
    )),
    Kind("organisations", CNC.Organisation, "Organisations: ministries, institutes, universities…",
         _organisation_columns("organisation", typed=True)),
    Kind("laboratories", CNC.Laboratory, "Laboratories (research units)",
         _organisation_columns("laboratory", typed=False)),
    Kind("nodes", CNC.JointResearchStructure, "CNC network nodes (teams, joint structures)", (
        _slug("node"), _type("joint structure"), *_labels("node"), _ALT,
        Column("network", "ref", CNC.nodeOf, "Slug of the network it is a node of (cnc), only "
               "with a source saying so.", targets=(CNC.ScienceNetwork,)),
        Column("coordinator", "ref", CNC.coordinatingOrganisation, "Slug of the coordinating "
               "organisation.", targets=_ORG),
        _AXIS, _START, _END, _HOMEPAGE, _WIKIDATA, _ROR, _SOURCE,
    ), extra_types=(CNC.NetworkNode,)),
    Kind("node-partners", CNC.NetworkNode, "Partners of each node (one row per partner)", (
        Column("node", "ref", None, "Slug of the node (nodes sheet or data/).",
               targets=(CNC.NetworkNode,), required=True),
        Column("partner", "ref", CNC.partner, "Slug of the partner organisation or laboratory.",
               targets=_ORG, required=True),
        _SOURCE,
    ), subject_column="node"),
    Kind("people", FOAF.Person, "People with a public role (published only if allowed)", (
        _slug("person"), *_labels("person"),
        Column("name", "text", FOAF.name, "Full name as usually written."),
        Column("orcid", "orcid", CNC.orcid, "ORCID iD, e.g. 0000-0002-1825-0097."),
        _WIKIDATA,
        Column("publication_allowed", "boolean", CNC.publicationAllowed, "yes only if the "
               "person's public role may be published (checked against a public source); "
               "rows with no are not imported.", required=True),
        _SOURCE,
    ), private_fields_refused=True),
    Kind("memberships", ORG.Membership, "Roles of people in organisations, in time", (
        _slug("membership"),
        Column("person", "ref", ORG.member, "Slug of the person (people sheet).",
               targets=(FOAF.Person,)),
        Column("organisation", "ref", ORG.organization, "Slug of the organisation or node.",
               targets=_ORG),
        Column("role", "choice", ORG.role, "Role (one of the choices listed).",
               choices_of="roles"),
        _START, _END, _SOURCE,
    ), private_fields_refused=True),
    Kind("projects", CNC.Project, "Projects", (
        _slug("project"), _type("project"), *_labels("project"),
        Column("partners", "ref", CNC.partner, "Slugs of the partner organisations, separated "
               "by |.", targets=_ORG, multiple=True),
        Column("coordinator", "ref", CNC.coordinatingOrganisation, "Slug of the coordinating "
               "organisation.", targets=_ORG),
        Column("funded_by", "ref", CNC.fundedBy, "Slug of the funding instrument.",
               targets=(CNC.FundingInstrument,)),
        _AXIS, _START, _END, _HOMEPAGE, _SOURCE,
    )),
    Kind("events", CNC.Event, "Events: dialogue sessions, inaugurations, meetings", (
        *_event_columns("event"),
        Column("participants", "ref", CNC.participant, "Slugs of participants (people or "
               "organisations), separated by |.", targets=_PERSON_OR_ORG, multiple=True),
        Column("session_of", "ref", CNC.sessionOf, "Slug of the dialogue or committee this is "
               "a session of.", targets=(CNC.DialogueMechanism, CNC.Committee)),
        Column("session_number", "integer", CNC.sessionNumber, "Session number (6 for the 6th)."),
        Column("part_of", "ref", CNC.partOfEvent, "Slug of the larger event it is part of.",
               targets=(CNC.Event,)),
        _SOURCE,
    )),
    Kind("funding-instruments", CNC.FundingInstrument, "Funding instruments and calls", (
        _slug("funding instrument"), _type("funding instrument"), *_labels("funding instrument"),
        Column("offered_by", "ref", CNC.offeredBy, "Slugs of the organisations offering it, "
               "separated by |.", targets=_ORG, multiple=True),
        Column("eligibility_fr", "langtext", CNC.eligibility, "Eligibility rule as written, in "
               "French.", lang="fr"),
        Column("eligibility_en", "langtext", CNC.eligibility, "Eligibility rule as written, in "
               "English.", lang="en"),
        Column("minimum_nodes", "integer", CNC.minimumNodes, "Minimum number of CNC nodes "
               "involved."),
        _HOMEPAGE, _SOURCE,
    )),
    Kind("funded-activities", CNC.Event, "Missions and conferences funded by an instrument", (
        *_event_columns("activity"),
        Column("funded_by", "ref", CNC.fundedBy, "Slug of the funding instrument that funded it.",
               targets=(CNC.FundingInstrument,), required=True),
        _SOURCE,
    )),
)}


@dataclass(frozen=True)
class Template:
    """A kind with its columns completed from the ontology and shapes."""

    kind: Kind
    columns: tuple[Column, ...] = field(default=())

    def column(self, name: str) -> Column | None:
        """The resolved column called ``name``, or None."""
        return next((c for c in self.columns if c.name == name), None)


def subclasses(ontology: Graph, cls: URIRef) -> set[URIRef]:
    """``cls`` and every class below it in the ontology (rdfs:subClassOf, transitively)."""
    found = {cls}
    frontier = [cls]
    while frontier:
        for sub in ontology.subjects(RDFS.subClassOf, frontier.pop()):
            if isinstance(sub, URIRef) and sub not in found:
                found.add(sub)
                frontier.append(sub)
    return found


def superclasses(ontology: Graph, cls: URIRef) -> set[URIRef]:
    """``cls`` and every class above it in the ontology (rdfs:subClassOf, transitively)."""
    return set(ontology.transitive_objects(cls, RDFS.subClassOf))


def term_name(iri: URIRef) -> str:
    """The part of a cnc: IRI after the namespace (what a curator types in a choice column)."""
    return str(iri).removeprefix(str(CNC))


def choice_values(ontology: Graph, kind: Kind, column: Column) -> dict[str, URIRef]:
    """Allowed cell values of a choice or type column, mapped to the ontology term they name."""
    if column.choices_of == "types":
        terms = subclasses(ontology, kind.cls)
    elif column.choices_of == "roles":
        terms = set(ontology.subjects(RDF.type, ORG.Role))
    elif column.choices_of == "axes":
        terms = set(ontology.subjects(SKOS.inScheme, CNC.ResearchAxes))
    else:
        return {}
    return {term_name(t): t for t in sorted(terms) if str(t).startswith(str(CNC))}


class OntologyLookups:
    """``subclasses``, ``superclasses`` and ``choice_values`` of one ontology, each answered once:
    an import asks them for every row and cell (150,000 times for 10,000 rows)."""

    def __init__(self, ontology: Graph):
        self.ontology = ontology
        self._answers: dict[tuple, object] = {}

    def _once(self, key: tuple, compute):
        if key not in self._answers:
            self._answers[key] = compute()
        return self._answers[key]

    def subclasses(self, cls: URIRef) -> set[URIRef]:
        """As ``subclasses``."""
        return self._once(("sub", cls), lambda: subclasses(self.ontology, cls))

    def superclasses(self, cls: URIRef) -> set[URIRef]:
        """As ``superclasses``."""
        return self._once(("super", cls), lambda: superclasses(self.ontology, cls))

    def choices(self, kind: Kind, column: Column) -> dict[str, URIRef]:
        """As ``choice_values``."""
        return self._once(("choices", kind.name, column.name),
                          lambda: choice_values(self.ontology, kind, column))


def required_by_shapes(shapes: Graph, ontology: Graph,
                       kind: Kind) -> set[tuple[URIRef, str | None]]:
    """(property, language) pairs that a shape targeting the kind's class requires at least once."""
    classes: set[URIRef] = set()
    for cls in (kind.cls, *kind.extra_types):
        classes |= superclasses(ontology, cls)
    required: set[tuple[URIRef, str | None]] = set()
    for node_shape in {s for c in classes for s in shapes.subjects(SH.targetClass, c)}:
        for prop in shapes.objects(node_shape, SH.property):
            path = shapes.value(prop, SH.path)
            # only violations make a column required; warnings (recommendations) do not
            severity = shapes.value(prop, SH.severity) or shapes.value(node_shape, SH.severity)
            if not isinstance(path, URIRef) or severity not in (None, SH.Violation):
                continue
            if int(shapes.value(prop, SH.minCount) or 0) >= 1:
                required.add((path, None))
            qualified = shapes.value(prop, SH.qualifiedValueShape)
            if qualified is not None and int(shapes.value(prop, SH.qualifiedMinCount) or 0) >= 1:
                languages = shapes.value(qualified, SH.languageIn)
                for lang in (shapes.items(languages) if languages is not None else ()):
                    required.add((path, str(lang)))
    return required


def resolve(kind: Kind, ontology: Graph, shapes: Graph) -> Template:
    """The kind with choices and required flags read from ``ontology`` and ``shapes``."""
    required = required_by_shapes(shapes, ontology, kind)
    columns = []
    for column in kind.columns:
        needed = column.required or (column.predicate, column.lang) in required
        choices = tuple(choice_values(ontology, kind, column))
        columns.append(replace(column, required=needed, choices=choices))
    return Template(kind=kind, columns=tuple(columns))


def explanation(column: Column) -> str:
    """The text of the explanation row under a column's header."""
    text = column.help
    if column.choices:
        text += " Choices: " + ", ".join(column.choices) + "."
    if column.required:
        text = "REQUIRED. " + text
    return text


def header_and_explanation(template: Template) -> tuple[list[str], list[str]]:
    """The header row and the explanation row of a template sheet."""
    header = [c.name for c in template.columns]
    notes = [explanation(c) for c in template.columns]
    notes[0] = f"{COMMENT_MARK} {notes[0]}"
    return header, notes
