"""Read an XLSX workbook (https://www.ecma-international.org/publications-and-standards/standards/ecma-376/)
within bounds: its zip directory is checked before anything is decompressed, rows are counted as
they stream, and every way a damaged file fails becomes one ``SheetError`` naming the file.

XML attacks stay harmless: with defusedxml installed openpyxl refuses every entity declaration
(XXE, billion laughs); Python's expat would not fetch external entities either, and bounds their
expansion.
"""

from __future__ import annotations

import datetime
import re
import warnings
import zipfile
import zlib
from pathlib import Path
from xml.etree.ElementTree import ParseError

from defusedxml.common import DefusedXmlException

from server.importer.limits import (
    MAX_COLUMNS,
    MAX_COMPRESSION_RATIO,
    MAX_ROWS,
    MAX_SHEETS,
    MAX_UNCOMPRESSED_BYTES,
    MAX_ZIP_MEMBERS,
    RATIO_CHECKED_FROM,
)
from server.importer.sheet import Sheet, SheetError, rows_to_sheet

_WORKSHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$")
_ENCRYPTED = 0x1  # zip general-purpose flag bit 0
# What zipfile and openpyxl raised on 2,500 damaged workbooks (bytes flipped in the zip, XML
# mutated inside a valid zip; tests/test_sheet_safety.py keeps a sample): a bad zip or CRC, a
# broken deflate stream (zlib.error), a member cut short (EOFError), an unknown zip feature
# (NotImplementedError), XML that does not parse, values of the wrong shape or entities refused
# by defusedxml (ParseError, ValueError, TypeError), a part missing (KeyError).
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ParseError,
            ValueError, TypeError, KeyError, OSError)
_NOT_A_WORKBOOK = "not an .xlsx workbook"


def read_workbook(path: Path) -> list[Sheet]:
    """One sheet per worksheet of the workbook at ``path``; SheetError if it is damaged or over
    a bound of ``server.importer.limits``."""
    check_archive(path)
    from openpyxl import load_workbook  # only workbooks need it
    from openpyxl.utils.exceptions import InvalidFileException

    # openpyxl warns about parts it drops (data validation, extensions): nothing a curator can
    # act on, and a damaged part becomes a SheetError anyway
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            # data_only=False: a formula cell reads as its formula, which the cell rules refuse,
            # rather than as a cached value that hides it
            workbook = load_workbook(path, read_only=True, data_only=False, keep_links=False)
        except (InvalidFileException, *_DAMAGED) as error:
            raise SheetError(path.name, f"{_NOT_A_WORKBOOK} ({_reason(error)}); save it again "
                             "from the spreadsheet program as .xlsx") from error
        try:
            return [_worksheet(path, sheet) for sheet in workbook.worksheets]
        finally:
            workbook.close()


def check_archive(path: Path) -> None:
    """Refuse a file that is not a zip archive, or whose directory declares members too many,
    too large or too compressed (a zip bomb), before any member is decompressed."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError, OSError) as error:
        raise SheetError(path.name, f"{_NOT_A_WORKBOOK} (not a zip archive: {_reason(error)}; "
                         "an empty, truncated, password-protected or old .xls file?); save it "
                         "again as .xlsx") from error
    if len(members) > MAX_ZIP_MEMBERS:
        raise SheetError(path.name, f"{len(members):,} files inside the workbook, more than "
                         f"the {MAX_ZIP_MEMBERS:,} allowed (limit MAX_ZIP_MEMBERS)")
    total = sum(member.file_size for member in members)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise SheetError(path.name, f"{_mib(total)} once decompressed, more than the "
                         f"{_mib(MAX_UNCOMPRESSED_BYTES)} allowed (limit MAX_UNCOMPRESSED_BYTES): "
                         "split the workbook, or it is a zip bomb")
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size >= RATIO_CHECKED_FROM and ratio > MAX_COMPRESSION_RATIO:
            raise SheetError(path.name, f"{member.filename} would decompress {ratio:,.0f} "
                             f"times, more than the {MAX_COMPRESSION_RATIO} allowed (limit "
                             "MAX_COMPRESSION_RATIO): a zip bomb, not a spreadsheet")
        if member.flag_bits & _ENCRYPTED:
            raise SheetError(path.name, f"{member.filename} is encrypted: remove the password")
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise SheetError(path.name, f"{member.filename} uses zip compression method "
                             f"{member.compress_type}, which spreadsheet programs do not write")
    sheets = sum(1 for member in members if _WORKSHEET.match(member.filename))
    if sheets > MAX_SHEETS:
        raise SheetError(path.name, f"{sheets} worksheets, more than the {MAX_SHEETS} allowed "
                         "(limit MAX_SHEETS): one worksheet per kind of record")


def _worksheet(path: Path, sheet) -> Sheet:
    """The rows of one worksheet, at most MAX_ROWS of at most MAX_COLUMNS cells."""
    label = f"{path.name}#{sheet.title}"
    # The declared dimension may claim 16,384 columns or a million rows, and openpyxl pads
    # every row to it: forget it and ask for one column past the bound, to notice a wider row.
    sheet.reset_dimensions()
    records: list[list[str]] = []
    try:
        for values in sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True):
            if len(records) == MAX_ROWS:
                raise SheetError(label, f"more than {MAX_ROWS:,} rows (limit MAX_ROWS): split "
                                 "the sheet")
            if values[MAX_COLUMNS] is not None:
                raise SheetError(label, f"more than {MAX_COLUMNS} columns (limit MAX_COLUMNS)",
                                 len(records) + 1)
            records.append([_cell_text(v) for v in values[:MAX_COLUMNS]])
    except _DAMAGED as error:
        raise SheetError(label, f"damaged worksheet ({_reason(error)}); save the workbook "
                         "again as .xlsx") from error
    return rows_to_sheet(label, sheet.title, records)


def _cell_text(value: object) -> str:
    """A workbook cell as the text a curator sees (dates as ISO, whole numbers without .0); a
    formula as its text, starting with ``=``."""
    from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

    if value is None:
        return ""
    if isinstance(value, ArrayFormula):
        return value.text or "="
    if isinstance(value, DataTableFormula):
        return "=TABLE()"  # how spreadsheet programs show a data table's formula
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _reason(error: BaseException) -> str:
    """The first cause of an exception on one line (openpyxl wraps it in a generic message)."""
    while error.__cause__ is not None or (error.__context__ is not None
                                          and not error.__suppress_context__):
        error = error.__cause__ or error.__context__
    if isinstance(error, DefusedXmlException):
        return ("its XML declares entities, which could read local files or expand without "
                "end (XXE, billion laughs)")
    text = " ".join(str(error).split())
    return text[:200] if text else type(error).__name__


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MiB"
