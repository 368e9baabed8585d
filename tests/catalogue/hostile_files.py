"""Hostile spreadsheets, made on the fly and small on disk (tests and bench/import_limits.py).

Each builder writes the archive members in pieces, so that even the 95 MB content.xml of
the issue is never held whole while it is made.
"""

import io
import re
import zipfile
from collections.abc import Iterable

TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
ODS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    f' xmlns:table="{TABLE_NS}"'
    ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    '<office:body><office:spreadsheet><table:table table:name="工作表1">'
)
ODS_TAIL = "</table:table></office:spreadsheet></office:body></office:document-content>"
ODS_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
    '<manifest:file-entry manifest:full-path="/" '
    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def ods(pieces: Iterable[str]) -> bytes:
    """An ODS whose first table holds the rows given as XML pieces, written as they come."""
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("META-INF/manifest.xml", ODS_MANIFEST)
        info = zipfile.ZipInfo("content.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as content:
            content.write(ODS_HEAD.encode())
            for piece in pieces:
                content.write(piece.encode())
            content.write(ODS_TAIL.encode())
    return stream.getvalue()


def text_cell(text: str, extra: str = "") -> str:
    return (
        f'<table:table-cell office:value-type="string"{extra}><text:p>{text}</text:p>'
        "</table:table-cell>"
    )


def ods_of_empty_cells(unpacked: int) -> bytes:
    """content.xml of about `unpacked` bytes, all empty cells written one by one (no repeats)."""
    cell = "<table:table-cell/>"
    per_row = 1000
    row = "<table:table-row>" + cell * per_row + "</table:table-row>"
    return ods(row for _ in range(max(unpacked // len(row), 1)))


def ods_of_repeated_rows(rows: int, repeat: int) -> bytes:
    """`rows` rows with a value, each repeated `repeat` times: a billion cells in 16 KB."""
    row = (
        f'<table:table-row table:number-rows-repeated="{repeat}">{text_cell("x")}</table:table-row>'
    )
    return ods(row for _ in range(rows))


def ods_of_repeated_empty_rows(rows: int, repeat: int, then: str = "") -> bytes:
    """Empty rows repeated (as LibreOffice pads a sheet), then optionally one more row."""
    row = (
        f'<table:table-row table:number-rows-repeated="{repeat}">'
        '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
    )
    return ods([*(row for _ in range(rows)), then])


def rezip(content: bytes, replace: dict[str, bytes]) -> bytes:
    """The archive with some members replaced (or added)."""
    stream = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename not in replace:
                target.writestr(info, source.read(info))
        for name, data in replace.items():
            target.writestr(name, data)
    return stream.getvalue()


SHEET = "xl/worksheets/sheet1.xml"


def xlsx_with_cell(content: bytes, reference: str, cell_xml: str) -> bytes:
    """An exported XLSX with one cell's XML replaced, e.g. by a formula."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet = archive.read(SHEET).decode()
    pattern = re.compile(rf'<c r="{reference}"(?: [^>]*)?(?:/>|>.*?</c>)', re.DOTALL)
    assert pattern.search(sheet), f"no cell {reference} in the sheet"
    return rezip(content, {SHEET: pattern.sub(cell_xml, sheet, count=1).encode()})


def xlsx_declaring_rows(content: bytes, rows: int) -> bytes:
    """An exported XLSX whose dimension declares `rows` rows, with a last row that far down."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet = archive.read(SHEET).decode()
    sheet, found = re.subn(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="A1:L{rows}"/>', sheet)
    assert found == 1, "no dimension in the sheet"
    last = f'<row r="{rows}"><c r="A{rows}" t="inlineStr"><is><t>x</t></is></c></row>'
    sheet = sheet.replace("</sheetData>", last + "</sheetData>")
    return rezip(content, {SHEET: sheet.encode()})


def xlsx_without_dimension(content: bytes, last_row: int) -> bytes:
    """An exported XLSX with no declared dimension and one more row far down."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet = archive.read(SHEET).decode()
    sheet, found = re.subn(r'<dimension ref="[^"]*"\s*/>', "", sheet)
    assert found == 1, "no dimension in the sheet"
    last = f'<row r="{last_row}"><c r="A{last_row}" t="inlineStr"><is><t>x</t></is></c></row>'
    sheet = sheet.replace("</sheetData>", last + "</sheetData>")
    return rezip(content, {SHEET: sheet.encode()})


def xlsx_with_shared_strings(content: bytes, strings: bytes) -> bytes:
    """An exported XLSX (inline strings) given a sharedStrings.xml part as well."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        types = archive.read("[Content_Types].xml").decode()
    override = (
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    )
    types = types.replace("</Types>", override + "</Types>")
    return rezip(content, {"[Content_Types].xml": types.encode(), "xl/sharedStrings.xml": strings})


def lying_about_size(content: bytes, name: str, declared: int) -> bytes:
    """The archive with one member's unpacked size rewritten (local and central headers)."""
    data = bytearray(content)
    encoded = name.encode()
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            if data[start + name_at : start + name_at + len(encoded)] == encoded:
                data[start + size_at : start + size_at + 4] = declared.to_bytes(4, "little")
            start += 4
    return bytes(data)


def blank_lines(size: int, line: bytes = b"\n", *, head: bytes = b"", tail: bytes = b"") -> bytes:
    """A CSV of about `size` bytes: head, then blank records (`line` repeated), then tail."""
    return head + line * ((size - len(head) - len(tail)) // len(line)) + tail


def xlsx_with_empty_cells(content: bytes, row: int, cells: int) -> bytes:
    """An exported XLSX given one more row of `cells` empty cells, its dimension left as it was
    (so it lies): a row openpyxl parses cell by cell, whatever columns are asked for."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet = archive.read(SHEET).decode()
    empty = f'<row r="{row}">' + f'<c r="A{row}"/>' * cells + "</row>"
    return rezip(content, {SHEET: sheet.replace("</sheetData>", empty + "</sheetData>").encode()})


def ods_of_empty_rows(unpacked: int) -> bytes:
    """content.xml of about `unpacked` bytes of empty rows written one by one (no repeats)."""
    row = "<table:table-row/>"
    return ods(row for _ in range(max(unpacked // len(row), 1)))
