"""The limits every imported file is read within, declared once in settings.

A bulletin has some twenty rows of a dozen columns; the limits leave room for many times
that, and keep any file up to the size limit within a few seconds and well under 256 MB of
memory to read, and the largest file accepted within about ten seconds to import
(bench/import_limits.py measures both). Each reader counts as it streams
and stops at the first limit passed, so a hostile file costs no more than the limit.

docs/limits.md lists each limit, its setting, and what the editor sees when it is hit.
"""

import io
import re
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

# Archives are read in pieces of this size while their real unpacked size is counted.
_CHUNK = 64 * 1024

# openpyxl reads the parts around the sheet (styles, shared strings, workbook, themes) whole,
# at some 10-40 µs per XML element: their elements are counted, not only their bytes. The
# sheets themselves are read row by row and stopped at the row limit.
_SHEET_PART = re.compile(r"xl/worksheets/sheet\d+\.xml|content\.xml")
_SHARED_STRINGS_PART = "xl/sharedStrings.xml"  # bounded by its count of strings instead
MAX_PART_ELEMENTS = 100_000
_SHARED_STRING = re.compile(rb"<(?:\w+:)?si[\s>/]")
# openpyxl parses every cell of a row it reads, also those past the columns asked for (some
# 13 µs each): the cells of the rows it reads are counted here, at the speed of a byte search.
_WORKSHEET_PART = re.compile(r"xl/worksheets/sheet\d+\.xml")
_ROW = re.compile(rb"<(?:\w+:)?row[\s>/]")
_CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")


@dataclass(frozen=True)
class ImportLimits:
    max_bytes: int  # the file as uploaded
    max_unpacked_bytes: int  # all members of an XLSX or ODS archive, unpacked
    max_archive_members: int
    max_rows: int  # data rows, the header row not counted
    max_columns: int
    max_cells: int  # non-empty cells in the whole sheet
    max_cell_chars: int  # characters in one cell
    max_lines: int  # lines of text in all cells: what the import may turn into records


def import_limits() -> ImportLimits:
    """The limits as configured now (tests change settings, so never cached)."""
    return ImportLimits(
        max_bytes=settings.CATALOGUE_IMPORT_MAX_BYTES,
        max_unpacked_bytes=settings.CATALOGUE_IMPORT_MAX_UNPACKED_BYTES,
        max_archive_members=settings.CATALOGUE_IMPORT_MAX_ARCHIVE_MEMBERS,
        max_rows=settings.CATALOGUE_IMPORT_MAX_ROWS,
        max_columns=settings.CATALOGUE_IMPORT_MAX_COLUMNS,
        max_cells=settings.CATALOGUE_IMPORT_MAX_CELLS,
        max_cell_chars=settings.CATALOGUE_IMPORT_MAX_CELL_CHARS,
        max_lines=settings.CATALOGUE_IMPORT_MAX_LINES,
    )


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


class LimitPassed(Exception):
    """A file passed one of the limits; the message names the limit in Chinese."""


def check_archive(content: bytes, limits: ImportLimits) -> int:
    """Refuse a zip archive that unpacks to more than the limit, declared or actual.

    Returns the most cells a worksheet of an XLSX holds in the rows openpyxl reads (the
    first `max_rows` + 2), for the XLSX reader to weigh after the sheet's dimension; 0 for
    an ODS or what is not a zip.

    The sizes in the zip directory are the sender's word: every member is also unpacked
    in pieces and counted, so a member that lies about its size is stopped at the limit
    without ever being held whole (zipfile itself also stops a member at its declared size
    and fails its checksum). Not a zip at all: left to the reader to refuse.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return 0
    with archive:
        members = archive.infolist()
        if len(members) > limits.max_archive_members:
            raise LimitPassed(
                _("壓縮檔內有 %(count)d 個檔案，超過 %(limit)d 個的上限。")
                % {"count": len(members), "limit": limits.max_archive_members}
            )
        declared = sum(member.file_size for member in members)
        if declared > limits.max_unpacked_bytes:
            raise LimitPassed(_unpacked_message(declared, limits))
        counts = _Counts(limits)
        for member in members:
            name = member.filename
            sheet = _SHEET_PART.fullmatch(name) is not None or name == _SHARED_STRINGS_PART
            counts.start_member(worksheet=_WORKSHEET_PART.fullmatch(name) is not None)
            try:
                with archive.open(member) as stream:
                    while piece := stream.read(_CHUNK):
                        counts.add(piece, sheet=sheet)
            except LimitPassed:
                raise
            except Exception:  # damaged, encrypted or unsupported: the reader refuses it
                continue
        return counts.most_worksheet_cells


class _Counts:
    """What an archive's members hold, counted piece by piece as they are unpacked."""

    def __init__(self, limits: ImportLimits) -> None:
        self.limits = limits
        self.unpacked = 0
        self.elements = 0  # outside the sheets
        self.shared_strings = 0
        self.most_worksheet_cells = 0
        self.rows = self.cells = 0  # of the member being read, if it is a worksheet
        self.worksheet = False

    def start_member(self, *, worksheet: bool) -> None:
        self.worksheet = worksheet
        self.rows = self.cells = 0

    def add(self, piece: bytes, *, sheet: bool) -> None:
        limits = self.limits
        if self.worksheet:
            self._count_cells(piece)
        self.unpacked += len(piece)
        if self.unpacked > limits.max_unpacked_bytes:
            raise LimitPassed(_unpacked_message(self.unpacked, limits, at_least=True))
        # A tag cut in two by the piece boundary is missed: the limits are far from the edge.
        self.shared_strings += len(_SHARED_STRING.findall(piece))
        if self.shared_strings > limits.max_cells:
            raise LimitPassed(
                _("共用字串超過 %(limit)d 個的上限（即儲存格的上限）。")
                % {"limit": limits.max_cells}
            )
        if not sheet:
            self.elements += piece.count(b"<")
            if self.elements > MAX_PART_ELEMENTS:
                raise LimitPassed(
                    _("工作表以外的樣式與設定超過 %(limit)d 個項目的上限；請另存新檔後再匯入。")
                    % {"limit": MAX_PART_ELEMENTS}
                )

    def _count_cells(self, piece: bytes) -> None:
        """Cells of the rows openpyxl reads: up to the (max_rows + 3)th row's start tag."""
        rows_read = self.limits.max_rows + 2
        if self.rows > rows_read:
            return
        end = len(piece)
        if self.rows + len(_ROW.findall(piece)) > rows_read:
            starts = _ROW.finditer(piece)
            for _row in range(rows_read - self.rows + 1):
                end = next(starts).start()
        self.rows += len(_ROW.findall(piece, 0, end)) + (end < len(piece))
        self.cells += len(_CELL.findall(piece, 0, end))
        self.most_worksheet_cells = max(self.most_worksheet_cells, self.cells)


def _unpacked_message(size: int, limits: ImportLimits, *, at_least: bool = False) -> str:
    values = {"size": megabytes(size), "limit": megabytes(limits.max_unpacked_bytes)}
    if at_least:
        message = _("檔案解壓縮後超過 %(size)s，超過 %(limit)s 的上限；請只保留彙整表的工作表。")
    else:
        message = _("檔案解壓縮後有 %(size)s，超過 %(limit)s 的上限；請只保留彙整表的工作表。")
    return message % values
