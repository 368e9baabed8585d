"""The PDF's table as a screen reader should read it: row headers and merged cells.

Typst (0.15, Python wheel) tags the table with one TR per row and TH only for header rows:
row headers (`pdf.header-cell(scope: "row")`) need its `a11y-extras` feature, which the wheel
does not expose. And the template draws no cell that spans rows, because Typst lays such a cell
out after the rows it spans, out of reading order (table.pdf_rows). So this step edits the
structure tree of the compiled PDF, and nothing else (no content stream, no metadata):

- the empty TR that each programme's repeated sub-header leaves where the programme starts
  (its repeats on continued pages are artifacts already) is dropped, as is the footer's TR
  (a rule that closes the table on each page);
- in each scope's row the programme's name and the scope become row headers (TH, /Scope /Row);
- the cells that the template left empty under a programme or a shared recognition text are
  dropped and the cell above gets a /RowSpan, as the HTML table merges them;
- every cell names its headers (/Headers): its column, its programme, its scope.

The layout comes from the same rows the template read (table.pdf_rows); where the tree does not
match them, the PDF is refused rather than mis-tagged.
"""

import io
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
    column_ids, body = _rows(table, ids)
    if len(body) != len(rows):
        raise _mismatch(f"{len(body)} body rows for {len(rows)} scopes")
    programme_id = ""
    for index, (tr, row) in enumerate(zip(body, rows, strict=True)):
        cells = _kids(tr)
        if len(cells) != COLUMNS:
            raise _mismatch(f"row {index} has {len(cells)} cells")
        if row["first_in_programme"]:
            programme_id = f"programme-{row['programme']}"
            _span(cells[SERIAL], row["spans"]["programme"])
            _span(cells[PROGRAMME], row["spans"]["programme"])
            _row_header(cells[PROGRAMME], programme_id, ids)
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
    out = io.BytesIO()
    # deterministic_id: the same snapshot gives the same bytes (the published SHA-256).
    document.save(out, deterministic_id=True)
    return out.getvalue()


def _rows(table: pikepdf.Dictionary, ids: pikepdf.NameTree) -> tuple[list[str], list[Any]]:
    """The column headers' ids and the body rows; empty programme sub-header rows dropped."""
    column_ids: list[str] = []
    body: list[Any] = []
    sections = []
    for section in _kids(table):
        trs = []
        for tr in _kids(section):
            cells = _kids(tr)
            if not column_ids:
                column_ids = [str(cell.ID) for cell in cells]
                trs.append(tr)
            elif not any(_kids(cell) for cell in cells):
                # An empty sub-header where its programme starts, or the footer's rule.
                for cell in cells:
                    if "/ID" in cell and str(cell.ID) in ids:
                        del ids[str(cell.ID)]
            else:
                trs.append(tr)
                if section.S == "/TBody":
                    body.append(tr)
        if trs:
            section.K = pikepdf.Array(trs)
            sections.append(section)
    table.K = pikepdf.Array(sections)
    if len(column_ids) != COLUMNS:
        raise _mismatch(f"{len(column_ids)} column headers")
    return column_ids, body


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
