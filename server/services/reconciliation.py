"""The reconciliation service: a curator's names (a spreadsheet column in OpenRefine) matched
against the graph's entities, with suggest, preview and data extension services.

W3C Entity Reconciliation Community Group, Reconciliation Service API 0.2
(https://www.w3.org/community/reports/reconciliation/CG-FINAL-specs-0.2-20230410/). Names are
matched by ``server.project.matching``, the matcher ``cnc-kg reconcile`` uses: every name of an
entity counts (labels in fr/en/zh, alternative labels, acronyms), compared folded, exactly, then
fuzzily. Entities are identified by their slug in ``https://w3id.org/cnc-kg/id/`` (the
identifier space); types and properties by their prefixed names (``cnc:Organisation``,
``cnc:country``), full IRIs also accepted.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from rdflib import URIRef
from rdflib.namespace import FOAF, ORG

from server.config import DATA_NS, ONTOLOGY_NS
from server.languages import LANGUAGES, pick
from server.namespaces import CNC, PREFIXES
from server.project import identifiers
from server.project.matching import EXACT_SCORE, Match, NameTable, similarity
from server.services import iris, search
from server.services import names as term_names
from server.services.index import GraphIndex
from server.store.base import Store
from server.store.queries import internal_query
from server.text import fold

SPEC_VERSION = "0.2"
DEFAULT_LIMIT = 10        # candidates per query when the query sets no limit
MAX_LIMIT = 50
CANDIDATE_THRESHOLD = 60  # lowest fuzzy name score listed (cnc-kg reconcile proposes from 90:
                          # it writes identifiers; here a curator picks among candidates)
CONTRADICTION_PENALTY = 30  # score lost for a country or parent the entity does not have
SCAN_LIMIT = 20_000       # graphs with more entities: candidates from the page index's search
SUGGEST_RESULTS = 10
MAX_QUERY_CHARS = 300     # longer query text is cut (no name of the graph is that long)
PREVIEW_WIDTH, PREVIEW_HEIGHT = 420, 240

DEFAULT_TYPES = (CNC.Organisation, FOAF.Person, CNC.Place, CNC.NetworkNode)
SERVICE_NAMES = {"fr": "Graphe de connaissances du CNC (Centre franco-chinois sur la "
                       "Neutralité Carbone)",
                 "en": "CNC knowledge graph (Franco-Chinese Carbon Neutrality Center)",
                 "zh": "中法碳中和中心知识图谱"}


class ReconciliationError(ValueError):
    """A request the service cannot read: malformed JSON, an unknown property (400)."""


@dataclass(frozen=True)
class Property:
    """A property queries may constrain and data extension may fetch."""

    id: str                    # prefixed name, as the service shows it
    iri: URIRef
    fact: str                  # its name in reconcile_facts.rq
    kind: str                  # "identifier" (ROR, Wikidata) or "entity" (country, parent)
    aliases: tuple[str, ...] = ()


PROPERTIES = (
    Property("cnc:ror", CNC.ror, "ror", "identifier", ("ror",)),
    Property("cnc:wikidata", CNC.wikidata, "wikidata", "identifier", ("wikidata",)),
    Property("cnc:country", CNC.country, "country", "entity", ("country",)),
    Property("org:subOrganizationOf", ORG.subOrganizationOf, "parent", "entity",
             ("parent", "subOrganizationOf")),
)
# Constraints are checked against what an entity inherits too: a laboratory is in its
# university's country and belongs to its university's parents.
INHERITED = {"country": ("country", "ancestor-country"), "parent": ("ancestor",),
             "ror": ("ror",), "wikidata": ("wikidata",)}
IDENTIFIER_FORMS = {"ror": (identifiers.ror_id, identifiers.ROR_PREFIX),
                    "wikidata": (identifiers.wikidata_id, identifiers.WIKIDATA_PREFIX)}


# -- identifiers of entities, types and properties ---------------------------------------------

def entity_id(iri: str) -> str | None:
    """The service's identifier of an entity IRI (its slug), ``None`` outside the space."""
    return iri[len(DATA_NS):] if iri.startswith(DATA_NS) and len(iri) > len(DATA_NS) else None


def entity_iri(identifier: str) -> URIRef | None:
    """The IRI an identifier names: a slug, ``kg:slug`` or the full IRI."""
    text = identifier.strip()
    text = text[3:] if text.startswith("kg:") else text.removeprefix(DATA_NS)
    return iris.entity_iri(text)


def curie(iri: str) -> str:
    """``cnc:Organisation`` for an IRI in a project namespace, else the IRI."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(str(namespace)) and len(iri) > len(str(namespace)):
            return f"{prefix}:{iri[len(str(namespace)):]}"
    return iri


def expand(name: str) -> URIRef:
    """The IRI of a prefixed name or full IRI (an unknown prefix is taken as part of an IRI)."""
    prefix, _, rest = name.strip().partition(":")
    if prefix in PREFIXES and not rest.startswith("//"):
        return URIRef(str(PREFIXES[prefix]) + rest)
    return URIRef(name.strip())


def find_property(pid: str) -> Property | None:
    """The property named by ``pid``: prefixed name, IRI or short alias ("country")."""
    text = pid.strip()
    return next((p for p in PROPERTIES if text in (p.id, str(p.iri), *p.aliases)), None)


# -- the names of the graph, as a matching table ----------------------------------------------

_tables: dict[tuple[str, str], NameTable[URIRef]] = {}
_tables_lock = threading.Lock()


def _graph_names(index: GraphIndex) -> NameTable[URIRef]:
    """Every name of every entity of the identifier space, folded once per build."""
    cache_key = (index.path, index.version)
    with _tables_lock:
        table = _tables.get(cache_key)
        if table is None:
            table = NameTable((iri, name.text) for iri, name in index.entity_names()
                              if str(iri).startswith(DATA_NS))
            _tables.clear()              # one build at a time is matched against
            _tables[cache_key] = table
        return table


def _names_for(index: GraphIndex, text: str) -> NameTable[URIRef]:
    """The names a query is matched against: all of them in a graph of ordinary size, the page
    index's name and word matches in a very large one (scanning 276k names per query would
    take a tenth of a second)."""
    if index.entity_count() <= SCAN_LIMIT:
        return _graph_names(index)
    found = (*index.name_matches(text, search.CANDIDATES),
             *index.word_matches(text, search.CANDIDATES))
    return NameTable((iri, name.text) for iri, name in found if str(iri).startswith(DATA_NS))


# -- one entity's facts ------------------------------------------------------------------------

@dataclass
class Facts:
    """What reconcile_facts.rq says of one entity, by fact name."""

    values: dict[str, set[URIRef]] = field(default_factory=dict)

    def get(self, *facts: str) -> set[URIRef]:
        return set().union(*(self.values.get(f, set()) for f in facts))


@dataclass
class Candidate:
    """An entity proposed for one query, with what was compared."""

    iri: URIRef
    match: Match | None = None            # of its best name, if a name matched
    matched_name: str = ""
    features: dict[str, bool] = field(default_factory=dict)   # property id -> agrees
    identifier: bool = False              # a ROR or Wikidata of the query is its own

    @property
    def contradicted(self) -> int:
        return sum(1 for agrees in self.features.values() if not agrees)

    @property
    def score(self) -> float:
        base = EXACT_SCORE if self.identifier else (self.match.score if self.match else 0.0)
        return max(0.0, base - CONTRADICTION_PENALTY * self.contradicted)

    def rank(self) -> tuple:
        exact = bool(self.match and self.match.exact)
        agreeing = sum(1 for agrees in self.features.values() if agrees)
        return (-self.score, not exact, -agreeing, str(self.iri))


class Reconciler:
    """The reconciliation service over one build (the store and page index a request sees),
    answering in ``lang`` (names and descriptions)."""

    def __init__(self, store: Store, index: GraphIndex, lang: str):
        self.store = store
        self.index = index
        self.lang = lang if lang in LANGUAGES else "en"
        self._facts: dict[URIRef, Facts] = {}

    # -- manifest ------------------------------------------------------------------------------
    def manifest(self, public_url: str, batch_size: int) -> dict:
        """The service manifest, with every URL on the server at ``public_url``."""
        root = public_url.rstrip("/")
        suggest = {kind: {"service_url": root, "service_path": f"/reconcile/suggest/{kind}"}
                   for kind in ("entity", "type", "property")}
        return {
            "versions": [SPEC_VERSION],
            "name": SERVICE_NAMES[self.lang],
            "identifierSpace": DATA_NS,
            "schemaSpace": ONTOLOGY_NS,
            "view": {"url": f"{root}/id/{{{{id}}}}"},
            "preview": {"url": f"{root}/reconcile/preview?id={{{{id}}}}&lang={self.lang}",
                        "width": PREVIEW_WIDTH, "height": PREVIEW_HEIGHT},
            "defaultTypes": [self._type(t) for t in DEFAULT_TYPES],
            "suggest": suggest,
            "extend": {"propose_properties": {"service_url": root,
                                              "service_path": "/reconcile/properties"},
                       "property_settings": []},
            "batchSize": batch_size,
        }

    # -- reconciliation queries ----------------------------------------------------------------
    def reconcile(self, batch: Mapping[str, object]) -> dict:
        """The reconciliation result batch of a query batch (queries answered independently)."""
        if not isinstance(batch, Mapping):
            raise ReconciliationError("a query batch is a JSON object of queries by key")
        return {str(key): {"result": self.candidates(query, str(key))}
                for key, query in batch.items()}

    def candidates(self, query: object, key: str = "") -> list[dict]:
        """The scored candidates of one reconciliation query, best first."""
        if not isinstance(query, Mapping):
            raise ReconciliationError(f"query {key!r} is not a JSON object")
        text = query.get("query")
        if text is not None and not isinstance(text, str):
            raise ReconciliationError(f"query {key!r}: 'query' must be a string")
        text = (text or "")[:MAX_QUERY_CHARS]
        constraints = self._constraints(query.get("properties"), key)
        if not text.strip() and not constraints:
            raise ReconciliationError(f"query {key!r} has neither a 'query' nor 'properties'")
        types = self._types(query.get("type"), key)
        limit = self._limit(query.get("limit"), key)

        found: dict[URIRef, Candidate] = {}
        if text.strip():
            self._by_identifier(text.strip(), found)
            for hit in _names_for(self.index, text).best([text], CANDIDATE_THRESHOLD).values():
                candidate = found.setdefault(hit.item, Candidate(hit.item))
                if candidate.match is None or hit.match > candidate.match:
                    candidate.match, candidate.matched_name = hit.match, hit.name
            # Names that start with the query's words ("UCCS" -> "UCCS (Lille)"): too short to
            # be fuzzy matches, still worth showing, with their (low) similarity as score.
            for hit in search.search(self.index, text, self.lang, search.MAX_RESULTS):
                if entity_id(str(hit.iri)) and hit.iri not in found:
                    found[hit.iri] = Candidate(hit.iri, Match(False, similarity(
                        text, hit.matched.text)), hit.matched.text)
        for prop, values in constraints:
            if prop.kind == "identifier" or not text.strip():
                for iri in self._holders(prop, values):
                    found.setdefault(iri, Candidate(iri))
        kept = []
        for candidate in found.values():
            if types and not any(self.index.is_a(candidate.iri, t) for t in types):
                continue
            if self._compare(candidate, constraints):
                kept.append(candidate)
        kept.sort(key=Candidate.rank)
        return self._results(kept[:limit], self._unambiguous(kept))

    def _by_identifier(self, text: str, found: dict[URIRef, Candidate]) -> None:
        """An entity's own identifier (slug or IRI) as the query is an exact match of it."""
        iri = entity_iri(text)
        if iri is not None and self.index.types(iri):
            found[iri] = Candidate(iri, Match(True, EXACT_SCORE), text)

    def _constraints(self, raw: object, key: str) -> list[tuple[Property, set[URIRef]]]:
        """The query's property constraints as (property, the IRIs its values stand for)."""
        if raw is None:
            return []
        if not isinstance(raw, list):
            raise ReconciliationError(f"query {key!r}: 'properties' must be an array")
        constraints = []
        for item in raw:
            if not isinstance(item, Mapping) or not isinstance(item.get("pid"), str) \
                    or "v" not in item:
                raise ReconciliationError(f"query {key!r}: each property is {{'pid', 'v'}}")
            prop = find_property(item["pid"])
            if prop is None:
                raise ReconciliationError(
                    f"query {key!r}: unknown property {item['pid']!r} (known: "
                    + ", ".join(p.id for p in PROPERTIES) + ")")
            raw_values = item["v"] if isinstance(item["v"], list) else [item["v"]]
            values = set().union(*(self._property_values(prop, v) for v in raw_values))
            texts = [v for v in raw_values if not (isinstance(v, str) and not v.strip())]
            if texts:                    # an empty cell constrains nothing
                constraints.append((prop, values))
        return constraints

    def _property_values(self, prop: Property, value: object) -> set[URIRef]:
        """The IRIs a property value stands for: an identifier in any written form, an entity
        by identifier, or an entity by one of its names (exactly)."""
        if isinstance(value, Mapping):
            value = value.get("id", value.get("name", ""))
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            return set()
        text = str(value).strip()
        if prop.kind == "identifier":
            parse, prefix = IDENTIFIER_FORMS[prop.fact]
            try:
                return {URIRef(prefix + parse(text))}
            except identifiers.IdentifierError:
                return set()
        iri = entity_iri(text)
        if iri is not None and self.index.knows(iri):
            return {iri}
        return set(_names_for(self.index, text).best([text], None))

    def _types(self, raw: object, key: str) -> list[URIRef]:
        if raw is None:
            return []
        names = raw if isinstance(raw, list) else [raw]
        if not all(isinstance(n, str) for n in names):
            raise ReconciliationError(f"query {key!r}: 'type' is a type id or an array of them")
        return [expand(n) for n in names if n.strip()]

    @staticmethod
    def _limit(raw: object, key: str) -> int:
        if raw is None:
            return DEFAULT_LIMIT
        if isinstance(raw, bool) or not isinstance(raw, int | float) \
                or not math.isfinite(raw) or raw < 1:
            raise ReconciliationError(f"query {key!r}: 'limit' must be a positive integer")
        return min(int(raw), MAX_LIMIT)

    def _holders(self, prop: Property, values: Iterable[URIRef]) -> set[URIRef]:
        """Entities of the identifier space holding one of ``values`` as ``prop`` (or inheriting
        it, for a country or a parent)."""
        holders = set()
        for value in values:
            result = self.store.query(internal_query("reconcile_holders"),
                                      bindings={"property": prop.iri, "value": value})
            position = result.variables.index("entity")
            holders |= {row[position] for row in result.rows
                        if isinstance(row[position], URIRef) and entity_id(str(row[position]))}
        return holders

    def facts(self, iri: URIRef) -> Facts:
        """What reconcile_facts.rq says of ``iri`` (read once per request)."""
        if iri not in self._facts:
            result = self.store.query(internal_query("reconcile_facts"),
                                      bindings={"entity": iri})
            fact_at, value_at = result.variables.index("fact"), result.variables.index("value")
            facts = Facts()
            for row in result.rows:
                if isinstance(row[value_at], URIRef):
                    facts.values.setdefault(str(row[fact_at]), set()).add(row[value_at])
            self._facts[iri] = facts
        return self._facts[iri]

    def _compare(self, candidate: Candidate, constraints: Sequence[tuple[Property, set]]) -> bool:
        """Record how ``candidate`` agrees with each constraint; ``False`` drops it (it holds
        another ROR or Wikidata identifier than the one given)."""
        if not constraints:
            return True
        facts = self.facts(candidate.iri)
        for prop, values in constraints:
            held = facts.get(*INHERITED[prop.fact])
            if not held or not values:
                continue                 # unknown either way: neither for nor against
            agrees = bool(held & values)
            if prop.kind == "identifier":
                if not agrees:
                    return False
                candidate.identifier = True
            candidate.features[prop.id] = agrees
        return True

    def _results(self, ranked: list[Candidate], certain: bool) -> list[dict]:
        """Candidates as the API writes them; ``match`` only for the best one, when
        ``certain`` (judged on every candidate, not only those the limit keeps)."""
        results = []
        for position, candidate in enumerate(ranked):
            features = [{"id": "name_similarity",
                         "value": candidate.match.score if candidate.match else 0.0},
                        {"id": "exact_name", "value": bool(candidate.match
                                                           and candidate.match.exact)}]
            features += [{"id": pid, "value": agrees}
                         for pid, agrees in sorted(candidate.features.items())]
            results.append({
                "id": entity_id(str(candidate.iri)),
                "name": self.name(candidate.iri),
                "description": self.description(candidate.iri, candidate.matched_name),
                "score": round(candidate.score, 2),
                "features": features,
                "match": position == 0 and certain,
                "type": [self._type(t) for t in self.index.types(candidate.iri)],
            })
        return results

    @staticmethod
    def _unambiguous(ranked: list[Candidate]) -> bool:
        """The best candidate is certain: its ROR/Wikidata is the query's, or one of its names is
        exactly the query's name; no other candidate is as good; nothing contradicts it."""
        if not ranked or ranked[0].contradicted:
            return False
        best, others = ranked[0], ranked[1:]
        if best.identifier:
            return not any(other.identifier for other in others)
        exact = bool(best.match and best.match.exact)
        return exact and not any(other.match and other.match.exact for other in others)

    # -- names, descriptions, types ----------------------------------------------------------
    def name(self, iri: URIRef) -> str:
        """The entity's name in the service's language (falling back as pages do)."""
        return self.index.label(iri, self.lang).text

    def description(self, iri: URIRef, matched: str = "") -> str:
        """What tells namesakes apart: the name that matched (when not the one shown), the
        kind of entity, what it belongs to and its country."""
        facts = self.facts(iri)
        parts = []
        if matched and fold(matched) != fold(self.name(iri)):
            parts.append(matched)
        parts += [self.index.label(t, self.lang).text for t in self.index.types(iri)]
        parts += sorted(self.name(p) for p in facts.get("parent"))
        parts += sorted(self.name(c) for c in (facts.get("country")
                                               or facts.get("ancestor-country")))
        return " · ".join(parts)

    def _type(self, cls: URIRef) -> dict:
        return {"id": curie(str(cls)), "name": self.index.label(cls, self.lang).text}

    def property_name(self, prop: Property) -> str:
        """A property's name in the service's language (the ontology's label, or ours)."""
        return term_names.name(self.index, str(prop.iri), self.lang).text

    # -- suggest services ----------------------------------------------------------------------
    def suggest_entities(self, prefix: str, cursor: int = 0) -> dict:
        """Entities whose names start with (or contain the words of) ``prefix``."""
        result = []
        iri = entity_iri(prefix)
        if iri is not None and self.index.types(iri):
            result.append(iri)
        for hit in search.search(self.index, prefix, self.lang, search.MAX_RESULTS):
            if entity_id(str(hit.iri)) and hit.iri not in result:
                result.append(hit.iri)
        return {"result": [{"id": entity_id(str(i)), "name": self.name(i),
                            "description": self.description(i),
                            "notable": [self._type(t) for t in self.index.types(i)]}
                           for i in result[cursor:cursor + SUGGEST_RESULTS]]}

    def suggest_types(self, prefix: str, cursor: int = 0) -> dict:
        """Classes that have entities, whose name (in any language) or id matches ``prefix``;
        the default types first."""
        classes = [*DEFAULT_TYPES, *sorted(c for c in self.index.list_classes()
                                           if c not in DEFAULT_TYPES)]
        wanted = fold(prefix)
        found = [c for c in classes if not wanted or any(
            _starts_words(fold(text), wanted)
            for text in (*self.index.names(str(c)).values(), curie(str(c))))]
        return {"result": [self._type(c) for c in found[cursor:cursor + SUGGEST_RESULTS]]}

    def suggest_properties(self, prefix: str, cursor: int = 0) -> dict:
        """The properties a query may constrain, whose name or id matches ``prefix``."""
        wanted = fold(prefix)
        found = [p for p in PROPERTIES if not wanted or any(
            _starts_words(fold(text), wanted)
            for text in (*self._all_property_names(p), p.id, *p.aliases))]
        return {"result": [{"id": p.id, "name": self.property_name(p)}
                           for p in found[cursor:cursor + SUGGEST_RESULTS]]}

    def _all_property_names(self, prop: Property) -> list[str]:
        return list(term_names.names(self.index, str(prop.iri)).values())

    # -- data extension ------------------------------------------------------------------------
    def propose_properties(self, type_id: str, limit: int | None = None) -> dict:
        """The properties data extension can fetch for entities of ``type_id``."""
        chosen = PROPERTIES[:limit] if limit else PROPERTIES
        answer: dict = {"type": type_id,
                        "properties": [{"id": p.id, "name": self.property_name(p)}
                                       for p in chosen]}
        if limit:
            answer["limit"] = limit
        return answer

    def extend(self, query: object) -> dict:
        """The values of the requested properties for the requested entities."""
        if not isinstance(query, Mapping) or not isinstance(query.get("ids"), list) \
                or not isinstance(query.get("properties"), list):
            raise ReconciliationError("a data extension query is {'ids': [...], "
                                      "'properties': [{'id': ...}, ...]}")
        props = []
        for item in query["properties"]:
            pid = item.get("id") if isinstance(item, Mapping) else None
            prop = find_property(pid) if isinstance(pid, str) else None
            if prop is None:
                raise ReconciliationError(f"unknown property {pid!r} (known: "
                                          + ", ".join(p.id for p in PROPERTIES) + ")")
            props.append(prop)
        meta = []
        for prop in props:
            column: dict = {"id": prop.id, "name": self.property_name(prop)}
            if prop.kind == "entity":
                target = CNC.Country if prop.fact == "country" else CNC.Organisation
                column["type"] = self._type(target)
            meta.append(column)
        rows = {}
        for identifier in query["ids"]:
            if not isinstance(identifier, str):
                raise ReconciliationError("entity ids are strings")
            iri = entity_iri(identifier)
            facts = self.facts(iri) if iri is not None else Facts()
            rows[identifier] = {prop.id: self._extension_values(prop, facts) for prop in props}
        return {"meta": meta, "rows": rows}

    def _extension_values(self, prop: Property, facts: Facts) -> list[dict]:
        if prop.kind == "identifier":
            prefix = IDENTIFIER_FORMS[prop.fact][1]
            return [{"str": str(v).removeprefix(prefix)} for v in sorted(facts.get(prop.fact))]
        held = facts.get(prop.fact)
        if prop.fact == "country" and not held:
            held = facts.get("ancestor-country")     # a laboratory: its university's country
        return [{"id": entity_id(str(v)), "name": self.name(v)} for v in sorted(held)
                if entity_id(str(v))]

    # -- preview -------------------------------------------------------------------------------
    def preview(self, identifier: str) -> dict | None:
        """What the preview card shows of an entity, or ``None`` if there is none."""
        iri = entity_iri(identifier)
        if iri is None or not self.index.types(iri):
            return None
        facts = self.facts(iri)
        names = self.index.names(str(iri))
        other = sorted({n.text for n in self.index.all_names(str(iri))
                        if n.alt or n.text not in names.values()})
        picked = pick(names, self.lang)
        return {
            "id": entity_id(str(iri)),
            "title": picked[0] if picked else self.name(iri),
            "names": [(lang, names[lang]) for lang in LANGUAGES if lang in names],
            "other_names": other,
            "types": [self.index.label(t, self.lang).text for t in self.index.types(iri)],
            "parents": sorted(self.name(p) for p in facts.get("parent")),
            "countries": sorted(self.name(c) for c in (facts.get("country")
                                                        or facts.get("ancestor-country"))),
            "identifiers": [(fact.upper() if fact == "ror" else "Wikidata", str(v))
                            for fact in ("ror", "wikidata") for v in sorted(facts.get(fact))],
        }


def _starts_words(text: str, prefix: str) -> bool:
    """Whether ``text`` starts with ``prefix`` or has a word that does."""
    return text.startswith(prefix) or any(word.startswith(prefix) for word in text.split())
