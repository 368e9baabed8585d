"""The PDF's table as a screen reader should read it: row headers and merged cells.

Typst (0.15, Python wheel) tags the table with one TR per row and TH only for header rows:
row headers (`pdf.header-cell(scope: "row")`) need its `a11y-extras` feature, which the wheel
does not expose. And the template draws no cell that spans rows, because Typst lays such a cell
out after the rows it spans, out of reading order (table.pdf_rows). So this step edits the
structure tree of the compiled PDF, and nothing else (no content stream, no metadata):

- each programme's sub-header row (serial and name above its scopes; its repeats on continued
  pages are artifacts already) gives its serial and name to the programme's first row, in
  place of the two empty cells the template left there, and leaves the tree; so does the
  footer's row (a rule that closes the table on each page);
- in each scope's row the programme's name and the scope become row headers (TH, /Scope /Row);
- the cells that the template left empty under a programme or a shared recognition text are
  dropped and the cell above gets a /RowSpan, as the HTML table merges them;
- every cell names its headers (/Headers): its column, its programme, its scope.

It also keeps one bookmark per programme: Typst bookmarks the programme's heading in each
repeat of its sub-header too (the template does not tell them apart, which would cost a layout
pass; bulletin.typ).

The layout comes from the same rows the template read (table.pdf_rows); where the tree does not
match them, the PDF is refused rather than mis-tagged.
"""

import io
import itertools
from collections import Counter
from typing import Any

import pikepdf
from django.utils.translation import gettext as _

from publishing.exceptions import RenderingError

SERIAL, PROGRAMME, AGENCIES, SCOPE, RECOGNITION = range(5)
COLUMNS = 5


def tag_table(pdf: bytes, rows: list[dict[str, Any]]) -> bytes:
    """pdf with its table's structure tree fitted to rows (one per scope, table.pdf_rows)."""
    document = pikepdf.open(io.BytesIO(pdf))
    tree = document.Root.StructTreeRoot
    table = _first(tree, "/Table")
    if table is None:
        raise _mismatch("no Table")
    ids = pikepdf.NameTree(tree.IDTree)
    column_ids, sub_headers, body = _rows(table, ids)
    if len(body) != len(rows):
        raise _mismatch(f"{len(body)} body rows for {len(rows)} scopes")
    programmes = sum(row["first_in_programme"] for row in rows)
    if len(sub_headers) != programmes:
        raise _mismatch(f"{len(sub_headers)} sub-headers for {programmes} programmes")
    programme_id = ""
    heading_pages: Counter[tuple[int, int]] = Counter()
    for index, (tr, row) in enumerate(zip(body, rows, strict=True)):
        cells = _kids(tr)
        if len(cells) != COLUMNS:
            raise _mismatch(f"row {index} has {len(cells)} cells")
        if row["first_in_programme"]:
            programme_id = f"programme-{row['programme']}"
            serial, name = _programme_cells(sub_headers.pop(0), tr, ids)
            heading_pages[_heading(name).Pg.objgen] += 1
            cells[SERIAL], cells[PROGRAMME] = serial, name
            _span(serial, row["spans"]["programme"])
            _span(name, row["spans"]["programme"])
            _row_header(name, programme_id, ids)
        scope_id = f"scope-{index}"
        _row_header(cells[SCOPE], scope_id, ids)
        _span(cells[RECOGNITION], row["spans"]["recognition"])
        kept = []
        for column, cell in enumerate(cells):
            merged = (column in (SERIAL, PROGRAMME) and not row["first_in_programme"]) or (
                column == RECOGNITION and not row["spans"]["recognition"]
            )
            if merged:
                if _kids(cell):
                    raise _mismatch(f"row {index} column {column} should be empty")
                continue
            headers = [column_ids[column]]
            if column == SCOPE:
                headers.append(programme_id)
            elif column in (AGENCIES, RECOGNITION):
                spanned = row["spans"]["recognition"] if column == RECOGNITION else 1
                headers += [programme_id] + [f"scope-{index + n}" for n in range(spanned)]
            _table_attributes(cell)[pikepdf.Name.Headers] = pikepdf.Array(
                [pikepdf.String(h) for h in headers]
            )
            kept.append(cell)
        tr.K = pikepdf.Array(kept)
    _one_bookmark_per_programme(document, heading_pages, programmes)
    out = io.BytesIO()
    # deterministic_id: the same snapshot gives the same bytes (the published SHA-256).
    document.save(out, deterministic_id=True)
    return out.getvalue()


def _rows(
    table: pikepdf.Dictionary, ids: pikepdf.NameTree
) -> tuple[list[str], list[Any], list[Any]]:
    """The column headers' ids, the programmes' sub-header rows and the body rows, in order.

    The sub-header rows and the footer's row leave the tree: the sub-headers' cells move into
    the rows they head, the footer is a rule.
    """
    column_ids: list[str] = []
    sub_headers: list[Any] = []
    body: list[Any] = []
    sections = []
    for section in _kids(table):
        trs = []
        for tr in _kids(section):
            cells = _kids(tr)
            if not column_ids:
                column_ids = [str(cell.ID) for cell in cells]
                trs.append(tr)
            elif section.S == "/TFoot":
                if any(_kids(cell) for cell in cells):
                    raise _mismatch("footer with content")
            elif all(cell.S == "/TH" for cell in cells):
                sub_headers.append(tr)
            else:
                trs.append(tr)
                body.append(tr)
        if trs:
            section.K = pikepdf.Array(trs)
            sections.append(section)
    table.K = pikepdf.Array(sections)
    if len(column_ids) != COLUMNS:
        raise _mismatch(f"{len(column_ids)} column headers")
    return column_ids, sub_headers, body


def _programme_cells(
    sub_header: pikepdf.Dictionary, tr: pikepdf.Dictionary, ids: pikepdf.NameTree
) -> tuple[pikepdf.Dictionary, pikepdf.Dictionary]:
    """The serial and the name of a programme's sub-header, as cells of its first row."""
    cells = _kids(sub_header)
    if len(cells) != 3 or _kids(cells[2]):
        raise _mismatch("a programme's sub-header where it starts is not serial, name, nothing")
    for cell in cells:
        if "/ID" in cell:
            if str(cell.ID) in ids:
                del ids[str(cell.ID)]
            del cell["/ID"]
    serial, name = cells[0], cells[1]
    serial.S = pikepdf.Name.TD
    for cell in (serial, name):
        cell.P = tr
        attributes = _table_attributes(cell)
        for key in ("/Scope", "/ColSpan"):
            if key in attributes:
                del attributes[key]
    return serial, name


def _heading(name: pikepdf.Dictionary) -> pikepdf.Dictionary:
    """The H1 of a programme's name cell: its bookmark's heading."""
    for kid in _kids(name):
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/S") == "/H1" and "/Pg" in kid:
            return kid
    raise _mismatch("a programme's name without its heading")


def _one_bookmark_per_programme(
    document: pikepdf.Pdf, headings: Counter[tuple[int, int]], programmes: int
) -> None:
    """Drop the bookmarks of the sub-header's repeats, so that each programme has one.

    A repeat is an artifact: its heading adds a bookmark but no H1 to the structure tree. It
    stands at the top of a continued page, before anything else there, and a page has at most
    one; so where a page has one bookmark more than H1s, its first bookmark is a repeat.
    """
    outlines = document.Root.get("/Outlines")
    items = []
    item = outlines.get("/First") if outlines is not None else None
    while item is not None:
        items.append(item)
        item = item.get("/Next")
    kept = []
    for page, on_page in itertools.groupby(items, key=_bookmark_page):
        group = list(on_page)
        repeats = len(group) - headings[page]
        if repeats not in (0, 1):
            raise _mismatch(f"{len(group)} bookmarks for {headings[page]} headings on a page")
        kept += group[repeats:]
    if len(kept) != programmes:
        raise _mismatch(f"{len(kept)} bookmarks for {programmes} programmes")
    if outlines is None:
        return
    for index, item in enumerate(kept):
        for key in ("/Prev", "/Next"):
            if key in item:
                del item[key]
        if index:
            item.Prev = kept[index - 1]
            kept[index - 1].Next = item
    if kept:
        outlines.First, outlines.Last, outlines.Count = kept[0], kept[-1], len(kept)
    else:
        del document.Root["/Outlines"]


def _bookmark_page(item: pikepdf.Dictionary) -> tuple[int, int]:
    destination = item.get("/Dest")
    if not isinstance(destination, pikepdf.Array) or not len(destination):
        raise _mismatch("a bookmark without a page")
    return destination[0].objgen


def _row_header(cell: pikepdf.Dictionary, id_: str, ids: pikepdf.NameTree) -> None:
    cell.S = pikepdf.Name.TH
    _table_attributes(cell)[pikepdf.Name.Scope] = pikepdf.Name.Row
    cell.ID = pikepdf.String(id_)
    ids[id_] = cell


def _span(cell: pikepdf.Dictionary, rows: int) -> None:
    if rows > 1:
        _table_attributes(cell)[pikepdf.Name.RowSpan] = rows


def _table_attributes(cell: pikepdf.Dictionary) -> pikepdf.Dictionary:
    """The cell's attribute dictionary of owner /Table, added when Typst wrote none."""
    attributes = cell.get("/A")
    if attributes is None:
        attributes = cell.A = pikepdf.Array()
    elif isinstance(attributes, pikepdf.Dictionary):
        attributes = cell.A = pikepdf.Array([attributes])
    for entry in attributes:
        if isinstance(entry, pikepdf.Dictionary) and entry.get("/O") == "/Table":
            return entry
    entry = pikepdf.Dictionary(O=pikepdf.Name.Table)
    attributes.append(entry)
    return attributes[len(attributes) - 1]


def _kids(node: pikepdf.Dictionary) -> list[Any]:
    """The structure elements under node (marked-content ids left out)."""
    kids = node.get("/K")
    if kids is None:
        return []
    items = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
    return [k for k in items if isinstance(k, pikepdf.Dictionary) or isinstance(k, int)]


def _first(node: Any, role: str) -> pikepdf.Dictionary | None:
    for kid in _kids(node):
        if isinstance(kid, pikepdf.Dictionary):
            if kid.get("/S") == role:
                return kid
            found = _first(kid, role)
            if found is not None:
                return found
    return None


def _mismatch(detail: str) -> RenderingError:
    message = _("PDF 的結構與表格版面不符（%(detail)s），未產生 PDF。")
    return RenderingError(message % {"detail": detail})
