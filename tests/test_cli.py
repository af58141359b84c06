"""The ``cnc-kg`` validate / build / query commands: exit codes, messages, outputs, atomic dist/.

Broken inputs live in ``tests/broken/`` (see its README); "valid" means a copy of this
repository's own ontology/, shapes/, data/ and queries/.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic

from server.cli import cli
from server.cli.query import display_width, format_table
from server.config import load_settings
from server.project.files import RdfSyntaxError, load_project, parse_turtle_file

REPO = Path(__file__).resolve().parent.parent
BROKEN = Path(__file__).resolve().parent / "broken"
CNC_KG = Path(sys.executable).parent / "cnc-kg"   # the installed console script
QUICK = ["--no-reasoner", "--no-shapes-check"]     # the slow checks have their own tests
FINDING_KEYS = {"severity", "focus_node", "file", "line", "path", "value", "message", "shape"}


def run(*args: str, data: Path | None = None):
    """Invoke ``cnc-kg ARGS`` in-process; ``data`` replaces the data folder of the repository."""
    env = {"CNC_KG_DATA_DIR": str(data)} if data is not None else {}
    return CliRunner().invoke(cli, ["--root", str(REPO), *args], env=env)


def copy_project(destination: Path) -> Path:
    """A copy of the repository's project folders (never touch the real dist/)."""
    for name in ("ontology", "shapes", "data", "queries"):
        shutil.copytree(REPO / name, destination / name)
    return destination


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


# --- unreadable input: exit 2 with file:line:column ---------------------------------------------

@pytest.mark.parametrize(("case", "where", "reason"), [
    ("syntax-error", "syntax-error/nodes.ttl:9:31", "string"),
    ("unknown-prefix", "unknown-prefix/events.ttl:8:5", "prefix dc: has not been declared"),
    ("not-utf8", "not-utf8/latin1.ttl:5:29", "UTF-8"),
])
def test_unreadable_turtle_names_file_line_and_column(case, where, reason):
    result = run("validate", *QUICK, data=BROKEN / case)
    assert result.exit_code == 2
    assert f"{where}: Turtle syntax error: " in result.stderr
    assert reason in result.stderr  # the parser's own reason is kept
    assert result.stdout == ""


def test_syntax_error_as_json_gives_position():
    result = run("validate", "--format", "json", *QUICK, data=BROKEN / "syntax-error")
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert (error["line"], error["column"]) == (9, 31)
    assert error["file"].endswith("syntax-error/nodes.ttl")


def test_syntax_error_carries_position_for_code():
    settings = load_settings(root=REPO, data_dir=str(BROKEN / "syntax-error"))
    with pytest.raises(RdfSyntaxError) as caught:
        load_project(settings)
    assert caught.value.path == BROKEN / "syntax-error" / "nodes.ttl"
    assert (caught.value.line, caught.value.column) == (9, 31)


def test_blank_node_labels_stay_within_their_file(tmp_path):
    for name in ("a.ttl", "b.ttl"):
        (tmp_path / name).write_text(
            "@prefix kg: <https://w3id.org/cnc-kg/id/> .\n"
            f"kg:test-{name[0]} kg:test-role _:x .\n", encoding="utf-8")
    first, second = (parse_turtle_file(tmp_path / n).triples[0][2] for n in ("a.ttl", "b.ttl"))
    assert first != second


def test_ntriples_for_validation_hold_the_literals_rdflib_holds(tmp_path):
    """The SHACL engine reads Project.ntriples; pySHACL read rdflib's graphs: same literals."""
    (tmp_path / "a.ttl").write_text(
        "@prefix kg: <https://w3id.org/cnc-kg/id/> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        'kg:test-a kg:test-n "06"^^xsd:integer ; kg:test-d "2023-05-02Z"^^xsd:date ;\n'
        '    kg:test-s "06" ; kg:test-l "x"@fr ; kg:test-b _:x .\n', encoding="utf-8")
    project = load_project(load_settings(root=REPO, data_dir=str(tmp_path)))
    text = project.ntriples("data").decode("utf-8")
    assert isomorphic(Graph().parse(data=text, format="nt"), project.data)
    assert '"6"^^' in text and '"2023-05-02"^^' in text and '"06"' in text and "_:" in text


@pytest.mark.parametrize("command", ["validate", "build"])
def test_missing_data_folder_is_an_error_not_a_pass(tmp_path, command):
    root = copy_project(tmp_path)
    shutil.rmtree(root / "data")
    result = CliRunner().invoke(cli, [command, "--root", str(root), *QUICK])
    assert result.exit_code == 2
    assert f"{root / 'data'}: folder not found" in result.stderr
    assert not (root / "dist").exists()


def test_empty_shapes_folder_is_an_error_not_a_pass(tmp_path):
    root = copy_project(tmp_path)
    for path in (root / "shapes").glob("*.ttl"):
        path.unlink()
    result = CliRunner().invoke(cli, ["--root", str(root), "validate", *QUICK])
    assert result.exit_code == 2
    assert "shapes: no .ttl file in this folder" in result.stderr


# --- violations: exit 1, grouped by focus node with its file and line ---------------------------

def test_shacl_violation_names_focus_node_file_and_line():
    result = run("validate", *QUICK, data=BROKEN / "no-source")
    assert result.exit_code == 1
    assert "kg:test-unsourced-org  (" in result.stdout
    assert "no-source/organisations.ttl:9)" in result.stdout
    group = result.stdout.split("kg:test-unsourced-org  (", 1)[1].split("\n\n", 1)[0]
    assert "Violation" in group and "dcterms:source" in group
    assert result.stdout.rstrip().splitlines()[-1].startswith("INVALID: ")


def test_json_report_schema():
    result = run("validate", "--format", "json", *QUICK, data=BROKEN / "no-source")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert set(report) == {"conforms", "violations", "warnings", "findings"}
    assert report["conforms"] is False
    assert all(set(f) == FINDING_KEYS for f in report["findings"])
    assert report["violations"] == sum(f["severity"] == "Violation" for f in report["findings"])
    assert report["warnings"] == sum(f["severity"] == "Warning" for f in report["findings"])
    unsourced = [f for f in report["findings"] if f["focus_node"] == "kg:test-unsourced-org"
                 and f["severity"] == "Violation" and "dcterms:source" in f["message"]]
    assert len(unsourced) == 1
    assert unsourced[0]["file"].endswith("no-source/organisations.ttl")
    assert unsourced[0]["line"] == 9


def test_type_conflict_across_files_is_a_warning_naming_both():
    result = run("validate", "--format", "json", *QUICK, data=BROKEN / "type-conflict")
    report = json.loads(result.stdout)
    conflicts = [f for f in report["findings"] if f["focus_node"] == "kg:test-twice"
                 and f["shape"] == "(loader) conflicting types"]
    assert len(conflicts) == 1
    assert conflicts[0]["severity"] == "Warning"
    message = conflicts[0]["message"]
    assert "a-institutes.ttl:7" in message and "b-universities.ttl:5" in message
    assert "cnc:ResearchInstitute" in message and "cnc:University" in message


def test_unsatisfiable_class_is_a_violation(tmp_path):
    root = copy_project(tmp_path)
    shutil.copy(BROKEN / "unsatisfiable" / "disjoint-ministry.ttl", root / "ontology")
    result = CliRunner().invoke(cli, ["--root", str(root), "validate", "--format", "json",
                                      "--no-shapes-check"])
    assert result.exit_code == 1
    found = [f for f in json.loads(result.stdout)["findings"] if f["focus_node"] == "cnc:Ministry"
             and f["shape"] == "(reasoner) HermiT"]
    assert len(found) == 1
    assert found[0]["severity"] == "Violation" and "unsatisfiable" in found[0]["message"]
    assert found[0]["file"] == "ontology/cnc.ttl"


def test_malformed_shape_is_caught_by_the_shapes_check(tmp_path):
    root = copy_project(tmp_path)
    shutil.copy(BROKEN / "bad-shape" / "pathless-property.ttl", root / "shapes")
    checked = CliRunner().invoke(cli, ["--root", str(root), "validate", "--no-reasoner"])
    assert checked.exit_code == 1
    assert "cncsh:TestPathlessShape sh:property [blank node]  (shapes/pathless-property.ttl:8)" \
        in checked.stdout
    unchecked = CliRunner().invoke(cli, ["--root", str(root), "validate", *QUICK])
    assert unchecked.exit_code == 2
    assert "the shapes could not be run" in unchecked.stderr


# --- --root: a copy of the repository validates on its own --------------------------------------

def test_root_copy_valid_then_broken(tmp_path):
    root = copy_project(tmp_path)
    valid = CliRunner().invoke(cli, ["--root", str(root), "validate", *QUICK])
    assert valid.exit_code == 0, valid.stdout
    assert valid.stdout.rstrip().splitlines()[-1].startswith("valid: 0 violation(s)")
    shutil.copy(BROKEN / "no-source" / "organisations.ttl", root / "data" / "zz-broken.ttl")
    # the subcommand's own --root means the same as the group's
    broken = CliRunner().invoke(cli, ["validate", "--root", str(root), *QUICK])
    assert broken.exit_code == 1
    assert "kg:test-unsourced-org  (data/zz-broken.ttl:9)" in broken.stdout


def test_installed_console_script_full_validation(tmp_path):
    """The real ``cnc-kg`` executable, with the reasoner and the shapes check (the defaults)."""
    root = copy_project(tmp_path)
    done = subprocess.run([str(CNC_KG), "--root", str(root), "validate"], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "reasoner" in done.stderr  # the HermiT step ran and was timed
    (root / "data" / "zz-broken.ttl").write_bytes(
        (BROKEN / "syntax-error" / "nodes.ttl").read_bytes())
    done = subprocess.run([str(CNC_KG), "validate", "--root", str(root)], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 2
    assert f"{root / 'data' / 'zz-broken.ttl'}:9:31: Turtle syntax error" in done.stderr


# --- build: outputs, and an invalid graph leaves dist/ untouched --------------------------------

def test_build_is_atomic(tmp_path):
    root = copy_project(tmp_path)
    first = CliRunner().invoke(cli, ["--root", str(root), "build", *QUICK])
    assert first.exit_code == 0, first.output
    before = snapshot(root / "dist")
    assert {"cnc-kg.ttl", "cnc-kg.nt", "cnc-kg.jsonld", "context.jsonld", "shapes.ttl",
            "validation-report.json", "validation-report.txt", "build.json"} <= set(before)

    shutil.copy(BROKEN / "no-source" / "organisations.ttl", root / "data" / "zz-broken.ttl")
    refused = CliRunner().invoke(cli, ["--root", str(root), "build", *QUICK])
    assert refused.exit_code == 1
    assert "kg:test-unsourced-org" in refused.stdout
    assert snapshot(root / "dist") == before

    shutil.copy(BROKEN / "syntax-error" / "nodes.ttl", root / "data" / "zz-broken.ttl")
    unreadable = CliRunner().invoke(cli, ["--root", str(root), "build", *QUICK])
    assert unreadable.exit_code == 2
    assert snapshot(root / "dist") == before
    assert [p.name for p in root.iterdir() if p.name.startswith(".dist")] == []


# rdflib's own JSON-LD parser still builds a ConjunctiveGraph, which rdflib 7 deprecates.
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_build_outputs_agree(tmp_path):
    root = copy_project(tmp_path)
    result = CliRunner().invoke(cli, ["--root", str(root), "build", *QUICK])
    assert result.exit_code == 0, result.output
    dist = root / "dist"
    project = load_project(load_settings(root=root))
    published = project.published()
    nt = Graph().parse(dist / "cnc-kg.nt", format="nt")
    assert isomorphic(nt, published)
    assert isomorphic(Graph().parse(dist / "cnc-kg.ttl", format="turtle"), published)
    # the JSON-LD refers to its context document, and reads back as the same graph
    assert json.loads((dist / "cnc-kg.jsonld").read_text("utf-8"))["@context"] == "context.jsonld"
    assert isomorphic(Graph().parse(dist / "cnc-kg.jsonld", format="json-ld"), published)
    assert isomorphic(Graph().parse(dist / "shapes.ttl", format="turtle"), project.shapes)

    info = json.loads((dist / "build.json").read_text("utf-8"))
    lines = (dist / "cnc-kg.nt").read_text("utf-8").splitlines(keepends=True)
    assert lines == sorted(lines)
    assert info["sha256"] == hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()
    assert info["triples"] == len(published)
    assert info["entities"] > 0
    report = json.loads((dist / "validation-report.json").read_text("utf-8"))
    assert report["conforms"] is True and report["violations"] == 0

    # a second build of the same sources: same hash, swapped in place without debris
    assert CliRunner().invoke(cli, ["--root", str(root), "build", *QUICK]).exit_code == 0
    assert json.loads((dist / "build.json").read_text("utf-8"))["sha256"] == info["sha256"]
    assert [p.name for p in root.iterdir() if p.name.startswith(".dist")] == []


# --- query ---------------------------------------------------------------------------------------

LABELS_QUERY = """SELECT ?class ?label WHERE {
  ?class a owl:Class ; rdfs:label ?label . FILTER(lang(?label) = "zh")
} ORDER BY ?class"""


def zh_class_labels() -> int:
    """How many (class, Chinese label) pairs the ontology has, counted with rdflib."""
    ontology = load_project(load_settings(root=REPO)).ontology
    return len(ontology.query(LABELS_QUERY))


@pytest.fixture
def labels_rq(tmp_path) -> Path:
    path = tmp_path / "labels.rq"
    path.write_text(LABELS_QUERY, encoding="utf-8")
    return path


def test_query_table_aligns_chinese(labels_rq):
    result = run("query", str(labels_rq))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split(" | ")[0].strip() == "class"
    assert lines[-1] == f"({zh_class_labels()} rows)"
    # every cell boundary sits at the same display column on every line
    separators = {display_width(line[: line.index(" | ")]) for line in lines[2:-1]}
    assert separators == {display_width(lines[0][: lines[0].index(" | ")])}
    assert any(display_width(line) > len(line) for line in lines)  # Chinese is there


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json"])
def test_query_machine_formats(labels_rq, fmt):
    result = run("query", str(labels_rq), "--format", fmt)
    assert result.exit_code == 0, result.output
    expected = zh_class_labels()
    if fmt == "json":
        answer = json.loads(result.stdout)
        assert answer["head"]["vars"] == ["class", "label"]
        assert len(answer["results"]["bindings"]) == expected
    else:
        rows = list(csv.reader(io.StringIO(result.stdout),
                               delimiter="," if fmt == "csv" else "\t"))
        assert rows[0] == (["class", "label"] if fmt == "csv" else ["?class", "?label"])
        assert len(rows) - 1 == expected


def test_query_from_stdin_and_ask():
    result = CliRunner().invoke(cli, ["--root", str(REPO), "query", "-"],
                                input="ASK { ?class a owl:Class }")
    assert (result.exit_code, result.stdout) == (0, "true\n")


def test_query_syntax_error_gives_position():
    result = CliRunner().invoke(cli, ["--root", str(REPO), "query", "-"],
                                input="SELECT * WHERE {\n  ?s ?p }")
    assert result.exit_code == 2
    assert "<stdin>: query syntax error at 2:" in result.stderr


def test_query_unknown_prefix_is_named():
    result = CliRunner().invoke(cli, ["--root", str(REPO), "query", "-"],
                                input="SELECT * WHERE { ?s nope:thing ?o }")
    assert result.exit_code == 2
    assert "prefix 'nope:' is not declared" in result.stderr


def test_format_table_pads_by_display_width():
    table = format_table(["name", "n"], [["碳中和", "1"], ["carbon", "22"]]).splitlines()
    assert table == ["name   | n", "-------+---", "碳中和 | 1", "carbon | 22"]
