"""A broken sheet set: every problem is listed at its exact file:row:column, and nothing is written.

Rows are numbered as a spreadsheet shows them: header = 1, explanation row = 2, data from 3.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from importing import SAMPLES, read_csv, run, sample_files, scratch_project, write_csv

P = "https://cnc-fr-cn.com/presentation/"


def _sheet(folder: Path, name: str, rows: list[list[str]]) -> Path:
    """A sample's header and explanation row followed by ``rows``."""
    header, notes = read_csv(SAMPLES / f"{name}.csv")[:2]
    return write_csv(folder / f"{name}.csv", [header, notes, *rows])


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory):
    """Import the valid samples, then a broken set; return the second run and the project."""
    project = scratch_project(tmp_path_factory.mktemp("errors"))
    assert run(project, "import", *map(str, sample_files())).exit_code == 0
    before = {p.name: p.read_bytes() for p in (project / "data").glob("*.ttl")}
    folder = tmp_path_factory.mktemp("broken")
    header, notes = read_csv(SAMPLES / "organisations.csv")[:2]
    organisations = write_csv(folder / "organisations.csv", [[*header, "colour"], [*notes, ""], [
        # row 3: bad ROR checksum (02feahw73 is right)
        "cnrs", "ResearchInstitute", "CNRS", "CNRS", "", "", "france", "", "", "", "02feahw74",
        P, "blue"], [
        # row 4: duplicate key (cnrs again)
        "cnrs", "", "CNRS bis", "CNRS bis", "", "", "", "", "", "", "", P, ""], [
        # row 5: no label in any language, missing source
        "test-no-label", "University", "", "", "", "", "china", "", "", "", "", "", ""], [
        # row 6: a ministry without a country: only SHACL (MinistryShape) knows that rule
        "test-ministry", "Ministry", "Ministère test", "Test ministry", "", "", "", "", "", "",
        "", P, ""],
    ])
    events = _sheet(folder, "events", [
        # row 3: bad date; row 4: start after end (SHACL DateOrderShape); row 5: unknown place
        ["test-event", "Conference", "Conf", "Conf", "", "2023-13-01", "", "", "", "", "", "", "",
         "", P],
        ["test-span", "Conference", "Span", "Span", "", "", "2024-05-02", "2024-04", "", "", "",
         "", "", "", P],
        ["test-where", "Conference", "Où", "Where", "", "2024", "", "", "nowhere", "", "", "", "",
         "", P],
    ])
    people = write_csv(folder / "people.csv", [
        ["slug", "label_fr", "label_en", "name", "publication_allowed", "source", "email"],
        ["test-person", "Personne", "Person", "Person", "yes", P, "someone@example.org"],
    ])
    result = run(project, "import", str(organisations), str(events), str(people))
    after = {p.name: p.read_bytes() for p in (project / "data").glob("*.ttl")}
    return result, before, after


EXPECTED = [
    ("organisations.csv:1:colour: unknown column 'colour' for organisations"),
    ("organisations.csv:3:ror: '02feahw74': bad ROR checksum (the last two digits should be 73)"),
    ("organisations.csv:4:slug: duplicate key 'cnrs': already used in organisations.csv row 3"),
    ("organisations.csv:5:label_fr: missing label: give the name in the language(s) it exists in"),
    ("organisations.csv:5:source: missing source"),
    ("organisations.csv:6:country: A ministry belongs to a government"),
    ("events.csv:3:date: bad date '2023-13-01'"),
    ("events.csv:4:end_date: cnc:startDate 2024-05-02 is after cnc:endDate 2024-04"),
    ("events.csv:5:place: unknown reference 'nowhere'"),
    ("people.csv:1:email: column 'email' refused: the graph publishes no personal e-mail"),
]


@pytest.mark.parametrize("expected", EXPECTED)
def test_each_problem_is_reported_at_its_row_and_column(outcome, expected: str):
    result, _, _ = outcome
    assert any(line.startswith(expected) for line in result.output.splitlines()), result.output


def test_all_problems_at_once_and_nothing_written(outcome):
    result, before, after = outcome
    assert result.exit_code == 1
    assert "import refused" in result.output and "nothing written" in result.output
    assert after == before
