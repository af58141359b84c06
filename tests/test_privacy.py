"""People: only those cleared for publication are published; ``remove-person`` leaves no trace.

Checked where a harvester would look: data/, the dist/ dumps after ``cnc-kg build``, and the
SPARQL endpoint of a real ``cnc-kg serve``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from conftest import start_server
from importing import SAMPLES, read_csv, run, sample_files, scratch_project, write_csv

CNC_KG = str(Path(sys.executable).parent / "cnc-kg")
KG = "https://w3id.org/cnc-kg/id/"
P = "https://inc.cnrs.fr/fr/cnrsinfo/visite-de-le2p2l-laboratoire-international-de-recherche-shanghai"

# A hand-curated file (fixture, made-up test person) holding a person, a comment about them and
# a membership: remove-person must take out these blocks and keep the rest of the file as it is.
HAND_FILE = f"""# Hand-curated fixture file.
@prefix cnc: <https://w3id.org/cnc-kg/ontology/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix kg: <{KG}> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

# Test Person Zheng-Helper, fixture only
kg:test-helper
    a foaf:Person ;
    rdfs:label "Test Helper"@fr ;
    rdfs:label "Test Helper"@en ;
    cnc:publicationAllowed true ;
    dcterms:source <{P}> .

kg:test-helper-at-cnrs
    a org:Membership ;
    org:member kg:test-helper ;
    org:organization kg:cnrs ;
    dcterms:source <{P}> .

kg:test-other-at-cnrs
    a org:Membership ;
    org:member kg:zheng-jianxia ;
    org:organization kg:cnrs ;
    dcterms:source <{P}> .
"""


def _build(project: Path) -> None:
    done = subprocess.run([CNC_KG, "--root", str(project), "build", "--no-reasoner"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr


def _ask(base: str, query: str) -> bool:
    url = base + "sparql?" + urllib.parse.urlencode({"query": query})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["boolean"]


def _mentions(base: str, iri: str, text: str) -> bool:
    """Whether the endpoint has any statement about or pointing to ``iri``, or a literal
    containing ``text``."""
    return _ask(base, f"ASK {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?p <{iri}> }} UNION "
                      f"{{ ?s ?p ?o FILTER (isLiteral(?o) && CONTAINS(STR(?o), \"{text}\")) }} }}")


def _found_in(folder: Path, *needles: str) -> list[str]:
    return [f"{path.name}: {needle}" for path in sorted(folder.glob("*")) if path.is_file()
            for needle in needles if needle in path.read_text(encoding="utf-8", errors="replace")]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The samples imported, with Jianxia Zheng also named as a participant of the inauguration
    (so her removal must edit another record) and the hand-curated fixture file."""
    project = scratch_project(tmp_path_factory.mktemp("privacy"))
    events = read_csv(SAMPLES / "events.csv")
    column = events[0].index("participants")
    events = [row if row[0] != "cnc-inauguration" else
              [*row[:column], "zheng-jianxia", *row[column + 1:]] for row in events]
    folder = tmp_path_factory.mktemp("sheets")
    sheets = [p for p in sample_files() if p.stem != "events"]
    sheets.append(write_csv(folder / "events.csv", events))
    result = run(project, "import", *map(str, sheets))
    assert result.exit_code == 0, result.output
    (project / "data" / "hand-people.ttl").write_text(HAND_FILE, encoding="utf-8")
    return project


def test_person_not_cleared_for_publication_is_in_no_output(project: Path):
    assert _found_in(project / "data", "jacquin-joly", "Jacquin-Joly") == []
    _build(project)
    assert _found_in(project / "dist", "jacquin-joly", "Jacquin-Joly") == []
    with start_server(project) as base:
        assert not _mentions(base, KG + "jacquin-joly", "Jacquin-Joly")
        assert _mentions(base, KG + "zheng-jianxia", "Jianxia Zheng")  # the query can see people


def test_remove_person_leaves_nothing_in_data_dumps_or_endpoint(project: Path):
    result = run(project, "remove-person", "zheng-jianxia")
    assert result.exit_code == 0, result.output
    assert _found_in(project / "data", "zheng-jianxia", "Jianxia Zheng") == []
    hand = (project / "data" / "hand-people.ttl").read_text(encoding="utf-8")
    assert "kg:test-helper-at-cnrs\n" in hand and "# Test Person Zheng-Helper" in hand
    assert "kg:test-other-at-cnrs" not in hand           # her membership went with her
    assert "kg:cnc-inauguration" in (project / "data" / "imported-events.ttl").read_text(
        encoding="utf-8")                                # the event stays, without her
    _build(project)
    assert _found_in(project / "dist", "zheng-jianxia", "Jianxia Zheng") == []
    with start_server(project) as base:
        assert not _mentions(base, KG + "zheng-jianxia", "Jianxia Zheng")
        assert _mentions(base, KG + "test-helper", "Test Helper")

    again = run(project, "remove-person", "zheng-jianxia")
    assert again.exit_code == 1 and "nothing to remove" in again.output
