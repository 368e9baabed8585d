"""The one writer of spreadsheet files: the editors' sheet and the published open data.

CSV, XLSX and ODS are written here and nowhere else, and every text cell goes through the one
formula neutraliser (`cells.escape_formula`, every line of a cell) on its way out, so that no
path writes a cell that a spreadsheet would run. Besides, XLSX text cells are written with
the string type (never a formula, whatever the text) and ODS cells as text paragraphs (never
table:formula). JSON is data, not a spreadsheet: its writers keep the texts as they are.

openpyxl and odfpy are used directly rather than through tablib, whose XLSX writer sizes
columns to the longest text and whose ODS writer keeps one paragraph per cell.
"""

import csv
import io
from collections.abc import Sequence
from typing import Any

from .cells import escape_formula

Value = str | int | float | None

# Column widths in characters, by header, for XLSX and ODS; others get DEFAULT_WIDTH.
COLUMN_WIDTHS = {
    "序號": 6,
    "政策性產業": 18,
    "實施期間": 12,
    "部會/機關": 16,
    "範疇名稱": 16,
    "產業範疇": 30,
    "產業範疇說明": 36,
    "認定方式": 48,
    "願景": 20,
    "推動目標": 40,
    "推動策略": 48,
    "其他段落": 40,
    "備註": 24,
    "範疇識別碼": 10,
}
DEFAULT_WIDTH = 16
DEFAULT_TITLE = "彙整表"


def sheet_cell(value: Any) -> Value:
    """A value as a spreadsheet cell: numbers stay numbers, texts are made inert."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    return escape_formula(str(value))


def _cells(rows: Sequence[Sequence[Any]]) -> list[list[Value]]:
    return [[sheet_cell(value) for value in row] for row in rows]


def write_csv(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel reads the Chinese right; CRLF as RFC 4180."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(_cells([headers, *rows]))
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


def write_xlsx(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], *, title: str, description: str = ""
) -> bytes:
    """An Excel workbook of one sheet: bold frozen header row, wrapped text, string cells.

    `description` goes in the document's properties (File > Info), outside the table.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = (title or DEFAULT_TITLE)[:31]
    top = Alignment(wrap_text=True, vertical="top")
    bold = Font(bold=True)
    for row_number, values in enumerate(_cells([headers, *rows]), start=1):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row_number, column=column)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # a string, never a formula, whatever the text
            if row_number == 1:
                cell.font = bold
            else:
                cell.alignment = top
    for index, header in enumerate(headers, start=1):
        width = COLUMN_WIDTHS.get(header, DEFAULT_WIDTH)
        sheet.column_dimensions[get_column_letter(index)].width = width * 2
    sheet.freeze_panes = "A2"
    if description:
        workbook.properties.description = description
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def write_ods(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], *, title: str, description: str = ""
) -> bytes:
    """An OpenDocument spreadsheet of one sheet: numbers as floats, texts as paragraphs.

    `description` goes in the document's metadata (dc:description), outside the table.
    """
    from odf import dc, opendocument, style, table, teletype, text

    document = opendocument.OpenDocumentSpreadsheet()
    if description:
        document.meta.addElement(dc.Description(text=description))
    sheet = table.Table(name=title or DEFAULT_TITLE)
    for index, header in enumerate(headers):
        column_style = style.Style(name=f"co{index}", family="table-column")
        width = COLUMN_WIDTHS.get(header, DEFAULT_WIDTH)
        column_style.addElement(style.TableColumnProperties(columnwidth=f"{width * 0.5}cm"))
        document.automaticstyles.addElement(column_style)
        sheet.addElement(table.TableColumn(stylename=column_style))
    for values in _cells([headers, *rows]):
        row = table.TableRow()
        for value in values:
            if isinstance(value, int | float):
                cell = table.TableCell(valuetype="float", value=value)
                cell.addElement(text.P(text=str(value)))
            elif value == "":
                cell = table.TableCell()
            else:
                cell = table.TableCell(valuetype="string")
                for line in value.split("\n"):
                    paragraph = text.P()
                    teletype.addTextToElement(paragraph, line)
                    cell.addElement(paragraph)
            row.addElement(cell)
        sheet.addElement(row)
    document.spreadsheet.addElement(sheet)
    stream = io.BytesIO()
    document.write(stream)
    return stream.getvalue()
