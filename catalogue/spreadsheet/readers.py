"""Reading an imported file into a `Table`, streaming, within the limits of `limits.py`.

Every reader feeds its rows to one `_Sheet`, which counts rows, columns, non-empty cells and
characters per cell as they arrive and refuses at the first limit passed, naming the limit,
the row and the column in Chinese. Nothing is expanded before it is counted: a run of empty
rows or cells (LibreOffice pads every sheet with a row repeated a million times) is kept as
a number and only written out when data follows it, within the limits.

Why not the libraries' own readers for ODS: odfpy builds the whole document tree in memory
(a 251 KB ODS of empty cells took 3.7 GB) and tablib's ODS reader drops lines and repeated
cells, so content.xml is read here with defusedxml's iterparse, each row cleared once read.
XLSX goes through openpyxl's read-only (streaming) worksheet, bounded by explicit maximum
row and column, so that a declared dimension of a million rows is never padded out; not
through tablib's XLSX reader, which loads with data_only=True (a formula's cached value in
place of the formula, so a formula cell could not be refused) and reads every row of the
sheet (tablib 3.10).

Only public APIs: openpyxl's load_workbook, Worksheet.iter_rows, max_row and max_column and a
cell's value and data_type; zipfile and defusedxml for ODS; the standard csv and json.
"""

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from defusedxml import ElementTree as SafeElementTree
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .limits import ImportLimits, LimitPassed, check_archive

Cell = str | int | float | None


@dataclass
class Table:
    """A sheet as read from a file: header row, data rows, and notes on how it was read."""

    headers: list[str]
    rows: list[list[Cell]]
    notes: list[str] = field(default_factory=list)
    # The number the editor sees beside the first data row (2 below a header row, 1 in JSON).
    first_row_number: int = 2
    row_word: str = gettext_lazy("列")


@dataclass(frozen=True)
class Problem:
    """One reason a file cannot be read, and where, as the editor numbers rows and columns."""

    message: str
    row: int | None = None
    column: str | None = None


class FileRefused(Exception):
    """The file cannot be read as a sheet: one message, or problems with row and column."""

    def __init__(self, message: str = "", *, problems: list[Problem] | None = None) -> None:
        self.problems = problems or [Problem(message)]
        super().__init__("\n".join(problem.message for problem in self.problems))


# The refusals of a reader stop at this many problems: enough to fix a file in one go.
MAX_PROBLEMS = 50

FORMULA_MESSAGE = gettext_lazy("此儲存格是公式，請改為文字")


def _empty(value: Cell) -> bool:
    return value is None or value == ""


def column_letter(index: int) -> str:
    """A, B, … Z, AA: the column as a spreadsheet names it (index from 0)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


class _Sheet:
    """Rows as they are read, counted against the limits; makes the `Table` at the end."""

    def __init__(self, limits: ImportLimits, *, header_rows: int = 1) -> None:
        self.limits = limits
        self.header_rows = header_rows
        self.rows: list[list[Cell]] = []
        self.blank = 0  # blank rows read but not yet kept: only kept if data follows
        self.cells = 0
        self.lines = 0
        self.problems: list[Problem] = []
        self.headers: list[Cell] = []

    @property
    def next_number(self) -> int:
        """The number (from 1) the next row read has in the file."""
        return len(self.rows) + self.blank + 1

    def column_name(self, index: int) -> str:
        """The header of a column where the file has one, else its letter."""
        known = self.rows or not self.header_rows  # JSON: the keys are known from the start
        if known and index < len(self.headers) and not _empty(self.headers[index]):
            return str(self.headers[index])
        return column_letter(index)

    def problem(self, message: str, row: int, column: int) -> None:
        self.problems.append(Problem(str(message), row, self.column_name(column)))
        if len(self.problems) >= MAX_PROBLEMS:
            raise FileRefused(problems=self.problems)

    def check_column(self, index: int, row: int) -> None:
        """Refuse a value in a column past the limit (index from 0)."""
        if index >= self.limits.max_columns:
            raise FileRefused(
                problems=[
                    Problem(
                        _("有資料的欄位超過 %(limit)d 欄的上限。")
                        % {"limit": self.limits.max_columns},
                        row,
                        column_letter(index),
                    )
                ]
            )

    def check_text(self, value: Cell, row: int, column: int) -> Cell:
        """Every text cell of every format passes here (the place for further text rules)."""
        if not isinstance(value, str):
            return value
        if len(value) > self.limits.max_cell_chars:
            self.problem(
                _("儲存格文字超過 %(limit)d 字的上限，請縮短。")
                % {"limit": self.limits.max_cell_chars},
                row,
                column,
            )
            return ""
        if value:
            self.lines += value.count("\n") + 1
            if self.lines > self.limits.max_lines:
                message = _("檔案的文字超過 %(limit)d 行的上限；請分批匯入。") % {
                    "limit": self.limits.max_lines
                }
                raise FileRefused(problems=[Problem(message, row, self.column_name(column))])
        return value

    def add(self, cells: list[Cell], repeat: int = 1) -> None:
        """Add a row read `repeat` times; cells already checked, trailing empties dropped."""
        while cells and _empty(cells[-1]):
            cells.pop()
        if not cells:
            self.blank += repeat
            return
        number = self.next_number
        if number + repeat - 1 - self.header_rows > self.limits.max_rows:
            self._refuse_rows(max(number, self.limits.max_rows + self.header_rows + 1))
        self.cells += repeat * sum(1 for cell in cells if not _empty(cell))
        if self.cells > self.limits.max_cells:
            self.refuse_cells(number)
        self.rows.extend([] for _blank in range(self.blank))
        self.blank = 0
        if not self.rows:
            self.headers = cells
        self.rows.extend(list(cells) for _copy in range(repeat))

    def refuse_cells(self, number: int) -> None:
        message = _("有資料的儲存格超過 %(limit)d 格的上限。") % {"limit": self.limits.max_cells}
        raise FileRefused(problems=[Problem(message, number)])

    def _refuse_rows(self, number: int) -> None:
        raise FileRefused(
            problems=[
                Problem(
                    _("資料列超過 %(limit)d 列的上限；請刪除多餘的列或分批匯入。")
                    % {"limit": self.limits.max_rows},
                    number,
                )
            ]
        )

    def refuse_if_problems(self) -> None:
        if self.problems:
            raise FileRefused(problems=self.problems)

    def table(self, **options: Any) -> Table:
        """The rows read as a Table: the first row is the header row of a sheet."""
        self.refuse_if_problems()
        if not self.rows:
            raise FileRefused(_("檔案是空的。"))
        headers = ["" if cell is None else str(cell) for cell in self.rows[0]]
        while headers and not headers[-1].strip():
            headers.pop()
        return Table(headers=headers, rows=self.rows[1:], **options)


# CSV


class _RecordLines:
    """The lines of a text, remembering those of the record being read (to name a column).

    Between two records, `skip_blank` passes over a run of blank records (empty lines, lines
    of commas or of quoted empty fields) with one regular expression, and says how many there
    were: ten million blank lines then cost a scan of the text, not ten million records made
    by the csv module and dropped one by one.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._position = 0
        self.current: list[str] = []

    def __iter__(self) -> "_RecordLines":
        return self

    def __next__(self) -> str:
        start = self._position
        if start >= len(self._text):
            raise StopIteration
        self._position = _LINE.match(self._text, start).end()
        line = self._text[start : self._position]
        self.current.append(line)
        return line

    def skip_blank(self) -> int:
        """Pass over the blank records that follow; their number (each line ending is one)."""
        run = _BLANK_RECORDS.match(self._text, self._position)
        if run is None:
            return 0
        self._position = run.end()
        blank = run.group()
        return blank.count("\n") + blank.count("\r") - blank.count("\r\n")


# A line as io.StringIO(newline="") and the csv module split them: CR, LF or CRLF ends it.
_LINE = re.compile(r"[^\r\n]*+(?:\r\n?|\n)?")
# Records of empty fields only: nothing, commas, or "" between commas, each up to its line end.
_BLANK_RECORDS = re.compile(r'(?:(?:"")?+(?:,(?:"")?+)*+(?:\r\n?|\n))++')


# One CSV field, quoted (perhaps left open at the end of what was read) or bare.
_CSV_FIELD = re.compile(r'"(?:[^"]|"")*+"?|[^,"]*+')


def _long_field(record: str, limit: int) -> int:
    """Which field (from 0) of a (partly read) CSV record is the first longer than limit."""
    position, index = 0, 0
    while True:
        match = _CSV_FIELD.match(record, position)
        position = match.end()
        if match.end() - match.start() > limit:
            return index
        position = record.find(",", position)
        if position < 0:
            return index
        position += 1
        index += 1


def read_csv(text: str, limits: ImportLimits) -> _Sheet:
    sheet = _Sheet(limits)
    if limits.max_cell_chars >= csv.field_size_limit():
        csv.field_size_limit(limits.max_cell_chars + 1)  # only ever raised, never lowered
    lines = _RecordLines(text)
    reader = csv.reader(lines)
    while True:
        sheet.blank += lines.skip_blank()
        number = sheet.next_number
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            partial = "".join(lines.current)
            if len(partial) > csv.field_size_limit():
                column = _long_field(partial, limits.max_cell_chars)
                sheet.check_text(partial, number, column)
                sheet.refuse_if_problems()
            raise FileRefused(_("CSV 檔格式錯誤：%(error)s") % {"error": error}) from None
        lines.current = []
        while record and not record[-1]:
            record.pop()  # a line of ten million commas is cut here, not copied
        if len(record) > limits.max_columns:
            beyond = record[limits.max_columns :]
            sheet.check_column(
                limits.max_columns + next(i for i, v in enumerate(beyond) if v), number
            )
        sheet.add([sheet.check_text(value, number, index) for index, value in enumerate(record)])
    return sheet


# JSON

# Possessive: a string left open costs one pass, never a backtracking search.
_JSON_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"', re.DOTALL)


def read_json(text: str, limits: ImportLimits) -> _Sheet:
    """A list of objects, one per row; its size is counted before Python objects are made."""
    bare = _JSON_STRING.sub('""', text)  # what is left: brackets, commas, numbers, literals
    if bare.count("{") + bare.count("[") > limits.max_rows + 1:
        raise FileRefused(_("JSON 檔超過 %(limit)d 筆資料的上限。") % {"limit": limits.max_rows})
    if bare.count(",") > limits.max_rows * limits.max_columns:
        raise FileRefused(
            _("JSON 檔的值超過 %(limit)d 個的上限（%(rows)d 筆、每筆 %(columns)d 欄）。")
            % {
                "limit": limits.max_rows * limits.max_columns,
                "rows": limits.max_rows,
                "columns": limits.max_columns,
            }
        )
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise FileRefused(_("這個檔案不是有效的 JSON 檔。")) from None
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        raise FileRefused(_("JSON 檔須為物件的陣列，每個物件是一列，鍵為欄位名稱。"))
    if not data:
        raise FileRefused(_("檔案中沒有任何資料列。"))
    sheet = _Sheet(limits, header_rows=0)
    headers = list(data[0])
    sheet.headers = list(headers)
    for index, _header in enumerate(headers):
        sheet.check_column(index, 1)
    for number, row in enumerate(data, start=1):
        if list(row) != headers and set(row) != set(headers):
            raise FileRefused(_("第 %(row)d 筆的欄位與第 1 筆不同。") % {"row": number})
        cells = [row[header] for header in headers]
        if any(cell is not None and not isinstance(cell, str | int | float) for cell in cells):
            raise FileRefused(_("第 %(row)d 筆有不是文字或數字的值。") % {"row": number})
        # Blank rows are kept in JSON: each object is a row the editor counts.
        sheet.rows.append([sheet.check_text(cell, number, i) for i, cell in enumerate(cells)])
        sheet.cells += sum(1 for cell in cells if not _empty(cell))
        if sheet.cells > limits.max_cells:
            sheet.refuse_cells(number)
    sheet.refuse_if_problems()
    return sheet


# XLSX


def read_xlsx(content: bytes, limits: ImportLimits) -> _Sheet:
    import openpyxl

    try:
        worksheet_cells = check_archive(content, limits)
    except LimitPassed as passed:
        raise FileRefused(str(passed)) from None
    sheet = _Sheet(limits)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        worksheet = workbook.worksheets[0]
        _check_dimension(worksheet, limits)
        _check_cells(worksheet_cells, limits)
        # One row and one column past the limits, to see whether the sheet goes on.
        rows = worksheet.iter_rows(max_row=limits.max_rows + 2, max_col=limits.max_columns + 1)
        for number, row in enumerate(rows, start=1):
            if number > limits.max_rows + 1:
                sheet._refuse_rows(number)
            sheet.add([_xlsx_value(sheet, cell, number, index) for index, cell in enumerate(row)])
        workbook.close()
    except FileRefused:
        raise
    except Exception:  # openpyxl raises zip, XML and key errors on damaged files
        raise FileRefused(_("無法讀取這個 XLSX 檔：檔案不是 Excel 活頁簿，或已經損毀。")) from None
    return sheet


def _check_dimension(worksheet: Any, limits: ImportLimits) -> None:
    """Refuse a sheet that declares more rows or columns than the limits allow."""
    rows, columns = worksheet.max_row, worksheet.max_column
    if (rows or 0) > limits.max_rows + 1 or (columns or 0) > limits.max_columns:
        raise FileRefused(
            _(
                "工作表的範圍是 %(rows)d 列 %(columns)d 欄，超過 %(max_rows)d 列資料、"
                "%(max_columns)d 欄的上限；請刪除多餘的列與欄後再匯入。"
            )
            % {
                "rows": rows or 0,
                "columns": columns or 0,
                "max_rows": limits.max_rows,
                "max_columns": limits.max_columns,
            }
        )


def _check_cells(cells: int, limits: ImportLimits) -> None:
    """Refuse a sheet whose first rows hold more cells, empty or not, than its limits allow.

    A sheet within its declared dimension never does: this stops a dimension that lies (or
    is missing) over a row of a million empty cells, which openpyxl would parse one by one.
    """
    rows, columns = limits.max_rows + 1, limits.max_columns  # the header row counted
    if cells > rows * columns:
        raise FileRefused(
            _(
                "工作表至少有 %(count)d 個儲存格（含空白的儲存格），超過 %(limit)d 個的上限"
                "（%(rows)d 列、每列 %(columns)d 欄）；請刪除多餘的列與欄後再匯入。"
            )
            % {"count": cells, "limit": rows * columns, "rows": rows, "columns": columns}
        )


def _xlsx_value(sheet: _Sheet, cell: Any, number: int, index: int) -> Cell:
    value = getattr(cell, "value", None)
    if getattr(cell, "data_type", None) == "f" or (value is not None and not _plain(value)):
        sheet.problem(FORMULA_MESSAGE, number, index)
        return None
    if not _empty(value):
        sheet.check_column(index, number)
    return sheet.check_text(value, number, index)


def _plain(value: Any) -> bool:
    """A value as openpyxl reads a cell's content (not a formula object)."""
    import datetime

    return isinstance(value, str | int | float | bool | datetime.date | datetime.time)


# ODS

_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_CELLS = (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell")


def read_ods(content: bytes, limits: ImportLimits) -> _Sheet:
    try:
        check_archive(content, limits)
    except LimitPassed as passed:
        raise FileRefused(str(passed)) from None
    sheet = _Sheet(limits)
    try:
        with (
            zipfile.ZipFile(io.BytesIO(content)) as archive,
            archive.open("content.xml") as stream,
        ):
            _read_ods_rows(stream, sheet)
    except FileRefused:
        raise
    except Exception:  # zip, XML, DTD and number errors on damaged or hostile files
        raise FileRefused(
            _("無法讀取這個 ODS 檔：檔案不是 OpenDocument 試算表，或已經損毀。")
        ) from None
    return sheet


def _read_ods_rows(stream: Any, sheet: _Sheet) -> None:
    """The rows of the first table; each cell and row is dropped from memory once read."""
    depth = 0  # tables open: the first table's rows only, not a table inside a cell
    open_elements: list[Any] = []
    row: _OdsRow | None = None
    events = SafeElementTree.iterparse(stream, events=("start", "end"), forbid_dtd=True)
    for event, element in events:
        tag = element.tag
        if event == "start":
            open_elements.append(element)
            if tag == f"{_TABLE}table":
                depth += 1
            elif tag == f"{_TABLE}table-row" and depth == 1:
                row = _OdsRow(sheet, element)
            continue
        open_elements.pop()
        if tag == f"{_TABLE}table":
            depth -= 1
            if depth == 0:
                return  # the first sheet is read; the others are not
        elif depth != 1:
            continue
        elif tag in _CELLS and row is not None and open_elements[-1] is row.element:
            row.add(element)
            row.element.remove(element)
        elif tag == f"{_TABLE}table-row" and row is not None:
            row.finish()
            row = None
            open_elements[-1].remove(element)


class _OdsRow:
    """One table:table-row as its cells arrive; runs of empty cells kept as a count."""

    def __init__(self, sheet: _Sheet, element: Any) -> None:
        self.sheet = sheet
        self.element = element
        self.number = sheet.next_number
        self.cells: list[Cell] = []
        self.pending = 0  # empty cells read but not yet kept: only kept if a value follows

    def add(self, cell: Any) -> None:
        sheet, number = self.sheet, self.number
        repeat = _repeat(cell.get(f"{_TABLE}number-columns-repeated"))
        if cell.get(f"{_TABLE}formula") is not None:
            sheet.problem(FORMULA_MESSAGE, number, len(self.cells) + self.pending)
        value = _ods_value(cell, sheet.limits)
        if _empty(value):
            self.pending += repeat
            return
        first = len(self.cells) + self.pending
        sheet.check_column(first + repeat - 1, number)
        self.cells.extend([None] * self.pending)
        self.pending = 0
        self.cells.extend(sheet.check_text(value, number, first + i) for i in range(repeat))

    def finish(self) -> None:
        self.sheet.add(self.cells, _repeat(self.element.get(f"{_TABLE}number-rows-repeated")))


def _repeat(attribute: str | None) -> int:
    return max(int(attribute), 1) if attribute else 1


def _ods_value(cell: Any, limits: ImportLimits) -> Cell:
    if cell.get(f"{_OFFICE}value-type") == "float":
        number = float(cell.get(f"{_OFFICE}value"))
        return int(number) if number.is_integer() else number
    # Only the cell's own paragraphs: a comment (office:annotation) holds paragraphs too.
    paragraphs = [child for child in cell if child.tag == f"{_TEXT}p"]
    if not paragraphs:
        return None
    # Read no further than one character past the limit: <text:s text:c="20000"/> repeated
    # would otherwise make gigabytes of spaces out of a few kilobytes.
    most = limits.max_cell_chars + 1
    pieces: list[str] = []
    length = 0
    for index, paragraph in enumerate(paragraphs):
        for piece in chain(("\n",) if index else (), _ods_text(paragraph, most)):
            pieces.append(piece)
            length += len(piece)
            if length >= most:
                return "".join(pieces)[:most]
    return "".join(pieces)


def _ods_text(element: Any, most: int) -> Iterator[str]:
    """The text of a paragraph as the spreadsheet shows it: spaces, tabs and line breaks."""
    if element.text:
        yield element.text
    for child in element:
        if child.tag == f"{_TEXT}s":
            yield " " * min(_repeat(child.get(f"{_TEXT}c")), most)
        elif child.tag == f"{_TEXT}tab":
            yield "\t"
        elif child.tag == f"{_TEXT}line-break":
            yield "\n"
        elif child.tag != f"{_OFFICE}annotation":
            yield from _ods_text(child, most)
        if child.tail:
            yield child.tail
