"""Hostile and damaged sheets, written by the tests that use them (nothing is stored in the repo).

Each builder says what it imitates; the workbooks start from a real one written by openpyxl, with
one member replaced, so only the hostile part differs from what a spreadsheet program writes.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from openpyxl import Workbook

SHEET_MEMBER = "xl/worksheets/sheet1.xml"
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def workbook(path: Path, rows: list[list[object]], title: str = "organisations") -> Path:
    """A real workbook with one worksheet ``title`` holding ``rows``."""
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def with_member(source: Path, path: Path, name: str, data: bytes | None) -> Path:
    """A copy of the workbook ``source`` with member ``name`` replaced by ``data`` (or added)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for member in old.infolist():
            if member.filename != name:
                new.writestr(member, old.read(member))
        if data is not None:
            new.writestr(name, data)
    return path


def _worksheet_xml(cell_text: str, doctype: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>{doctype}<worksheet xmlns="{_MAIN_NS}">'
            f'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>{cell_text}</t></is></c></row>'
            "</sheetData></worksheet>").encode()


def xxe(source: Path, path: Path) -> Path:
    """A worksheet whose cell is an external entity naming a local file (XXE)."""
    doctype = '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    return with_member(source, path, SHEET_MEMBER, _worksheet_xml("&xxe;", doctype))


def billion_laughs(source: Path, path: Path) -> Path:
    """A worksheet whose cell is an entity expanding to 10^9 words (billion laughs)."""
    entities = ['<!ENTITY l0 "lol">'] + [
        f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10)]
    doctype = f"<!DOCTYPE worksheet [{''.join(entities)}]>"
    return with_member(source, path, SHEET_MEMBER, _worksheet_xml("&l9;", doctype))


def zip_bomb(source: Path, path: Path, inflated: int) -> Path:
    """The worksheet padded with ``inflated`` bytes of blanks: tiny on disk, huge once inflated
    (1 GiB of blanks deflates to about 1 MiB)."""
    chunk = b" " * (1024 * 1024)
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for member in old.infolist():
            if member.filename != SHEET_MEMBER:
                new.writestr(member, old.read(member))
        with new.open(SHEET_MEMBER, "w", force_zip64=True) as out:
            out.write(f'<?xml version="1.0"?><worksheet xmlns="{_MAIN_NS}">'.encode())
            for _ in range(inflated // len(chunk)):
                out.write(chunk)
            out.write(b"<sheetData/></worksheet>")
    return path


def truncated(source: Path, path: Path, keep: int) -> Path:
    """The first ``keep`` bytes of a workbook, as an interrupted download leaves it."""
    path.write_bytes(source.read_bytes()[:keep])
    return path
