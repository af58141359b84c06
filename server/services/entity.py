"""The entity page's view model: title, type, summary, grouped properties, inverse relations,
roles with periods, claims, sources and external identifiers — all in the reader's language."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, RDF, RDFS, SKOS, VOID, XSD
from rdflib.term import Node

from server.config import BASE_IRI, DATASET_IRI
from server.namespaces import CNC, SCHEMA, bind_prefixes
from server.services.harvest import DATA_LICENSE
from server.services.i18n import format_date, format_date_range, pick, sort_key_date, ui
from server.services.index import NAME_PREDICATES, GraphIndex, Label
from server.services.iris import href, local_name, web_link
from server.services.names import names as names_of
from server.services.partners import Partners, partners
from server.store.base import Store
from server.store.queries import internal_query

DATE_TYPES = (XSD.date, XSD.dateTime, XSD.gYearMonth, XSD.gYear)

# Property groups, in reading order; within a group, properties keep this order.
GROUPS: tuple[tuple[str, tuple[URIRef, ...]], ...] = (
    ("description", (DCTERMS.description, SKOS.definition, RDFS.comment, SKOS.note,
                     CNC.eligibility)),
    ("dates", (CNC.date, CNC.startDate, CNC.endDate, CNC.asOf, CNC.sessionNumber)),
    ("relations", (CNC.nodeOf, CNC.partner, CNC.coordinatingOrganisation, ORG.subOrganizationOf,
                   CNC.steeredBy, CNC.hasGovernanceBody, CNC.hasObjective, CNC.party,
                   CNC.signatory, CNC.occasion, CNC.organiser, CNC.participant, CNC.sessionOf,
                   CNC.partOfEvent, CNC.milestone, CNC.offeredBy, CNC.fundedBy,
                   CNC.researchAxis, CNC.figureOf, CNC.measure, CNC.claimAbout,
                   CNC.claimProperty, CNC.claimValue, ORG.hasMember, CNC.location, CNC.place,
                   CNC.country, SKOS.inScheme, SKOS.broader)),
    ("figures", (CNC.value, CNC.qualifier, CNC.valueQualifier, CNC.minimumNodes)),
)

# Properties the partners section shows (side by side, with roles) instead of the relations.
PARTNER_PROPERTIES = frozenset((CNC.partner, CNC.coordinatingOrganisation))

# Properties whose linked values are listed by date (oldest first, undated last), not by name.
CHRONOLOGICAL = frozenset((CNC.milestone,))

# External identifiers: property -> (scheme name, URL of a bare identifier).
IDENTIFIERS: dict[URIRef, tuple[str, str]] = {
    CNC.wikidata: ("Wikidata", "https://www.wikidata.org/wiki/{}"),
    CNC.ror: ("ROR", "https://ror.org/{}"),
    CNC.orcid: ("ORCID", "https://orcid.org/{}"),
    CNC.isni: ("ISNI", "https://isni.org/isni/{}"),
    CNC.openalex: ("OpenAlex", "https://openalex.org/{}"),
    CNC.crossrefFunder: ("Crossref Funder", "https://doi.org/10.13039/{}"),
    CNC.externalIdentifier: ("ID", "{}"),
    FOAF.homepage: ("Web", "{}"),
    SCHEMA.sameAs: ("sameAs", "{}"),
    OWL.sameAs: ("sameAs", "{}"),
}

# Shown elsewhere on the page (header, roles, sources) or never published.
NOT_IN_GROUPS = frozenset((RDF.type, *NAME_PREDICATES, SKOS.altLabel, DCTERMS.source,
                           CNC.publicationAllowed, *IDENTIFIERS))

# schema.org type of our classes, for the JSON-LD search engines read (most specific first).
SCHEMA_TYPES: tuple[tuple[URIRef, str], ...] = (
    (CNC.University, "CollegeOrUniversity"), (CNC.GovernmentBody, "GovernmentOrganization"),
    (CNC.ResearchInstitute, "ResearchOrganization"), (CNC.Laboratory, "ResearchOrganization"),
    (CNC.JointResearchStructure, "ResearchOrganization"), (CNC.Company, "Corporation"),
    (CNC.Organisation, "Organization"), (CNC.Event, "Event"), (CNC.Project, "ResearchProject"),
    (FOAF.Person, "Person"), (CNC.Country, "Country"), (CNC.Place, "Place"),
    (CNC.Agreement, "CreativeWork"), (CNC.SourceDocument, "CreativeWork"),
)


@dataclass(frozen=True)
class Value:
    """One value as shown: a link (``href``) or a text, with its language and machine form."""

    text: str
    lang: str = ""
    href: str | None = None
    external: bool = False
    machine: str | None = None     # ISO form of a date, for <time datetime>
    copy: bool = False             # a source that copies another publisher (cnc:CopiedDocument)
    literal: bool = False          # a literal of the data (not translated, even untagged)


@dataclass
class Row:
    """A property and its values."""

    property: Value
    values: list[Value] = field(default_factory=list)
    iri: URIRef | None = None      # the property


@dataclass
class Group:
    """A titled block of rows (the title is a UI string key)."""

    key: str
    rows: list[Row]


@dataclass
class Role:
    """One org:Membership seen from the page's entity."""

    person: Value
    organisation: Value
    role: Value | None
    period: str
    sources: list[Value]


@dataclass
class Claim:
    """What one source says where sources disagree."""

    property: Value | None
    value: Value | None
    sources: list[Value]


@dataclass
class EntityView:
    """Everything the entity page shows."""

    iri: URIRef
    title: Label
    other_names: list[Value]
    types: list[Value]
    summary: Value | None
    groups: list[Group]
    inverse: list[Row]
    roles: list[Role]
    claims: list[Claim]
    sources: list[Value]
    identifiers: list[Value]
    schema_org: dict
    partners: Partners | None = None    # French and Chinese partners side by side


class EntityViews:
    """Builds entity views from a store and its index, for one base IRI mapping."""

    def __init__(self, store: Store, index: GraphIndex, base_iri: str = BASE_IRI):
        self.store, self.index, self.base_iri = store, index, base_iri

    # -- values ----------------------------------------------------------------------------
    def link(self, iri: URIRef, lang: str, graph: Graph | None = None) -> Value:
        """A link to ``iri`` labelled in ``lang`` (from the index, else from ``graph``)."""
        names = names_of(self.index, iri)
        if not names and graph is not None:
            names = {o.language or "": str(o) for p in NAME_PREDICATES
                     for o in graph.objects(iri, p) if isinstance(o, Literal)}
        picked = pick(names or {}, lang)
        text, tag = picked if picked else (local_name(str(iri)), "")
        target = href(str(iri), self.base_iri)
        # A name without a language tag is data in an unknown language: not translated.
        return Value(text, tag, target, external=target is not None and not target.startswith("/"),
                     literal=bool(picked) and not tag)

    def source(self, iri: URIRef, lang: str, graph: Graph | None = None) -> Value:
        """A link to a source document, marked when it is a copy of another publisher's page."""
        return replace(self.link(iri, lang, graph),
                       copy=self.index.is_a(iri, CNC.CopiedDocument))

    def value(self, node: Node, lang: str, graph: Graph | None = None) -> Value:
        """A value of any kind: IRI as a link, date in the reader's format, literal as written."""
        if isinstance(node, URIRef):
            return self.link(node, lang, graph)
        if isinstance(node, Literal):
            if node.datatype in DATE_TYPES:
                return Value(format_date(node, lang), lang, machine=str(node))
            return Value(str(node), node.language or "", literal=True)
        return Value(str(node))

    def _texts(self, graph: Graph, iri: URIRef, predicate: URIRef) -> dict[str, str]:
        return {o.language or "": str(o) for o in graph.objects(iri, predicate)
                if isinstance(o, Literal)}

    # -- the page ----------------------------------------------------------------------------
    def build(self, iri: URIRef, lang: str) -> EntityView | None:
        """The view of ``iri`` in ``lang``, or ``None`` when the graph says nothing about it."""
        graph = self.store.describe(iri)
        if (iri, None, None) not in graph:
            return None
        types = sorted(o for o in graph.objects(iri, RDF.type) if isinstance(o, URIRef))
        title = self.index.label(iri, lang)
        if title.text == local_name(str(iri)):
            picked = pick({k: v for p in NAME_PREDICATES
                           for k, v in self._texts(graph, iri, p).items()}, lang)
            title = Label(*picked) if picked else title
        summary = self._summary(graph, iri, types, lang)
        groups = self._groups(graph, iri, lang)
        sides = partners(self.store, self.index, iri, lang)
        for group in groups:
            # The summary already shows a one-line description, the partners section the
            # partners: do not print them twice.
            group.rows = [row for row in group.rows if not (
                summary and len(row.values) == 1 and row.values[0].text.strip() == summary.text)
                and not (sides and row.iri in PARTNER_PROPERTIES)]
        return EntityView(
            iri=iri,
            title=title,
            other_names=self._other_names(graph, iri, title),
            types=[self.link(t, lang, graph) for t in types],
            summary=summary,
            groups=[group for group in groups if group.rows],
            inverse=self._inverse(graph, iri, lang),
            roles=self._roles(iri, lang),
            claims=self._claims(iri, lang),
            sources=[self.source(s, lang, graph) for s in sorted(graph.objects(iri, DCTERMS.source))
                     if isinstance(s, URIRef)],
            identifiers=self._identifiers(graph, iri),
            schema_org=self._schema_org(graph, iri, types, title),
            partners=sides,
        )

    def _other_names(self, graph: Graph, iri: URIRef, title: Label) -> list[Value]:
        names = []
        for predicate in (*NAME_PREDICATES, SKOS.altLabel):
            for literal in sorted(graph.objects(iri, predicate)):
                shown = Value(str(literal), literal.language or "", literal=True)
                if isinstance(literal, Literal) and shown.text != title.text \
                        and shown not in names:
                    names.append(shown)
        return names

    def _summary(self, graph: Graph, iri: URIRef, types: list[URIRef],
                 lang: str) -> Value | None:
        """The description in ``lang`` if any; else type and date(s), in one line."""
        for predicate in (DCTERMS.description, SKOS.definition, RDFS.comment):
            picked = pick(self._texts(graph, iri, predicate), lang)
            if picked:
                first_line = picked[0].strip().split("\n")[0]
                return Value(first_line, picked[1])
        parts = [self.link(t, lang, graph).text for t in types[:2]]
        for predicate in (CNC.date, CNC.startDate):
            date = graph.value(iri, predicate)
            if isinstance(date, Literal):
                parts.append(format_date(date, lang))
                break
        return Value(" · ".join(parts), lang) if parts else None

    def _rows(self, pairs: dict[URIRef, list[Node]], lang: str, graph: Graph,
              dates: dict[Node, Node] | None = None) -> list[Row]:
        """One row per property; links sorted by the name shown, dates chronologically, and
        the values of ``CHRONOLOGICAL`` properties by their ``dates`` (undated last)."""
        rows = []
        for p, values in pairs.items():
            shown = [(self.value(o, lang, graph), o) for o in values]
            if p in CHRONOLOGICAL and dates is not None:
                shown.sort(key=lambda pair: (pair[1] not in dates,
                                             sort_key_date(dates.get(pair[1])),
                                             pair[0].text.casefold()))
            else:
                shown.sort(key=lambda pair: (pair[0].machine or "", pair[0].text.casefold()))
            rows.append(Row(self.link(p, lang, graph), [value for value, _ in shown], p))
        return rows

    def _milestone_dates(self, graph: Graph, iri: URIRef) -> dict[Node, Node]:
        """``{milestone: its date or start date}`` (the earliest when it has several)."""
        if (iri, CNC.milestone, None) not in graph:
            return {}
        dates: dict[Node, Node] = {}
        for milestone, date, _ in self.store.query(internal_query("milestone_dates"),
                                                bindings={"entity": iri}).rows:
            if milestone not in dates or sort_key_date(date) < sort_key_date(dates[milestone]):
                dates[milestone] = date
        return dates

    def _groups(self, graph: Graph, iri: URIRef, lang: str) -> list[Group]:
        by_property: dict[URIRef, list[Node]] = defaultdict(list)
        for p, o in sorted(graph.predicate_objects(iri)):
            if p not in NOT_IN_GROUPS:
                by_property[p].append(o)
        dates = self._milestone_dates(graph, iri)
        groups = []
        for key, order in GROUPS:
            present = {p: by_property.pop(p) for p in order if p in by_property}
            if present:
                groups.append(Group(key, self._rows(
                    {p: _in_language(values, lang) for p, values in present.items()},
                    lang, graph, dates)))
        if by_property:
            rest = dict(sorted(by_property.items(),
                               key=lambda item: self.link(item[0], lang, graph).text.lower()))
            groups.append(Group("other", self._rows(rest, lang, graph)))
        return groups

    def _inverse(self, graph: Graph, iri: URIRef, lang: str) -> list[Row]:
        """Statements pointing at the entity, by property (e.g. nodes a lab is partner of)."""
        by_property: dict[URIRef, list[Node]] = defaultdict(list)
        for s, p in sorted(graph.subject_predicates(iri)):
            if s != iri and p != RDF.type and isinstance(s, URIRef):
                by_property[p].append(s)
        return self._rows(dict(by_property), lang, graph)

    def _roles(self, iri: URIRef, lang: str) -> list[Role]:
        result = self.store.query(internal_query("memberships"), bindings={"entity": iri})
        roles: dict[Node, Role] = {}
        starts: dict[Node, str] = {}
        for membership, person, organisation, role, start, end, source, _ in result.rows:
            if membership not in roles:
                starts[membership] = sort_key_date(start)
                roles[membership] = Role(
                    person=self.link(person, lang), organisation=self.link(organisation, lang),
                    role=self.link(role, lang) if isinstance(role, URIRef) else None,
                    period=_period(start, end, lang), sources=[])
            if isinstance(source, URIRef):
                shown = self.source(source, lang)
                if shown not in roles[membership].sources:
                    roles[membership].sources.append(shown)
        order = sorted(roles, key=lambda m: (starts[m], roles[m].person.text))
        return [roles[m] for m in order]

    def _claims(self, iri: URIRef, lang: str) -> list[Claim]:
        result = self.store.query(internal_query("claims"), bindings={"entity": iri})
        claims: dict[Node, Claim] = {}
        for claim, prop, value, source, _ in result.rows:
            if claim not in claims:
                claims[claim] = Claim(
                    property=self.link(prop, lang) if isinstance(prop, URIRef) else None,
                    value=self.value(value, lang) if value is not None else None, sources=[])
            if isinstance(source, URIRef):
                claims[claim].sources.append(self.source(source, lang))
        return list(claims.values())

    def _identifiers(self, graph: Graph, iri: URIRef) -> list[Value]:
        found = []
        for predicate, (scheme, url) in IDENTIFIERS.items():
            for node in sorted(graph.objects(iri, predicate)):
                text = local_name(str(node)) if isinstance(node, URIRef) else str(node)
                target = str(node) if isinstance(node, URIRef) else url.format(text)
                label = str(node) if predicate == FOAF.homepage else f"{scheme} {text}"
                found.append(Value(label, href=web_link(target), external=True, literal=True))
        return found

    def _schema_org(self, graph: Graph, iri: URIRef, types: list[URIRef], title: Label) -> dict:
        """schema.org JSON-LD (https://schema.org/) for search engines: type, names, links."""
        kind = next((name for cls, name in SCHEMA_TYPES if cls in types
                     or self.index.is_a(iri, cls)), "Thing")
        doc: dict = {"@context": "https://schema.org", "@type": kind, "@id": str(iri),
                     "name": title.text}
        alternate = sorted({str(o) for p in (*NAME_PREDICATES, SKOS.altLabel)
                            for o in graph.objects(iri, p)} - {title.text})
        if alternate:
            doc["alternateName"] = alternate
        same_as = [str(o) for p in IDENTIFIERS for o in graph.objects(iri, p)
                   if isinstance(o, URIRef) and p != FOAF.homepage]
        if same_as:
            doc["sameAs"] = sorted(same_as)
        homepage = graph.value(iri, FOAF.homepage)
        if homepage is not None:
            doc["url"] = str(homepage)
        for ours, theirs in ((CNC.startDate, "startDate"), (CNC.endDate, "endDate"),
                             (CNC.date, "startDate" if kind == "Event" else "dateCreated")):
            date = graph.value(iri, ours)
            if date is not None and theirs not in doc:
                doc[theirs] = str(date)
        description = pick(self._texts(graph, iri, DCTERMS.description), "en")
        if description:
            doc["description"] = description[0]
        return doc


def _in_language(values: list[Node], lang: str) -> list[Node]:
    """Texts given in several languages: only those in the reader's (or fallback) language."""
    tagged = {v.language for v in values if isinstance(v, Literal) and v.language}
    if len(tagged) < 2:
        return values
    picked = pick({tag: tag for tag in tagged}, lang)
    return [v for v in values if not (isinstance(v, Literal) and v.language)
            or v.language == picked[0]]


def _period(start: Node | None, end: Node | None, lang: str) -> str:
    """"2019–2023", "since 2019", "until 2023" or "" from optional start and end dates."""
    if isinstance(start, Literal):
        if isinstance(end, Literal):
            return format_date_range(start, end, lang)
        return ui(lang)["since"].format(date=format_date(start, lang))
    if isinstance(end, Literal):
        return ui(lang)["until"].format(date=format_date(end, lang))
    return ""


def entity_document(store: Store, iri: URIRef, document: URIRef) -> Graph:
    """The entity's RDF document: its triples, the labels of what it links to, the statements
    pointing at it, and what the document is (license, dataset)."""
    graph = bind_prefixes(Graph())
    graph += store.describe(iri)
    graph.add((document, RDF.type, FOAF.Document))
    graph.add((document, FOAF.primaryTopic, iri))
    graph.add((document, DCTERMS.license, DATA_LICENSE))
    graph.add((document, VOID.inDataset, URIRef(DATASET_IRI)))
    return graph
