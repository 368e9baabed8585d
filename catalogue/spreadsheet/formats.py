"""The four file formats of the sheet, on django-import-export's format classes.

Each format turns a tablib Dataset into bytes and bytes back into a `Table` (headers and
rows of raw cell values). CSV, XLSX and ODS are written by `writers` (the one writer stack,
shared with the open data, that makes every text cell inert); JSON keeps the texts as they
are. XLSX and ODS are read here with openpyxl and odfpy directly, because tablib's ODS reader
keeps only the first line of a multi-line cell and drops the repeated empty cells that
LibreOffice writes (which shifts columns). Reading refuses anything it cannot read with a
`FileRefused` in Chinese.
"""

import csv
import io
import json
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import tablib
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.formats import base_formats

from .writers import write_csv, write_ods, write_xlsx

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


class FileRefused(Exception):
    """The file cannot be read as a sheet at all."""


class CSV(base_formats.CSV):
    """UTF-8 with a byte-order mark, so that Excel opens the Chinese text correctly."""

    def export_data(self, dataset: tablib.Dataset, **kwargs: Any) -> bytes:
        return write_csv(dataset.headers, list(dataset))

    def read(self, content: bytes) -> Table:
        notes = []
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = content.decode("cp950")
            except UnicodeDecodeError:
                raise FileRefused(
                    _("無法辨識 CSV 檔的文字編碼；請以「CSV UTF-8」格式另存後再匯入。")
                ) from None
            notes.append(_("這個 CSV 檔不是 UTF-8 編碼，已依 Big5（cp950）編碼讀取。"))
        if "\x00" in text:
            raise FileRefused(_("這個檔案不是 CSV 文字檔。"))
        try:
            rows = list(csv.reader(io.StringIO(text, newline="")))
        except csv.Error as error:
            raise FileRefused(_("CSV 檔格式錯誤：%(error)s") % {"error": error}) from None
        if not rows:
            raise FileRefused(_("檔案是空的。"))
        return Table(headers=rows[0], rows=rows[1:], notes=notes)


class JSON(base_formats.JSON):
    """A list of objects, one per row, keyed by the column headers."""

    def export_data(self, dataset: tablib.Dataset, **kwargs: Any) -> bytes:
        return (json.dumps(dataset.dict, ensure_ascii=False, indent=2) + "\n").encode("utf-8")

    def read(self, content: bytes) -> Table:
        try:
            data = json.loads(content.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError):
            raise FileRefused(_("這個檔案不是有效的 JSON 檔。")) from None
        if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
            raise FileRefused(_("JSON 檔須為物件的陣列，每個物件是一列，鍵為欄位名稱。"))
        if not data:
            raise FileRefused(_("檔案中沒有任何資料列。"))
        headers = list(data[0])
        rows = []
        for number, row in enumerate(data, start=1):
            if list(row) != headers and set(row) != set(headers):
                raise FileRefused(_("第 %(row)d 筆的欄位與第 1 筆不同。") % {"row": number})
            cells = [row[header] for header in headers]
            if any(cell is not None and not isinstance(cell, str | int | float) for cell in cells):
                raise FileRefused(_("第 %(row)d 筆有不是文字或數字的值。") % {"row": number})
            rows.append(cells)
        return Table(headers=headers, rows=rows, first_row_number=1, row_word=gettext_lazy("筆"))


class XLSX(base_formats.XLSX):
    """An Excel workbook; the first sheet is read."""

    def export_data(self, dataset: tablib.Dataset, **kwargs: Any) -> bytes:
        return write_xlsx(dataset.headers, list(dataset), title=dataset.title)

    def read(self, content: bytes) -> Table:
        import openpyxl

        _check_archive(content)
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            sheet = workbook.worksheets[0]
            rows = _limited(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True))
            workbook.close()
        except FileRefused:
            raise
        except Exception:  # openpyxl raises zip, XML and key errors on damaged files
            raise FileRefused(
                _("無法讀取這個 XLSX 檔：檔案不是 Excel 活頁簿，或已經損毀。")
            ) from None
        return _table(rows)


class ODS(base_formats.ODS):
    """An OpenDocument spreadsheet (LibreOffice Calc); the first sheet is read."""

    def export_data(self, dataset: tablib.Dataset, **kwargs: Any) -> bytes:
        return write_ods(dataset.headers, list(dataset), title=dataset.title)

    def read(self, content: bytes) -> Table:
        from odf import opendocument, table

        _check_archive(content)
        try:
            document = opendocument.load(io.BytesIO(content))
            sheet = document.spreadsheet.getElementsByType(table.Table)[0]
            rows = _ods_rows(sheet)
        except FileRefused:
            raise
        except Exception:  # odfpy raises zip, XML and key errors on damaged files
            raise FileRefused(
                _("無法讀取這個 ODS 檔：檔案不是 OpenDocument 試算表，或已經損毀。")
            ) from None
        return _table(rows)


# Limits that keep a hostile file from exhausting memory: a bulletin has some twenty rows.
MAX_ROWS = 10_000
MAX_COLUMNS = 100
MAX_UNPACKED_BYTES = 200 * 1024 * 1024


def _check_archive(content: bytes) -> None:
    """XLSX and ODS are zip archives: refuse one that unpacks to far more than it weighs."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # not a zip: the reader refuses it with its own message
    if unpacked > MAX_UNPACKED_BYTES:
        raise FileRefused(_("檔案解壓縮後過大，無法讀取。"))


def _limited(rows: Iterable[Sequence[Cell]]) -> list[list[Cell]]:
    """The rows, trailing empty cells dropped; refuse a sheet with more than MAX_ROWS rows."""
    kept: list[list[Cell]] = []
    for row in rows:
        if len(kept) >= MAX_ROWS:
            if any(cell not in (None, "") for cell in row):
                raise FileRefused(_("檔案超過 %(limit)d 列的上限。") % {"limit": MAX_ROWS})
            continue
        cells = list(row)
        while cells and cells[-1] in (None, ""):
            cells.pop()
        kept.append(cells)
    while kept and not kept[-1]:
        kept.pop()
    return kept


def _ods_rows(sheet: Any) -> list[list[Cell]]:
    """The sheet's rows, with LibreOffice's repeated rows and cells written out again."""
    from odf import table

    def rows() -> Iterator[list[Cell]]:
        for row in sheet.getElementsByType(table.TableRow):
            cells: list[Cell] = []
            for cell in row.childNodes:
                if cell.qname[1] in ("table-cell", "covered-table-cell"):
                    repeat = int(cell.getAttribute("numbercolumnsrepeated") or 1)
                    cells.extend([_ods_value(cell)] * min(repeat, MAX_COLUMNS))
                if len(cells) >= MAX_COLUMNS:
                    break
            # LibreOffice pads the sheet with one row repeated a million times.
            repeat = int(row.getAttribute("numberrowsrepeated") or 1)
            for _copy in range(min(repeat, MAX_ROWS + 1)):
                yield cells

    return _limited(rows())


def _ods_value(cell: Any) -> Cell:
    from odf import teletype
    from odf.namespaces import TEXTNS

    value_type = cell.getAttribute("valuetype")
    if value_type == "float":
        number = float(cell.getAttribute("value"))
        return int(number) if number.is_integer() else number
    # Only the cell's own paragraphs: a comment (office:annotation) holds paragraphs too.
    paragraphs = [child for child in cell.childNodes if child.qname == (TEXTNS, "p")]
    if not paragraphs:
        return None
    return "\n".join(teletype.extractText(paragraph) for paragraph in paragraphs)


def _table(rows: list[list[Cell]]) -> Table:
    if not rows:
        raise FileRefused(_("檔案是空的。"))
    headers = ["" if cell is None else str(cell) for cell in rows[0]]
    while headers and not headers[-1].strip():
        headers.pop()
    return Table(headers=headers, rows=rows[1:])


class SheetFormat(Protocol):
    """What the round trip needs of a format: bytes out, a Table back in."""

    def export_data(self, dataset: tablib.Dataset, **kwargs: Any) -> bytes: ...

    def read(self, content: bytes) -> Table: ...

    def get_content_type(self) -> str: ...


FORMATS: dict[str, SheetFormat] = {
    "csv": CSV(),
    "xlsx": XLSX(),
    "ods": ODS(),
    "json": JSON(),
}


def format_for(file_name: str) -> tuple[str, SheetFormat]:
    """The format of a file, by its extension."""
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if extension not in FORMATS:
        raise FileRefused(
            _("不支援「%(name)s」這種檔案；請匯入 CSV、XLSX、ODS 或 JSON 檔。")
            % {"name": file_name}
        )
    return extension, FORMATS[extension]
