"""The four file formats of the sheet: bytes from a tablib Dataset, and a `Table` from bytes.

CSV, XLSX and ODS are written by `writers` (the one writer stack, shared with the open data,
that makes every text cell inert, with the column widths the resource declares), JSON with
the texts as they are. All four are read by `readers`, streaming and within the limits of
`limits.py`, refusing anything they cannot read with a `FileRefused` in Chinese: CSV and
JSON with the standard library, XLSX with openpyxl's read-only worksheet, ODS as XML with
defusedxml (its docstring says why not odfpy or tablib).

These are not django-import-export's format classes, which read and write through tablib:
every method of theirs would be replaced here, and merely importing them makes the library
list every tablib format, which imports openpyxl and odfpy (a tenth of a second of every
process's start; tests/config/test_startup.py). The Dataset is tablib's public class.
"""

import json
from typing import Any, Protocol

import tablib
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .limits import import_limits
from .readers import FileRefused, Table, read_csv, read_json, read_ods, read_xlsx
from .resources import column_widths
from .writers import write_csv, write_ods, write_xlsx


class SheetFormat(Protocol):
    """What the round trip needs of a format: bytes out, a Table back in."""

    def export_data(self, dataset: tablib.Dataset, **kwargs: Any) -> bytes: ...

    def read(self, content: bytes) -> Table: ...

    def get_content_type(self) -> str: ...


class _Format:
    content_type = "application/octet-stream"

    def get_content_type(self) -> str:
        return self.content_type


class CSV(_Format):
    """UTF-8 with a byte-order mark, so that Excel opens the Chinese text correctly."""

    content_type = "text/csv"

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
        return read_csv(text, import_limits()).table(notes=notes)


class JSON(_Format):
    """A list of objects, one per row, keyed by the column headers."""

    content_type = "application/json"

    def export_data(self, dataset: tablib.Dataset, **kwargs: Any) -> bytes:
        return (json.dumps(dataset.dict, ensure_ascii=False, indent=2) + "\n").encode("utf-8")

    def read(self, content: bytes) -> Table:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise FileRefused(_("這個檔案不是有效的 JSON 檔。")) from None
        sheet = read_json(text, import_limits())
        sheet.refuse_if_problems()
        return Table(
            headers=[str(header) for header in sheet.headers],
            rows=sheet.rows,
            first_row_number=1,
            row_word=gettext_lazy("筆"),
        )


class XLSX(_Format):
    """An Excel workbook; the first sheet is read."""

    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    def export_data(self, dataset: tablib.Dataset, **kwargs: Any) -> bytes:
        headers = dataset.headers
        return write_xlsx(
            headers, list(dataset), title=dataset.title, widths=column_widths(headers)
        )

    def read(self, content: bytes) -> Table:
        return read_xlsx(content, import_limits()).table()


class ODS(_Format):
    """An OpenDocument spreadsheet (LibreOffice Calc); the first sheet is read."""

    content_type = "application/vnd.oasis.opendocument.spreadsheet"

    def export_data(self, dataset: tablib.Dataset, **kwargs: Any) -> bytes:
        headers = dataset.headers
        return write_ods(headers, list(dataset), title=dataset.title, widths=column_widths(headers))

    def read(self, content: bytes) -> Table:
        return read_ods(content, import_limits()).table()


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
