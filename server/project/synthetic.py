"""A CNC-shaped synthetic project folder of a chosen size, for benchmarks.

Entities live in their own namespace (``SYNTHETIC_NS``), never under ``kg:``; the only curated
entities used are the two countries (``kg:france``, ``kg:china``), copied from the project's
data because the network-node shapes name them. Output is streamed (memory stays flat at 10M
triples) and byte-for-byte deterministic for a seed.
"""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from server.config import ONTOLOGY_NS, SYNTHETIC_NS
from server.namespaces import KG
from server.project.files import turtle_files

MARKER = "generate.json"          # written last; names a folder this command may overwrite
DATA_FILE = "synthetic.ttl"
COUNTRIES_FILE = "countries.ttl"
COPIED_FOLDERS = ("ontology", "shapes", "queries")
COUNTRIES = (str(KG.france), str(KG.china))

PREFIXES = {
    "syn": SYNTHETIC_NS,
    "cnc": ONTOLOGY_NS,
    "kg": str(KG),
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#",
    "dcterms": "http://purl.org/dc/terms/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

# Labels per kind: (French, English, Chinese), each followed by the entity's number.
NAMES = {
    "university": ("Université synthétique", "Synthetic university", "合成大学"),
    "institute": ("Institut de recherche synthétique", "Synthetic research institute",
                  "合成研究所"),
    "laboratory": ("Laboratoire synthétique", "Synthetic laboratory", "合成实验室"),
    "city": ("Ville synthétique", "Synthetic city", "合成城市"),
    "node": ("Nœud synthétique", "Synthetic node", "合成节点"),
    "project": ("Projet synthétique", "Synthetic project", "合成项目"),
    "person": ("Personne synthétique", "Synthetic person", "合成人物"),
    "event": ("Événement synthétique", "Synthetic event", "合成活动"),
    "agreement": ("Accord synthétique", "Synthetic agreement", "合成协议"),
    "network": ("Réseau synthétique", "Synthetic network", "合成网络"),
    "programme": ("Programme synthétique", "Synthetic programme", "合成计划"),
}
AXES = ("cnc:AxisAgriculture", "cnc:AxisBiodiversity", "cnc:AxisEnvironment")
ROLES = ("cnc:RoleDirector", "cnc:RoleCoordinator", "cnc:RoleAdviser", "cnc:RolePresident",
         "cnc:RoleChiefExecutive")
EVENT_CLASSES = ("cnc:Conference", "cnc:CommitteeMeeting", "cnc:Inauguration")
STRUCTURE_CLASSES = ("cnc:InternationalResearchLaboratory", "cnc:InternationalResearchNetwork",
                     "cnc:InternationalAssociatedLaboratory")
PEOPLE_PER_ROUND = 4


class GenerationRefused(Exception):
    """The folder cannot be generated (it is the project's own, or a foreign folder)."""


@dataclass(frozen=True)
class Generated:
    """What one generation wrote."""

    folder: Path
    triples: int
    entities: int
    rounds: int


def _literal(text: str, lang: str | None = None, datatype: str | None = None) -> str:
    """A Turtle literal (quotes and backslashes escaped)."""
    quoted = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if lang:
        return f"{quoted}@{lang}"
    return f"{quoted}^^{datatype}" if datatype else quoted


def _labels(kind: str, number: int) -> list[tuple[str, str]]:
    """rdfs:label in fr, en and zh, plainly synthetic."""
    fr, en, zh = NAMES[kind]
    return [("rdfs:label", _literal(f"{text} {number}", lang))
            for text, lang in ((fr, "fr"), (en, "en"), (zh, "zh"))]


def _date(rng: random.Random, first_year: int = 1990, last_year: int = 2025) -> tuple[int, str]:
    """A random (year, xsd:date literal)."""
    year = rng.randint(first_year, last_year)
    return year, _literal(f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                          datatype="xsd:date")


class _Round:
    """One round of entities: a French and a Chinese organisation with a laboratory each, a city,
    a network node joining the two laboratories, a project, people with roles, an event and an
    agreement — each citing the round's source document. Links reach back to earlier rounds."""

    def __init__(self, number: int, rng: random.Random):
        self.n = number
        self.rng = rng

    def earlier(self) -> int:
        """A random round number up to this one (cross-links spread over the whole graph)."""
        return self.rng.randrange(self.n + 1)

    def entities(self) -> Iterator[tuple[str, list[tuple[str, str]]]]:
        """(subject, [(predicate, object)]) in a fixed order."""
        n, rng = self.n, self.rng
        source = f"syn:source-{n}"
        cited = ("dcterms:source", source)
        yield source, [("a", "cnc:SourceDocument"),
                       ("rdfs:label", _literal(f"Synthetic source document {n}", "en"))]
        country = "kg:france" if n % 2 == 0 else "kg:china"
        yield f"syn:city-{n}", [("a", "cnc:City"), *_labels("city", n),
                                ("cnc:country", country), cited]
        for side, kind, cls, home in (("fr", "university", "cnc:University", "kg:france"),
                                      ("cn", "institute", "cnc:ResearchInstitute", "kg:china")):
            yield f"syn:org-{n}-{side}", [
                ("a", cls), *_labels(kind, n),
                ("skos:altLabel", _literal(f"SYN-{side.upper()}-{n}")),
                ("cnc:country", home), ("cnc:location", f"syn:city-{self.earlier()}"),
                ("foaf:homepage", f"<https://org-{n}-{side}.synthetic.example/>"), cited]
            yield f"syn:lab-{n}-{side}", [
                ("a", "cnc:Laboratory"), *_labels("laboratory", 2 * n + (side == "cn")),
                ("org:subOrganizationOf", f"syn:org-{n}-{side}"),
                ("cnc:location", f"syn:city-{self.earlier()}"), cited]
        _, node_start = _date(rng, 2015)
        yield f"syn:node-{n}", [
            ("a", "cnc:NetworkNode"), ("a", rng.choice(STRUCTURE_CLASSES)), *_labels("node", n),
            ("cnc:nodeOf", "syn:network"), ("cnc:partner", f"syn:lab-{n}-fr"),
            ("cnc:partner", f"syn:lab-{n}-cn"),
            ("cnc:partner", f"syn:org-{self.earlier()}-{rng.choice(('fr', 'cn'))}"),
            ("cnc:researchAxis", rng.choice(AXES)),
            ("cnc:coordinatingOrganisation", f"syn:org-{n}-fr"),
            ("cnc:startDate", node_start), cited]
        start_year, project_start = _date(rng, 2000, 2020)
        yield f"syn:project-{n}", [
            ("a", "cnc:PartnershipProject"), *_labels("project", n),
            ("cnc:partner", f"syn:lab-{self.earlier()}-fr"),
            ("cnc:partner", f"syn:lab-{self.earlier()}-cn"),
            ("cnc:researchAxis", rng.choice(AXES)), ("cnc:fundedBy", "syn:programme"),
            ("cnc:startDate", project_start),
            ("cnc:endDate", _literal(f"{start_year + rng.randint(1, 4)}-12-31",
                                     datatype="xsd:date")), cited]
        people = [f"syn:person-{n * PEOPLE_PER_ROUND + i}" for i in range(PEOPLE_PER_ROUND)]
        for i, person in enumerate(people):
            number = n * PEOPLE_PER_ROUND + i
            yield person, [("a", "foaf:Person"), *_labels("person", number),
                           ("foaf:name", _literal(f"Synthetic Person {number}")),
                           ("cnc:publicationAllowed", "true"), cited]
            # roles over time: an earlier, ended role, then a current one elsewhere
            first_year, first_start = _date(rng, 1990, 2015)
            end_year = first_year + rng.randint(1, 6)
            yield f"syn:membership-{number}-1", [
                ("a", "org:Membership"), ("org:member", person),
                ("org:organization", f"syn:lab-{self.earlier()}-{rng.choice(('fr', 'cn'))}"),
                ("org:role", rng.choice(ROLES)), ("cnc:startDate", first_start),
                ("cnc:endDate", _literal(f"{end_year}-06-30", datatype="xsd:date")), cited]
            yield f"syn:membership-{number}-2", [
                ("a", "org:Membership"), ("org:member", person),
                ("org:organization", f"syn:org-{self.earlier()}-{rng.choice(('fr', 'cn'))}"),
                ("org:role", rng.choice(ROLES)),
                ("cnc:startDate", _literal(f"{end_year + 1}-01-01", datatype="xsd:date")),
                cited]
        _, event_date = _date(rng, 2000)
        yield f"syn:event-{n}", [
            ("a", rng.choice(EVENT_CLASSES)), *_labels("event", n), ("cnc:date", event_date),
            ("cnc:place", f"syn:city-{self.earlier()}"),
            ("cnc:organiser", f"syn:org-{n}-{rng.choice(('fr', 'cn'))}"),
            *[("cnc:participant", person) for person in people[:3]], cited]
        _, signed = _date(rng, 1990)
        yield f"syn:agreement-{n}", [
            ("a", "cnc:FrameworkAgreement"), *_labels("agreement", n),
            ("cnc:party", f"syn:org-{n}-fr"), ("cnc:party", f"syn:org-{self.earlier()}-cn"),
            ("cnc:signatory", people[0]), ("cnc:signatory", people[1]), ("cnc:date", signed),
            ("cnc:place", f"syn:city-{self.earlier()}"), ("cnc:occasion", f"syn:event-{n}"),
            cited]


def _preamble() -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """The synthetic network and funding programme every round refers to."""
    cited = ("dcterms:source", "syn:source-0")
    yield "syn:network", [("a", "cnc:ScienceNetwork"), *_labels("network", 1), cited]
    yield "syn:programme", [("a", "cnc:PartnershipProgramme"), *_labels("programme", 1),
                            ("cnc:offeredBy", "syn:org-0-fr"), cited]


def _block(subject: str, pairs: list[tuple[str, str]]) -> str:
    """One subject as a Turtle block, one predicate-object per line."""
    lines = [f"{subject} {pairs[0][0]} {pairs[0][1]}"]
    lines += [f"    {predicate} {obj}" for predicate, obj in pairs[1:]]
    return " ;\n".join(lines) + " .\n"


def write_synthetic_data(path: Path, triples: int, seed: int) -> tuple[int, int, int]:
    """Stream rounds of entities into ``path`` until about ``triples`` are written.

    Stops when one more round would overshoot more than it would fall short; returns
    (triples written, entities, rounds).
    """
    rng = random.Random(seed)
    written = entities = rounds = 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write(f"# Generated by `cnc-kg generate --seed {seed}`: synthetic data, do not edit.\n")
        out.writelines(f"@prefix {prefix}: <{iri}> .\n" for prefix, iri in PREFIXES.items())
        out.write("\n")
        last_round = 0
        for subject, pairs in _preamble():
            out.write(_block(subject, pairs))
            written, entities = written + len(pairs), entities + 1
        while rounds == 0 or written + last_round / 2 < triples:
            before = written
            for subject, pairs in _Round(rounds, rng).entities():
                out.write(_block(subject, pairs))
                written, entities = written + len(pairs), entities + 1
            last_round = written - before
            rounds += 1
    return written, entities, rounds


def write_countries(project_data: Path, path: Path) -> int:
    """Copy the curated descriptions of ``kg:france`` and ``kg:china`` as sorted N-Triples.

    The network-node shapes require a French and a Chinese partner by these IRIs, so the
    synthetic graph reuses them rather than inventing countries. Returns the triples written.
    """
    wanted = {ox.NamedNode(iri) for iri in COUNTRIES}
    lines: set[str] = set()
    for file in turtle_files(project_data):  # a missing or empty data/ is ProjectError
        for quad in ox.parse(path=str(file), format=ox.RdfFormat.TURTLE):
            if quad.subject in wanted:
                lines.add(f"{quad.subject} {quad.predicate} {quad.object} .\n")
    found = {line.split(" ", 1)[0] for line in lines}
    missing = [iri for iri in COUNTRIES if f"<{iri}>" not in found]
    if missing:
        raise GenerationRefused(
            f"{project_data}: no description of {', '.join(missing)}; the synthetic network "
            "nodes need them (shapes NetworkNodeShape-partnerFrance/-partnerChina)")
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write("# Copied from the curated data by `cnc-kg generate`: do not edit.\n")
        out.writelines(sorted(lines))
    return len(lines)


def _prepare_folder(out: Path, source_root: Path) -> None:
    """Make ``out`` an empty generation folder; refuse the project itself or a foreign folder."""
    out, source_root = out.resolve(), source_root.resolve()
    if out == source_root or source_root.is_relative_to(out) or out.is_relative_to(
            source_root / "data"):
        raise GenerationRefused(f"{out}: refusing to generate into the project's own folders")
    if out.exists() and any(out.iterdir()):
        if not (out / MARKER).is_file():
            raise GenerationRefused(
                f"{out} is not empty and holds no {MARKER}: not a generated folder, left as is")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)


def generate_project(source_root: Path, out: Path, triples: int, seed: int) -> Generated:
    """Write a synthetic project folder ``out``: data/ plus copies of the project's ontology/,
    shapes/ and queries/, so ``cnc-kg --root OUT build`` and ``serve`` work on it."""
    _prepare_folder(out, source_root)
    for name in COPIED_FOLDERS:
        if (source_root / name).is_dir():
            shutil.copytree(source_root / name, out / name)
    (out / "data").mkdir()
    country_triples = write_countries(source_root / "data", out / "data" / COUNTRIES_FILE)
    written, entities, rounds = write_synthetic_data(out / "data" / DATA_FILE,
                                                     max(triples - country_triples, 1), seed)
    result = Generated(out, written + country_triples, entities, rounds)
    (out / MARKER).write_text(json.dumps({
        "target_triples": triples, "seed": seed, "triples": result.triples,
        "entities": entities, "rounds": rounds, "namespace": SYNTHETIC_NS,
    }, indent=2) + "\n", encoding="utf-8")
    return result
