"""Read and write curators' sheets: CSV (RFC 4180, UTF-8) and XLSX workbooks (via openpyxl).

A sheet is a header row and data rows numbered as a spreadsheet shows them (the header is row 1);
rows whose first cell starts with ``#`` (the template's explanation row) and empty rows are skipped.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from server.importer.limits import MAX_COLUMNS, MAX_FILE_BYTES, MAX_ROWS
from server.importer.sheet import Sheet, SheetError, rows_to_sheet
from server.importer.templates import COMMENT_MARK

__all__ = ["Sheet", "SheetError", "check_file", "read_sheets", "rows_to_sheet", "write_csv",
           "write_xlsx"]


def read_sheets(path: Path) -> list[Sheet]:
    """Every sheet of ``path``: one for a CSV file, one per worksheet of an XLSX workbook.

    The file's size is checked before it is read, its rows and columns as they are read
    (``server.importer.limits``); SheetError names the file and the bound or the damage.
    """
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise SheetError(path.name, "not a .csv or .xlsx file")
    check_file(path)
    if suffix == ".xlsx":
        from server.importer.workbooks import read_workbook  # openpyxl is paid for workbooks only

        return read_workbook(path)
    return [_read_csv(path)]


def check_file(path: Path) -> None:
    """Refuse what is not a regular file (a device or a pipe never ends) or is too large."""
    try:
        size = path.stat().st_size
    except OSError as error:
        raise SheetError(path.name, f"cannot be read ({error.strerror})") from error
    if not path.is_file():
        raise SheetError(path.name, "not a regular file")
    if size > MAX_FILE_BYTES:
        raise SheetError(path.name, f"{size / 1024 / 1024:,.1f} MiB, more than the "
                         f"{MAX_FILE_BYTES // 1024 // 1024} MiB allowed (limit MAX_FILE_BYTES): "
                         "split the sheet")


def _read_csv(path: Path) -> Sheet:
    data = path.read_bytes()
    try:
        # utf-8-sig: spreadsheet programs put a byte-order mark in front of UTF-8 CSV files
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        found = "UTF-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "not UTF-8"
        raise SheetError(path.name, f"{found} (byte {error.start}); save it as "
                         "\"CSV UTF-8\"") from error
    reader = csv.reader(io.StringIO(text, newline=""))
    records = []
    try:
        for record in reader:
            if len(records) == MAX_ROWS:
                raise SheetError(path.name, f"more than {MAX_ROWS:,} rows (limit MAX_ROWS): "
                                 "split the sheet")
            if len(record) > MAX_COLUMNS:
                raise SheetError(path.name, f"{len(record)} columns, more than the "
                                 f"{MAX_COLUMNS} allowed (limit MAX_COLUMNS)", len(records) + 1)
            records.append(record)
    except csv.Error as error:  # a cell over csv.field_size_limit(), a quote left open
        raise SheetError(path.name, f"not a CSV file ({error})", reader.line_num) from error
    return rows_to_sheet(path.name, path.stem, records)


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
