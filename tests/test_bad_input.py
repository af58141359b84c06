"""Every bad argument and malformed file: one clear line, the documented exit code, no traceback.

The real ``cnc-kg`` runs in a subprocess over a table of bad inputs (docs/curating.md, "Exit codes
and errors": 1 = the command ran and refused, 2 = bad usage, unreadable input or unwritable
output). Imports run with ``--dry-run`` on a copy of the project, so nothing is ever written.
``serve`` has its own tests.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hostile_sheets import billion_laughs, truncated, workbook, xxe, zip_bomb
from server_process import free_port

from server.importer.limits import MAX_COLUMNS, MAX_FILE_BYTES, MAX_ROWS, MAX_SHEETS

REPO = Path(__file__).resolve().parent.parent
CNC_KG = Path(sys.executable).parent / "cnc-kg"
IMPORT_SUMMARY = "import refused: 1 problem(s); nothing written"
ORGANISATIONS = ["slug", "type", "label_fr", "label_en", "source"]


@dataclass(frozen=True)
class Case:
    """``cnc-kg ARGS`` (``{root}``, ``{broken}``, ``{files}``, ``{port}`` filled in) exits with
    ``code`` and prints one error line holding every text in ``says``."""

    name: str
    args: str
    code: int
    says: tuple[str, ...]
    stdin: bytes = b""


CASES = [
    # the project folder
    *[Case(f"no-project-{command}", f"--root /nonexistent {command} {rest}", 2,
           ("/nonexistent/ontology", "folder not found"))
      for command, rest in [("validate", ""), ("build", ""), ("query", "{files}/ok.rq"),
                            ("template", "--all --out {files}/t"),
                            ("export", "--all --out {files}/e"),
                            ("import", "--dry-run {files}/organisations.csv"), ("reconcile", ""),
                            ("remove-person", "someone")]],
    Case("no-project-generate", "--root /nonexistent generate --out {files}/g", 2,
         ("/nonexistent/data", "folder not found")),
    Case("no-project-load", "--root /nonexistent load --to http://127.0.0.1:{port}/", 2,
         ("/nonexistent/dist/cnc-kg.nt", "run `cnc-kg build` first")),
    Case("root-is-a-file", "--root {files}/plain.txt validate", 2, ("--root", "is a file")),
    Case("unknown-command", "--root {root} frobnicate", 2, ("No such command", "frobnicate")),
    Case("turtle-syntax-error-validate", "--root {broken} validate --no-reasoner", 2,
         ("zz-broken.ttl:1:", "Turtle syntax error")),
    Case("turtle-syntax-error-build", "--root {broken} build --no-reasoner", 2,
         ("zz-broken.ttl:1:", "Turtle syntax error")),
    Case("turtle-syntax-error-import", "--root {broken} import --dry-run "
         "{files}/organisations.csv", 2, ("zz-broken.ttl:1:", "Turtle syntax error")),
    Case("validate-bad-format", "--root {root} validate --format yaml", 2,
         ("--format", "'yaml' is not one of")),
    # query
    Case("query-binary", "--root {root} query {files}/binary.rq", 2,
         ("binary.rq", "not UTF-8 text")),
    Case("query-utf16", "--root {root} query {files}/utf16.rq", 2, ("utf16.rq", "UTF-16")),
    Case("query-binary-stdin", "--root {root} query -", 2, ("<stdin>", "not UTF-8 text"),
         stdin=b"\x00\xff\xfe\x81" * 64),
    Case("query-too-large", "--root {root} query {files}/huge.rq", 2,
         ("huge.rq", "larger than 65,536 bytes")),
    Case("query-syntax-error", "--root {root} query {files}/broken.rq", 2,
         ("broken.rq", "query syntax error")),
    Case("query-missing-file", "--root {root} query {files}/nothing.rq", 2,
         ("nothing.rq", "No such file")),
    Case("query-bad-format", "--root {root} query --format xml {files}/ok.rq", 2,
         ("--format", "'xml' is not one of")),
    # template and export
    Case("template-no-kind", "--root {root} template --out {files}/t", 2, ("KIND", "--all")),
    Case("template-unknown-kind", "--root {root} template robots", 2,
         ("'robots' is not one of",)),
    Case("template-out-under-a-file", "--root {root} template --all --out {files}/plain.txt/t",
         2, ("plain.txt/t", "Not a directory")),
    Case("template-xlsx-missing-folder", "--root {root} template places --out {files}/t "
         "--xlsx {files}/missing/cnc.xlsx", 2, ("missing/cnc.xlsx", "No such file")),
    Case("export-out-under-a-file", "--root {root} export --all --out {files}/plain.txt/e", 2,
         ("plain.txt/e", "Not a directory")),
    Case("export-unknown-kind", "--root {root} export robots", 2, ("'robots' is not one of",)),
    # import: arguments
    Case("import-no-file", "--root {root} import --dry-run", 2, ("Missing argument", "FILES")),
    Case("import-missing-file", "--root {root} import --dry-run {files}/nothing.csv", 2,
         ("nothing.csv", "does not exist")),
    Case("import-folder", "--root {root} import --dry-run {files}", 2, ("is a directory",)),
    Case("import-not-a-sheet", "--root {root} import --dry-run {files}/plain.txt", 1,
         ("plain.txt", "not a .csv or .xlsx file")),
    Case("import-pipe", "--root {root} import --dry-run {files}/fifo.csv", 1,
         ("fifo.csv", "not a regular file")),
    # import: malformed CSV
    Case("csv-latin-1", "--root {root} import --dry-run {files}/latin1/organisations.csv", 1,
         ("organisations.csv", "not UTF-8")),
    Case("csv-utf16", "--root {root} import --dry-run {files}/utf16/organisations.csv", 1,
         ("organisations.csv", "UTF-16")),
    Case("csv-cell-over-field-limit", "--root {root} import --dry-run "
         "{files}/field/organisations.csv", 1, ("organisations.csv:2", "field larger than")),
    Case("csv-too-many-rows", "--root {root} import --dry-run {files}/rows/organisations.csv", 1,
         ("organisations.csv", f"more than {MAX_ROWS:,} rows", "MAX_ROWS")),
    Case("csv-too-many-columns", "--root {root} import --dry-run "
         "{files}/columns/organisations.csv", 1, ("organisations.csv:2", "MAX_COLUMNS")),
    Case("csv-too-large", "--root {root} import --dry-run {files}/large/organisations.csv", 1,
         ("organisations.csv", "MAX_FILE_BYTES")),
    Case("csv-empty", "--root {root} import --dry-run {files}/empty/organisations.csv", 1,
         ("organisations.csv", "no header row")),
    # import: malformed XLSX
    Case("xlsx-not-a-zip", "--root {root} import --dry-run {files}/text.xlsx", 1,
         ("text.xlsx", "not an .xlsx workbook", "not a zip archive")),
    Case("xlsx-empty", "--root {root} import --dry-run {files}/empty.xlsx", 1,
         ("empty.xlsx", "not a zip archive")),
    Case("xlsx-truncated", "--root {root} import --dry-run {files}/truncated.xlsx", 1,
         ("truncated.xlsx", "not a zip archive")),
    Case("xlsx-xxe", "--root {root} import --dry-run {files}/xxe.xlsx", 1,
         ("xxe.xlsx", "declares entities", "XXE")),
    Case("xlsx-billion-laughs", "--root {root} import --dry-run {files}/laughs.xlsx", 1,
         ("laughs.xlsx", "declares entities", "billion laughs")),
    Case("xlsx-zip-bomb-size", "--root {root} import --dry-run {files}/bomb.xlsx", 1,
         ("bomb.xlsx", "once decompressed", "MAX_UNCOMPRESSED_BYTES")),
    Case("xlsx-zip-bomb-ratio", "--root {root} import --dry-run {files}/dense.xlsx", 1,
         ("dense.xlsx", "sheet1.xml would decompress", "MAX_COMPRESSION_RATIO")),
    Case("xlsx-too-many-sheets", "--root {root} import --dry-run {files}/sheets.xlsx", 1,
         ("sheets.xlsx", f"{MAX_SHEETS + 1} worksheets", "MAX_SHEETS")),
    # reconcile, remove-person, generate, load
    Case("reconcile-not-a-zip", "--root {root} reconcile {files}/text.xlsx", 2,
         ("text.xlsx", "not a zip archive")),
    Case("reconcile-bad-threshold", "--root {root} reconcile --threshold high", 2,
         ("--threshold", "'high' is not a valid integer")),
    Case("reconcile-accept-unknown", "--root {root} reconcile --accept nobody=ror:0", 1,
         ("nothing written", "nobody=ror:0")),
    Case("reconcile-accept-with-sheet", "--root {root} reconcile --accept a=ror:0 "
         "{files}/organisations.csv", 2, ("--accept applies to data/",)),
    Case("remove-person-unknown", "--root {root} remove-person nobody", 1,
         ("kg:nobody", "nothing to remove")),
    Case("remove-person-no-slug", "--root {root} remove-person", 2, ("Missing argument", "SLUG")),
    Case("remove-person-not-a-slug", "--root {root} remove-person ../Etc", 2,
         ("SLUG", "'../Etc' is not a valid slug")),
    Case("generate-zero-triples", "--root {root} generate --triples 0 --out {files}/g", 2,
         ("--triples", "0")),
    Case("generate-no-out", "--root {root} generate", 2, ("Missing option", "--out")),
    Case("generate-into-project", "--root {root} generate --out {root}", 1,
         ("refusing to generate",)),
    Case("generate-out-under-a-file", "--root {root} generate --out {files}/plain.txt/g", 2,
         ("plain.txt/g", "Not a directory")),
    Case("load-no-target", "--root {root} load", 2, ("--to URL or --isql PORT",)),
    Case("load-not-a-url", "--root {root} load --to notaurl", 2, ("--to", "'notaurl'", "http")),
    Case("load-store-unreachable", "--root {root} load --to http://127.0.0.1:{port}/", 1,
         ("127.0.0.1:{port}", "Connection refused")),
]


def _csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def _files(folder: Path) -> Path:
    """Every bad file the table names."""
    folder.mkdir()
    row = ["test-org", "University", "Université test", "Test university",
           "https://example.org/source"]
    _csv(folder / "organisations.csv", [ORGANISATIONS, row])
    (folder / "plain.txt").write_text("not a sheet\n", encoding="utf-8")
    os.mkfifo(folder / "fifo.csv")
    (folder / "ok.rq").write_text("ASK { ?s ?p ?o }\n", encoding="utf-8")
    (folder / "broken.rq").write_text("SELECT ?s WHERE { ?s ?p\n", encoding="utf-8")
    (folder / "binary.rq").write_bytes(bytes(range(256)))
    (folder / "utf16.rq").write_text("ASK { ?s ?p ?o }\n", encoding="utf-16")
    (folder / "huge.rq").write_text("# padding\n" * 7000 + "ASK {}\n", encoding="utf-8")
    _csv(folder / "latin1" / "organisations.csv", [ORGANISATIONS, [*row[:2], "Académie"]],
         encoding="latin-1")
    _csv(folder / "utf16" / "organisations.csv", [ORGANISATIONS, row], encoding="utf-16")
    _csv(folder / "field" / "organisations.csv", [ORGANISATIONS, ["x" * 200_000]])
    _csv(folder / "rows" / "organisations.csv", [ORGANISATIONS] + [row] * MAX_ROWS)
    _csv(folder / "columns" / "organisations.csv", [ORGANISATIONS, ["x"] * (MAX_COLUMNS + 1)])
    _csv(folder / "empty" / "organisations.csv", [])
    large = folder / "large" / "organisations.csv"
    large.parent.mkdir()
    with large.open("wb") as handle:  # sparse: its size is all that is read
        handle.truncate(MAX_FILE_BYTES + 1)
    good = workbook(folder / "good.xlsx", [ORGANISATIONS, row])
    (folder / "text.xlsx").write_text("slug,label_fr\n", encoding="utf-8")
    (folder / "empty.xlsx").write_bytes(b"")
    truncated(good, folder / "truncated.xlsx", good.stat().st_size // 2)
    xxe(good, folder / "xxe.xlsx")
    billion_laughs(good, folder / "laughs.xlsx")
    zip_bomb(good, folder / "bomb.xlsx", 256 * 1024 * 1024)
    zip_bomb(good, folder / "dense.xlsx", 16 * 1024 * 1024)
    _many_sheets(folder / "sheets.xlsx", MAX_SHEETS + 1)
    return folder


def _many_sheets(path: Path, count: int) -> None:
    from openpyxl import Workbook

    book = Workbook()
    for number in range(count - 1):
        book.create_sheet(f"organisations-{number}")
    book.save(path)


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A copy of the project (with a stand-in dump for load), a broken copy, the bad files."""
    base = tmp_path_factory.mktemp("bad-input")
    root, broken = base / "project", base / "broken"
    for folder in (root, broken):
        for name in ("ontology", "shapes", "data", "queries"):
            shutil.copytree(REPO / name, folder / name)
    (root / "dist").mkdir()
    (root / "dist" / "cnc-kg.nt").write_text("", encoding="utf-8")
    (broken / "data" / "zz-broken.ttl").write_text("kg:x a\n", encoding="utf-8")
    return {"root": str(root), "broken": str(broken), "files": str(_files(base / "files")),
            "port": str(free_port())}


def _error_lines(stderr: str, import_refused: bool) -> list[str]:
    """stderr without click's usage reminder (``Usage: …`` to ``Try '…'``) and the import's
    summary line."""
    lines, in_usage = [], False
    for line in stderr.splitlines():
        in_usage = in_usage or line.startswith("Usage:")
        if not in_usage and line.strip():
            lines.append(line)
        in_usage = in_usage and not line.startswith("Try '")
    if import_refused:
        assert lines[-1] == IMPORT_SUMMARY, stderr
        lines = lines[:-1]
    return lines


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input_gives_one_clear_line_and_the_documented_exit_code(places, case: Case,
                                                                     figure):
    """Each bad argument, setting, sheet or data file given to the CLI: one line saying what is
    wrong and where (file, row, setting), the documented exit code, no traceback."""
    args = case.args.format(**places).split()
    done = subprocess.run([str(CNC_KG), *args], input=case.stdin, capture_output=True,
                          timeout=300, cwd=places["files"])
    stdout, stderr = done.stdout.decode(), done.stderr.decode()
    assert "Traceback" not in stdout + stderr, stderr
    assert done.returncode == case.code, (done.returncode, stderr)
    lines = _error_lines(stderr, "import" in args and case.code == 1)
    assert len(lines) == 1, stderr
    for text in case.says:
        assert text.format(**places) in lines[0], (text, lines[0])
    figure("bad inputs given, each one clear line and its exit code", 1)
