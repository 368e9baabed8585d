"""The one writer of spreadsheet files: the editors' sheet and the published open data.

CSV, XLSX and ODS are written here and nowhere else, and every text cell goes through the one
formula neutraliser (`cells.escape_formula`, every line of a cell) on its way out, so that no
path writes a cell that a spreadsheet would run. Besides, XLSX text cells are written with
the string type (never a formula, whatever the text) and ODS cells as text paragraphs (never
table:formula). JSON is data, not a spreadsheet: its writers keep the texts as they are.

openpyxl is used directly rather than through tablib, whose XLSX writer sizes columns to the
longest text; ODS is written as XML text (tablib's odfpy writer keeps one paragraph per cell,
and odfpy builds a DOM of the whole sheet first: seconds for a 2,000-row sheet).
"""

import csv
import io
import itertools
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

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
    return b"".join(iter_csv(headers, rows))


def iter_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """The same CSV as write_csv, a line at a time (for a response that streams)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    yield b"\xef\xbb\xbf"
    for row in itertools.chain([headers], rows):
        writer.writerow([sheet_cell(value) for value in row])
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()


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


_ODS_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'office:version="1.2"'
)
_ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
_ODS_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    'manifest:version="1.2">'
    f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{_ODS_MIMETYPE}"/>'
    '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)
_ODS_STYLES = (
    f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-styles {_ODS_NAMESPACES}>'
    "<office:styles/></office:document-styles>"
)
_SPACES = re.compile(r"( )( +)|\t")
# A fixed time in every member: the same rows give the same bytes (a published file's hash).
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _ods_line(line: str) -> str:
    """One line as ODF paragraph content: runs of spaces as text:s and tabs as text:tab, as a
    spreadsheet would otherwise fold them (what odfpy's teletype does)."""

    def spaces(match: re.Match[str]) -> str:
        if match.group(0) == "\t":
            return "<text:tab/>"
        return f' <text:s text:c="{len(match.group(2))}"/>'

    return _SPACES.sub(spaces, escape(line))


def _ods_cell(value: Value) -> str:
    if isinstance(value, int | float):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    if value == "" or value is None:
        return "<table:table-cell/>"
    paragraphs = "".join(f"<text:p>{_ods_line(line)}</text:p>" for line in value.split("\n"))
    return f'<table:table-cell office:value-type="string">{paragraphs}</table:table-cell>'


def write_ods(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], *, title: str, description: str = ""
) -> bytes:
    """An OpenDocument spreadsheet of one sheet: numbers as floats, texts as paragraphs.
    `description` goes in the document's metadata (dc:description), outside the table.

    Written as XML text straight into the zip, a row at a time: odfpy built a DOM of every
    cell first and took 2.7-2.9 s and much memory for 2,000 rows where this takes a tenth."""
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        # The mimetype comes first and uncompressed, so that a reader can tell the kind of file.
        archive.writestr(zipfile.ZipInfo("mimetype", _ZIP_TIME), _ODS_MIMETYPE)
        for name, text in (("styles.xml", _ODS_STYLES), ("meta.xml", _ods_meta(description))):
            archive.writestr(_deflated(name), text)
        with archive.open(_deflated("content.xml"), "w") as member:
            for chunk in _ods_content(headers, rows, title):
                member.write(chunk.encode("utf-8"))
        archive.writestr(_deflated("META-INF/manifest.xml"), _ODS_MANIFEST)
    return stream.getvalue()


def _ods_meta(description: str) -> str:
    described = f"<dc:description>{escape(description)}</dc:description>" if description else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-meta {_ODS_NAMESPACES}>'
        f"<office:meta>{described}</office:meta></office:document-meta>"
    )


def _deflated(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, _ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _ods_content(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], title: str
) -> Iterator[str]:
    widths = [COLUMN_WIDTHS.get(header, DEFAULT_WIDTH) for header in headers]
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {_ODS_NAMESPACES}>'
    yield "<office:automatic-styles>"
    for index, width in enumerate(widths):
        yield (
            f'<style:style style:name="co{index}" style:family="table-column">'
            f'<style:table-column-properties style:column-width="{width * 0.5}cm"/></style:style>'
        )
    yield "</office:automatic-styles><office:body><office:spreadsheet>"
    yield f"<table:table table:name={quoteattr(title or DEFAULT_TITLE)}>"
    for index in range(len(widths)):
        yield f'<table:table-column table:style-name="co{index}"/>'
    for values in (headers, *rows):
        cells = "".join(_ods_cell(sheet_cell(value)) for value in values)
        yield f"<table:table-row>{cells}</table:table-row>"
    yield "</table:table></office:spreadsheet></office:body></office:document-content>"
