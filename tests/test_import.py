"""``cnc-kg template`` / ``import`` / ``export``: round trip, XLSX, re-import, --prune."""

from __future__ import annotations

from pathlib import Path

import pytest
from importing import (
    SAMPLES,
    data_rows,
    read_csv,
    run,
    sample_files,
    scratch_project,
    write_csv,
)
from openpyxl import load_workbook
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS

KG = "https://w3id.org/cnc-kg/id/"

# Fixture rows for the kinds the samples do not cover (no public fact to fill them with): made-up
# test-* records, imported only into a scratch folder, never into data/.
EXTRA_ROWS = {
    "laboratories": [["test-lab", "Laboratoire test", "Test laboratory", "测试实验室", "TL", "",
                      "cnrs", "https://example.org/lab", "", "", "https://example.org/source"]],
    "funding-instruments": [["test-programme", "PartnershipProgramme", "Programme test",
                             "Test programme", "", "cnc | cnrs", "Règle", "Rule", "2",
                             "", "https://example.org/source"]],
    "projects": [["test-project", "PartnershipProject", "Projet test", "Test project", "测试项目",
                  "cas | cnrs", "cnrs", "test-programme", "AxisAgriculture | AxisEnvironment",
                  "2019", "2021-12", "", "https://example.org/source"]],
    "funded-activities": [["test-conference", "Conference", "Conférence test", "Test conference",
                           "", "2024-06", "", "", "beijing", "cas", "test-programme",
                           "https://example.org/source"]],
}


def _normalised(rows: list[list[str]]) -> list[list[str]]:
    """Rows with the values of multi-valued cells sorted ("b | a" == "a | b")."""
    return sorted([" | ".join(sorted(v.strip() for v in cell.split("|"))) if "|" in cell
                   else cell for cell in row] for row in rows)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return scratch_project(tmp_path / "project")


@pytest.fixture
def templates(project: Path) -> Path:
    """Empty templates of every kind, as a curator gets them."""
    out = project / "templates"
    result = run(project, "template", "--all", "--out", str(out), "--xlsx",
                 str(out / "cnc.xlsx"))
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def filled(templates: Path, tmp_path: Path) -> Path:
    """The templates filled with the sample rows (and fixture rows for the other kinds)."""
    folder = tmp_path / "filled"
    folder.mkdir()
    samples = {path.stem: path for path in sample_files()}
    for template in sorted(templates.glob("*.csv")):
        header, notes = read_csv(template)[:2]
        if template.stem in samples:
            assert read_csv(samples[template.stem])[0] == header, f"{template.stem}: header drift"
            rows = data_rows(samples[template.stem])
        else:
            rows = EXTRA_ROWS[template.stem]
        assert all(len(row) == len(header) for row in rows), template.stem
        write_csv(folder / template.name, [header, notes, *rows])
    return folder


def test_template_has_a_header_and_an_explanation_row_per_kind(templates: Path):
    header, notes = read_csv(templates / "organisations.csv")
    assert header[:3] == ["slug", "type", "label_fr"]
    assert len(notes) == len(header) and notes[0].startswith("#")
    assert "ResearchInstitute" in notes[1]                      # choices come from the ontology
    assert notes[header.index("source")].startswith("REQUIRED")  # required, from the shapes
    # A name is given in the languages it exists in (at least one, checked per row): no label
    # column is required on its own (issue 13).
    assert not any(notes[header.index(c)].startswith("REQUIRED")
                   for c in ("label_fr", "label_en", "label_zh"))
    workbook = load_workbook(templates / "cnc.xlsx", read_only=True)
    assert "people" in workbook.sheetnames and "organisations" in workbook.sheetnames
    workbook.close()


def test_round_trip_template_sample_import_export(project: Path, filled: Path, tmp_path: Path):
    result = run(project, "import", *map(str, sorted(filled.glob("*.csv"))))
    assert result.exit_code == 0, result.output
    exported = tmp_path / "exported"
    assert run(project, "export", "--all", "--out", str(exported)).exit_code == 0
    for sheet in sorted(filled.glob("*.csv")):
        expected = data_rows(sheet)
        if sheet.stem == "people":  # a person not cleared for publication is never imported
            expected = [row for row in expected if row[-2] == "yes"]
        assert read_csv(exported / sheet.name)[0] == read_csv(sheet)[0]
        assert _normalised(data_rows(exported / sheet.name)) == _normalised(expected), sheet.stem


def test_import_writes_sorted_blocks_with_a_header_and_stable_iris(project: Path, filled: Path):
    assert run(project, "import", *map(str, sorted(filled.glob("*.csv")))).exit_code == 0
    text = (project / "data" / "imported-organisations.ttl").read_text(encoding="utf-8")
    assert text.startswith("# generated by cnc-kg import from organisations.csv")
    subjects = [line for line in text.splitlines() if line.startswith("kg:")]
    assert subjects == sorted(subjects) == ["kg:cas", "kg:cnc", "kg:cnrs", "kg:ecnu",
                                            "kg:ens-lyon", "kg:fudan"]
    graph = Graph().parse(data=text, format="turtle")
    assert (URIRef(KG + "cnrs"), URIRef("https://w3id.org/cnc-kg/ontology/ror"),
            URIRef("https://ror.org/02feahw73")) in graph


def test_xlsx_workbook_with_chinese_text_imports_like_the_csv_files(
        project: Path, filled: Path, templates: Path, tmp_path: Path):
    workbook = load_workbook(templates / "cnc.xlsx")
    for sheet in workbook.worksheets:
        for row in data_rows(filled / f"{sheet.title}.csv"):
            sheet.append(row)
    workbook.save(tmp_path / "curator.xlsx")
    assert run(project, "import", str(tmp_path / "curator.xlsx")).exit_code == 0
    from_xlsx = {p.name: Graph().parse(p) for p in (project / "data").glob("*.ttl")}
    text = (project / "data" / "imported-organisations.ttl").read_text(encoding="utf-8")
    assert '"中法碳中和中心"@zh' in text
    assert "curator.xlsx#organisations" in text

    other = scratch_project(tmp_path / "other")
    assert run(other, "import", *map(str, sorted(filled.glob("*.csv")))).exit_code == 0
    from_csv = {p.name: Graph().parse(p) for p in (other / "data").glob("*.ttl")}
    assert from_xlsx.keys() == from_csv.keys()
    for name in from_csv:
        assert isomorphic(from_xlsx[name], from_csv[name]), name
    cnc = URIRef(KG + "cnc")
    assert Literal("中法碳中和中心", lang="zh") in set(from_xlsx["imported-organisations.ttl"]
                                                  .objects(cnc, RDFS.label))


def _import_samples(project: Path, *extra: str):
    return run(project, "import", *map(str, sample_files()), *extra)


def test_reimport_is_idempotent_and_an_edit_updates_the_same_entity(project: Path,
                                                                    tmp_path: Path):
    assert _import_samples(project).exit_code == 0
    before = {p: p.read_bytes() for p in (project / "data").glob("*.ttl")}
    again = _import_samples(project)
    assert again.exit_code == 0 and "nothing to change" in again.output
    assert {p: p.read_bytes() for p in (project / "data").glob("*.ttl")} == before

    places = read_csv(SAMPLES / "places.csv")
    edited = [row if row[0] != "shanghai" else [*row[:4], "上海", *row[5:]] for row in places]
    changed = run(project, "import", str(write_csv(tmp_path / "places.csv", edited)))
    assert changed.exit_code == 0, changed.output
    assert "1 changed" in changed.output and f"changed: {KG}shanghai" in changed.output
    text = (project / "data" / "imported-places.ttl").read_text(encoding="utf-8")
    assert text.count("kg:shanghai\n") == 1 and '"上海"@zh' in text


def test_removed_rows_are_reported_and_deleted_only_with_prune(project: Path, tmp_path: Path):
    assert _import_samples(project).exit_code == 0
    target = project / "data" / "imported-organisations.ttl"
    rows = read_csv(SAMPLES / "organisations.csv")
    sheet = write_csv(tmp_path / "organisations.csv", [r for r in rows if r[0] != "cas"])

    kept = run(project, "import", str(sheet))
    assert kept.exit_code == 0, kept.output
    assert f"row removed from the sheet: {KG}cas — kept; pass --prune" in kept.output
    assert "kg:cas\n" in target.read_text(encoding="utf-8")

    dry = run(project, "import", "--prune", "--dry-run", str(sheet))
    assert dry.exit_code == 0 and "dry run: nothing written" in dry.output
    assert "-kg:cas" in dry.output                      # the diff shows the block going
    assert "kg:cas\n" in target.read_text(encoding="utf-8")

    pruned = run(project, "import", "--prune", str(sheet))
    assert pruned.exit_code == 0, pruned.output
    assert f"{KG}cas — deleted (--prune)" in pruned.output
    assert "kg:cas\n" not in target.read_text(encoding="utf-8")


def test_a_slug_cannot_name_records_of_two_kinds(project: Path, templates: Path, tmp_path: Path):
    assert _import_samples(project).exit_code == 0
    header, notes = read_csv(templates / "funded-activities.csv")
    row = dict.fromkeys(header, "")
    row.update(slug="cnc-inauguration", type="Conference", label_fr="x", label_en="x",
               date="2023", funded_by="cnc", source="https://example.org/source")
    sheet = write_csv(tmp_path / "funded-activities.csv", [header, notes, [row[h] for h in header]])
    result = run(project, "import", str(sheet))
    assert result.exit_code == 1
    assert ("funded-activities.csv:3:slug: slug 'cnc-inauguration' is already used by a record "
            "imported into imported-events.ttl") in result.output
