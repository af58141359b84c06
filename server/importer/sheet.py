"""A sheet as the importer reads it, from a CSV file or a workbook's worksheet, and the error a
file that cannot be read as one gives."""

from __future__ import annotations

from dataclasses import dataclass

from server.importer.templates import COMMENT_MARK


class SheetError(Exception):
    """A file that cannot be read as a sheet (not UTF-8, not a workbook, no header, too large).

    ``where`` is the file (or ``file#worksheet``), ``row`` the row concerned when there is one;
    the text is ``where[:row]: message``.
    """

    def __init__(self, where: str, message: str, row: int | None = None):
        self.where, self.message, self.row = where, message, row
        super().__init__(f"{where}:{row}: {message}" if row is not None else f"{where}: {message}")


@dataclass(frozen=True)
class Sheet:
    """One sheet: where it comes from, its header and its data rows (row number, cells)."""

    label: str                  # "organisations.csv" or "cnc.xlsx#people": used in messages
    name: str                   # file stem or worksheet title: tells the kind of record
    header: tuple[str, ...]
    rows: tuple[tuple[int, dict[str, str]], ...]


def rows_to_sheet(label: str, name: str, records: list[list[str]]) -> Sheet:
    """A Sheet of ``records`` (header first): cells trimmed, empty and ``#`` rows skipped."""
    if not records or not any(cell.strip() for cell in records[0]):
        raise SheetError(label, "no header row (row 1 must name the columns)")
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
