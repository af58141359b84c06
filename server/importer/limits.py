"""Bounds on what an import reads, checked before the content is read (a sheet is untrusted input).

The curated graph has a few hundred records; the bounds leave room for sheets a hundred times
larger and refuse what would only exhaust memory or time. A workbook is a zip archive: its
central directory declares each member's size before anything is decompressed, and Python's
zipfile never inflates a member beyond its declared size (a lie fails the CRC check), so checking
the declared sizes and ratios bounds the work (Apache POI's ZipSecureFile checks the same ratio).
"""

from __future__ import annotations

MAX_FILE_BYTES = 32 * 1024 * 1024       # a CSV or XLSX file as stored on disk
MAX_ROWS = 20_000                       # rows of one sheet, header and empty rows included
MAX_COLUMNS = 100                       # columns of one sheet (a template has at most 15)
MAX_SHEETS = 50                         # worksheets of one workbook (there are 12 kinds)
MAX_ZIP_MEMBERS = 1_000                 # files inside one workbook
MAX_UNCOMPRESSED_BYTES = 128 * 1024 * 1024  # a workbook's members, decompressed, added up
MAX_COMPRESSION_RATIO = 100             # decompressed / compressed size of one member
RATIO_CHECKED_FROM = 1024 * 1024        # smaller members may compress better: too small to harm
