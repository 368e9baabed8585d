"""The one writer of spreadsheet files: the editors' sheet and the published open data.

CSV, XLSX and ODS are written here and nowhere else, and every text cell goes through the one
formula neutraliser (`cells.escape_formula`, every line of a cell) on its way out, so that no
path writes a cell that a spreadsheet would run. Besides, XLSX text cells are written with
the string type (never a formula, whatever the text) and ODS cells as text paragraphs (never
table:formula). JSON is data, not a spreadsheet: its writers keep the texts as they are.

XLSX and ODS are written as XML text straight into the zip, not through tablib (whose XLSX
writer sizes columns to the longest text, and whose ODS writer keeps one paragraph per cell)
nor openpyxl and odfpy (which make an object of every cell first: seconds for a 2,000-row
sheet). Their fixed parts are those openpyxl wrote; openpyxl and odfpy read them back in the
tests, and the import reads them with `readers` (openpyxl's read-only worksheet for XLSX).
The same rows give the same bytes: a published file's hash is checked against a new
rendering, so a change to the bytes written here needs a new RENDERER_VERSION.

Column widths are the caller's (the editors' sheet declares them with its columns in
`resources`, the open data with its fields): this module knows no column by name.
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

# A column's width in characters where the caller names none (XLSX and ODS); the editors'
# sheet's widths are declared with its columns (resources.py), the open data's with its fields.
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
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    title: str,
    description: str = "",
    widths: Sequence[int] | None = None,
) -> bytes:
    """An Excel workbook of one sheet: bold frozen header row, wrapped text, string cells.

    `description` goes in the document's properties (File > Info), outside the table;
    `widths` are the columns' widths in characters (DEFAULT_WIDTH each if not given).

    Written as SpreadsheetML text straight into the zip, as openpyxl would write it (the same
    parts, styles, pane, column widths and inline strings): openpyxl's cell objects took
    0.8 s for a 2,000-row sheet where this takes a tenth. No date in the properties and a
    fixed time in the zip, so the same rows give the same bytes."""
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        for name, text in (
            ("[Content_Types].xml", _XLSX_CONTENT_TYPES),
            ("_rels/.rels", _XLSX_RELS),
            ("docProps/core.xml", _xlsx_core(description)),
            ("xl/workbook.xml", _xlsx_workbook(title)),
            ("xl/_rels/workbook.xml.rels", _XLSX_WORKBOOK_RELS),
            ("xl/styles.xml", _XLSX_STYLES),
            ("xl/worksheets/sheet1.xml", _xlsx_sheet(headers, rows, _widths(headers, widths))),
        ):
            archive.writestr(_deflated(name), text)
    return stream.getvalue()


_XLSX_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_XLSX_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XLSX_PACKAGE = "http://schemas.openxmlformats.org/package/2006"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_XLSX_CONTENT_TYPES = (
    f'{_XML}<Types xmlns="{_XLSX_PACKAGE}/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/docProps/core.xml" '
    'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    "</Types>"
)
_XLSX_RELS = (
    f'{_XML}<Relationships xmlns="{_XLSX_PACKAGE}/relationships">'
    f'<Relationship Id="rId1" Type="{_XLSX_RELATIONSHIPS}/officeDocument" '
    'Target="xl/workbook.xml"/>'
    f'<Relationship Id="rId2" Type="{_XLSX_PACKAGE}/relationships/metadata/core-properties" '
    'Target="docProps/core.xml"/>'
    "</Relationships>"
)
_XLSX_WORKBOOK_RELS = (
    f'{_XML}<Relationships xmlns="{_XLSX_PACKAGE}/relationships">'
    f'<Relationship Id="rId1" Type="{_XLSX_RELATIONSHIPS}/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_XLSX_RELATIONSHIPS}/styles" Target="styles.xml"/>'
    "</Relationships>"
)
# Three cell formats, as openpyxl numbers them: 0 the default, 1 the bold header, 2 a body
# cell (wrapped, top-aligned).
_XLSX_HEADER_STYLE, _XLSX_BODY_STYLE = 1, 2
_XLSX_FONT = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
_XLSX_STYLES = (
    f'{_XML}<styleSheet xmlns="{_XLSX_MAIN}">'
    f'<fonts count="2"><font>{_XLSX_FONT}</font><font><b val="1"/>{_XLSX_FONT}</font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment vertical="top" wrapText="1"/></xf></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
# What Excel refuses in a sheet's name (besides an apostrophe at either end); openpyxl raised
# on them, where the sheet now gets a name that Excel takes.
_SHEET_NAME_REFUSED = re.compile(r"[\\*?:/\[\]]")
# Characters that XML 1.0 cannot carry at all (the text rule keeps them out of the catalogue).
_XML_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xlsx_core(description: str) -> str:
    described = f"<dc:description>{escape(description)}</dc:description>" if description else ""
    return (
        f"{_XML}<cp:coreProperties "
        f'xmlns:cp="{_XLSX_PACKAGE}/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"{described}</cp:coreProperties>"
    )


def _xlsx_workbook(title: str) -> str:
    name = _SHEET_NAME_REFUSED.sub("_", (title or "")[:31]).strip("'") or DEFAULT_TITLE
    return (
        f'{_XML}<workbook xmlns="{_XLSX_MAIN}" xmlns:r="{_XLSX_RELATIONSHIPS}">'
        '<workbookPr/><bookViews><workbookView activeTab="0"/></bookViews>'
        f'<sheets><sheet name={quoteattr(name)} sheetId="1" r:id="rId1"/></sheets>'
        '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
    )


def _widths(headers: Sequence[str], widths: Sequence[int] | None) -> list[int]:
    """One width per header: those given, else DEFAULT_WIDTH."""
    if widths is None:
        return [DEFAULT_WIDTH] * len(headers)
    if len(widths) != len(headers):
        raise ValueError(f"{len(widths)} widths for {len(headers)} columns")
    return list(widths)


def _xlsx_sheet(headers: Sequence[str], rows: Sequence[Sequence[Any]], widths: list[int]) -> str:
    count = max([len(headers), *map(len, rows)])
    letters = [_column_letter(index) for index in range(1, count + 1)]
    body = [_xlsx_row(1, headers, _XLSX_HEADER_STYLE, letters)]
    body.extend(
        _xlsx_row(number, values, _XLSX_BODY_STYLE, letters)
        for number, values in enumerate(rows, start=2)
    )
    data = "".join(body)
    # What XML cannot carry at all (the text rule keeps it out of the catalogue): refused, as
    # openpyxl did, in one scan of the sheet rather than one per cell.
    found = _XML_REFUSED.search(data)
    if found is not None:
        raise ValueError(f"U+{ord(found.group()):04X} cannot be written in a workbook")
    columns = "".join(
        f'<col min="{index}" max="{index}" width="{width * 2}" customWidth="1"/>'
        for index, width in enumerate(widths, start=1)
    )
    return (
        f'{_XML}<worksheet xmlns="{_XLSX_MAIN}" xmlns:r="{_XLSX_RELATIONSHIPS}">'
        f'<dimension ref="A1:{letters[-1] if letters else "A"}{len(rows) + 1}"/>'
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A1" sqref="A1"/></sheetView></sheetViews>'
        '<sheetFormatPr baseColWidth="8" defaultRowHeight="15"/>'
        f"{f'<cols>{columns}</cols>' if columns else ''}"
        f"<sheetData>{data}</sheetData>"
        '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
        "</worksheet>"
    )


def _column_letter(index: int) -> str:
    """1 → A, 26 → Z, 27 → AA."""
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _xlsx_row(number: int, values: Sequence[Any], style: int, letters: list[str]) -> str:
    """A row of cells: texts as inline strings (typed, never formulas), numbers as numbers,
    empty cells with their style only."""
    cells = []
    for letter, value in zip(letters, map(sheet_cell, values), strict=False):
        if not isinstance(value, str):
            cells.append(f'<c r="{letter}{number}" s="{style}" t="n"><v>{value}</v></c>')
        elif value:
            cells.append(
                f'<c r="{letter}{number}" s="{style}" t="inlineStr">{_xlsx_text(value)}</c>'
            )
        else:
            cells.append(f'<c r="{letter}{number}" s="{style}"/>')
    return f'<row r="{number}">{"".join(cells)}</row>'


def _xlsx_text(text: str) -> str:
    # saxutils.escape without its loop over extra entities (a tenth of the writer's time).
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if "\r" in escaped:
        escaped = escaped.replace("\r", "&#13;")  # kept, where XML would read a line end
    if text[0].isspace() or text[-1].isspace():
        return f'<is><t xml:space="preserve">{escaped}</t></is>'
    return f"<is><t>{escaped}</t></is>"


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
    if "  " not in line and "\t" not in line:
        return escape(line)  # most lines: nothing for the expression to find
    return _SPACES.sub(_ods_spaces, escape(line))


def _ods_spaces(match: re.Match[str]) -> str:
    if match.group(0) == "\t":
        return "<text:tab/>"
    return f' <text:s text:c="{len(match.group(2))}"/>'


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
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    title: str,
    description: str = "",
    widths: Sequence[int] | None = None,
) -> bytes:
    """An OpenDocument spreadsheet of one sheet: numbers as floats, texts as paragraphs.
    `description` goes in the document's metadata (dc:description), outside the table;
    `widths` are the columns' widths in characters (DEFAULT_WIDTH each if not given).

    Written as XML text straight into the zip, in one piece (the same deflated bytes as row by
    row, at one call): odfpy built a DOM of every cell first and took 2.7-2.9 s and much
    memory for 2,000 rows where this takes 80 ms."""
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        # The mimetype comes first and uncompressed, so that a reader can tell the kind of file.
        archive.writestr(zipfile.ZipInfo("mimetype", _ZIP_TIME), _ODS_MIMETYPE)
        for name, text in (("styles.xml", _ODS_STYLES), ("meta.xml", _ods_meta(description))):
            archive.writestr(_deflated(name), text)
        content = "".join(_ods_content(headers, rows, title, _widths(headers, widths)))
        archive.writestr(_deflated("content.xml"), content)
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
    headers: Sequence[str], rows: Sequence[Sequence[Any]], title: str, widths: list[int]
) -> Iterator[str]:
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
