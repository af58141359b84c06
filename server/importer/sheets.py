"""Read and write curators' sheets: CSV (RFC 4180, UTF-8) and XLSX workbooks (via openpyxl).

A sheet is a header row and data rows numbered as a spreadsheet shows them (the header is row 1);
rows whose first cell starts with ``#`` (the template's explanation row) and empty rows are skipped.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass
from pathlib import Path

from server.importer.templates import COMMENT_MARK


class SheetError(Exception):
    """A file that cannot be read as a sheet (not UTF-8, not a workbook, no header)."""


@dataclass(frozen=True)
class Sheet:
    """One sheet: where it comes from, its header and its data rows (row number, cells)."""

    label: str                  # "organisations.csv" or "cnc.xlsx#people": used in messages
    name: str                   # file stem or worksheet title: tells the kind of record
    header: tuple[str, ...]
    rows: tuple[tuple[int, dict[str, str]], ...]


def read_sheets(path: Path) -> list[Sheet]:
    """Every sheet of ``path``: one for a CSV file, one per worksheet of an XLSX workbook."""
    if path.suffix.lower() == ".xlsx":
        return _read_xlsx(path)
    if path.suffix.lower() == ".csv":
        return [_read_csv(path)]
    raise SheetError(f"{path.name}: not a .csv or .xlsx file")


def _read_csv(path: Path) -> Sheet:
    try:
        # utf-8-sig: spreadsheet programs put a byte-order mark in front of UTF-8 CSV files
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise SheetError(f"{path.name}: not UTF-8 (byte {error.start}); save it as "
                         "\"CSV UTF-8\"") from error
    records = list(csv.reader(io.StringIO(text, newline="")))
    return _sheet(path.name, path.stem, records)


def _read_xlsx(path: Path) -> list[Sheet]:
    from openpyxl import load_workbook  # only workbooks need it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError) as error:
        raise SheetError(f"{path.name}: not a readable .xlsx workbook ({error})") from error
    try:
        return [
            _sheet(f"{path.name}#{sheet.title}", sheet.title,
                   [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)])
            for sheet in workbook.worksheets
        ]
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    """A workbook cell as the text a curator sees (dates as ISO, whole numbers without .0)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _sheet(label: str, name: str, records: list[list[str]]) -> Sheet:
    if not records or not any(cell.strip() for cell in records[0]):
        raise SheetError(f"{label}: no header row (row 1 must name the columns)")
    header = tuple(cell.strip() for cell in records[0])
    while header and not header[-1]:
        header = header[:-1]
    rows = []
    for number, record in enumerate(records[1:], start=2):
        cells = [cell.strip() for cell in record]
        if not any(cells) or cells[0].startswith(COMMENT_MARK):
            continue
        rows.append((number, {name: (cells[i] if i < len(cells) else "")
                              for i, name in enumerate(header) if name}))
    return Sheet(label=label, name=name, header=header, rows=tuple(rows))


def write_csv(path: Path, rows: list[list[str]]) -> None:
    """Write ``rows`` (header first) as a UTF-8 CSV file that spreadsheet programs open as UTF-8."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def write_xlsx(path: Path, sheets: dict[str, list[list[str]]]) -> None:
    """Write one worksheet per entry of ``sheets`` (title -> rows, header first)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            # text cells: "2023" or "02feahw73" must not become a number or a date
            sheet.append([str(cell) for cell in row])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for cell in sheet[2] if len(rows) > 1 and rows[1][0].startswith(COMMENT_MARK) else ():
            cell.font = Font(italic=True)
        sheet.freeze_panes = "A2"
    workbook.save(path)
