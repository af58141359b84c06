"""The partners of a network node (or of any joint structure): French and Chinese partners side
by side, each with its role in the structure (coordinator or partner), its type and what it
belongs to. The network picture sorts partners into the same sides."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import URIRef

from server.namespaces import WD
from server.services.index import GraphIndex, Label
from server.services.iris import local_name
from server.services.names import name as name_of
from server.store.base import Store
from server.store.queries import internal_query
from server.text import fold

# Country of a partner, told by the country's Wikidata item (or, failing that, its slug).
COUNTRY_SIDES = {WD.Q142: "fr", WD.Q148: "cn"}
COUNTRY_SLUGS = {"france": "fr", "china": "cn"}
SIDES = ("fr", "cn", "other")      # French, Chinese, other or unstated country


def side(country: URIRef | None, wikidata: URIRef | None) -> str:
    """"fr", "cn" or "other": the side of an organisation of ``country``."""
    if wikidata in COUNTRY_SIDES:
        return COUNTRY_SIDES[wikidata]
    return COUNTRY_SLUGS.get(local_name(str(country)) if country else "", "other")


@dataclass(frozen=True)
class Partner:
    """One organisation taking part in the structure."""

    iri: URIRef
    label: Label
    coordinator: bool
    kind: Label | None          # its most specific type
    parent: tuple[URIRef, Label] | None   # the organisation it belongs to


@dataclass(frozen=True)
class Partners:
    """The partners of a structure by side, coordinators first, then by name."""

    sides: dict[str, list[Partner]] = field(default_factory=dict)


def partners(store: Store, index: GraphIndex, node: URIRef, lang: str) -> Partners | None:
    """The partners of ``node`` by side; ``None`` when it has none."""
    found: dict[URIRef, tuple[bool, str]] = {}
    for organisation, role, country, wikidata, _ in store.query(
            internal_query("partners"), bindings={"node": node}).rows:
        if not isinstance(organisation, URIRef):
            continue
        was_coordinator, was_side = found.get(organisation, (False, "other"))
        shown = side(country, wikidata)
        found[organisation] = (was_coordinator or str(role) == "coordinator",
                               shown if was_side == "other" else was_side)
    if not found:
        return None
    facts = index.list_facts(found)
    by_side: dict[str, list[Partner]] = {s: [] for s in SIDES}
    for organisation, (coordinator, where) in found.items():
        fact = facts.get(organisation)
        kind = fact.kind if fact else None
        parent = fact.parent if fact else None
        by_side[where].append(Partner(
            organisation, name_of(index, organisation, lang), coordinator,
            name_of(index, kind, lang) if kind is not None else None,
            (parent, name_of(index, parent, lang)) if parent is not None else None))
    for members in by_side.values():
        members.sort(key=lambda p: (not p.coordinator, fold(p.label.text)))
    return Partners({s: members for s, members in by_side.items() if members})
