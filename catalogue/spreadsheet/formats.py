"""The four file formats of the sheet, on django-import-export's format classes.

Each format turns a tablib Dataset into bytes and bytes back into a `Table` (headers and
rows of raw cell values). CSV, XLSX and ODS are written by `writers` (the one writer stack,
shared with the open data, that makes every text cell inert); JSON keeps the texts as they
are. XLSX and ODS are read here with openpyxl and odfpy directly, because tablib's ODS reader
keeps only the first line of a multi-line cell and drops the repeated empty cells that
LibreOffice writes (which shifts columns). Reading is done in `readers.py`, streaming and
within the limits of `limits.py`; it refuses anything it cannot read with a `FileRefused` in
Chinese.
"""

import json
from typing import Any, Protocol

import tablib
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.formats import base_formats

from .limits import import_limits
from .readers import FileRefused, Table, read_csv, read_json, read_ods, read_xlsx
from .writers import write_csv, write_ods, write_xlsx


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
        return read_csv(text, import_limits()).table(notes=notes)


class JSON(base_formats.JSON):
    """A list of objects, one per row, keyed by the column headers."""

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


class XLSX(base_formats.XLSX):
    """An Excel workbook; the first sheet is read."""

    def export_data(self, dataset: tablib.Dataset, **kwargs: Any) -> bytes:
        return write_xlsx(dataset.headers, list(dataset), title=dataset.title)

    def read(self, content: bytes) -> Table:
        return read_xlsx(content, import_limits()).table()


class ODS(base_formats.ODS):
    """An OpenDocument spreadsheet (LibreOffice Calc); the first sheet is read."""

    def export_data(self, dataset: tablib.Dataset, **kwargs: Any) -> bytes:
        return write_ods(dataset.headers, list(dataset), title=dataset.title)

    def read(self, content: bytes) -> Table:
        return read_ods(content, import_limits()).table()


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
