"""Helpers for the import tests: a scratch project folder, ``cnc-kg`` run in-process."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

from click.testing import CliRunner, Result

from server.cli import cli

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "tests" / "samples"


def scratch_project(root: Path) -> Path:
    """A project folder with the repository's ontology/ and shapes/ and an empty data/."""
    for name in ("ontology", "shapes"):
        shutil.copytree(REPO / name, root / name)
    (root / "data").mkdir()
    return root


def run(root: Path, *args: str) -> Result:
    """``cnc-kg --root ROOT ARGS…`` in this process; output and exit code in the result."""
    return CliRunner().invoke(cli, ["--root", str(root), *args], catch_exceptions=False)


def read_csv(path: Path) -> list[list[str]]:
    """Every record of a CSV file (byte-order mark dropped)."""
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    """Write ``rows`` as a CSV file and return its path."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return path


def data_rows(path: Path) -> list[list[str]]:
    """The data rows of a sheet: header and explanation row (first cell ``#…``) left out."""
    return [row for row in read_csv(path)[1:] if row and not row[0].startswith("#")]


def sample_files() -> list[Path]:
    """The shipped sample sheets."""
    return sorted(SAMPLES.glob("*.csv"))
