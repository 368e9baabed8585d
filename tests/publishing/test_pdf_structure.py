"""The PDF as a screen reader meets it: its structure tree, walked with pikepdf.

One PDF of the demo bulletin is rendered for the whole module.
"""

import datetime
import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pdfua
import pikepdf
import pypdf
import pytest
from demo_pdf import demo_snapshot, write_pdf

from publishing.exceptions import RenderingError
from publishing.rendering.document import Document
from publishing.rendering.pdf import compile_pdf, typst_inputs
from publishing.rendering.table import pdf_rows
from publishing.rendering.tagging import tag_table

pytestmark = [
    # The module's one PDF is rendered from the demo bulletin, loaded and rolled back once;
    # the mark has pytest-django set the test database up.
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed"),
]


@pytest.fixture(scope="module")
def rendered(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, Any]]:
    snapshot = demo_snapshot(django_db_blocker)
    return write_pdf(snapshot, tmp_path_factory.mktemp("structure") / "bulletin.pdf"), snapshot


@pytest.fixture(scope="module")
def pdf(rendered: tuple[Path, dict[str, Any]]) -> Iterator[pikepdf.Pdf]:
    with pikepdf.open(rendered[0]) as document:
        yield document


def _kids(node: Any) -> list[Any]:
    kids = node.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _elements(node: Any) -> Iterator[pikepdf.Dictionary]:
    """Every structure element under node, in the tree's (reading) order."""
    for kid in _kids(node):
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from _elements(kid)


def _role(element: pikepdf.Dictionary) -> str:
    return str(element.S)[1:]


def _table_attribute(cell: pikepdf.Dictionary, key: str) -> Any:
    attributes = cell.get("/A")
    if attributes is None:
        return None
    entries = attributes if isinstance(attributes, pikepdf.Array) else [attributes]
    for entry in entries:
        if isinstance(entry, pikepdf.Dictionary) and entry.get("/O") == "/Table":
            return entry.get(key)
    return None


def _scope_count(snapshot: dict[str, Any]) -> int:
    return sum(len(p["scopes"]) for p in snapshot["programmes"])


def _rows(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    return [e for e in _elements(pdf.Root.StructTreeRoot) if _role(e) == "TR"]


def _tagged_and_artifact_text(path: Path) -> tuple[str, str]:
    """The text painted inside tagged marked content, and the text painted as artifacts."""
    tagged: list[str] = []
    artifacts: list[str] = []
    for page in pypdf.PdfReader(path).pages:
        stack: list[bool] = []  # True: inside an artifact

        def before(operator: bytes, operands: list[Any], *_: Any, stack: list = stack) -> None:
            if operator in (b"BDC", b"BMC"):
                stack.append(bool(stack and stack[-1]) or operands[0] == "/Artifact")
            elif operator == b"EMC":
                stack.pop()

        def text(value: str, *_: Any, stack: list = stack) -> None:
            # Text outside any marked content is not read either (and PDF/UA forbids it).
            (artifacts if not stack or stack[-1] else tagged).append(value)

        page.extract_text(visitor_operand_before=before, visitor_text=text)
    return _squeezed("".join(tagged)), _squeezed("".join(artifacts))


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_table_has_one_row_per_scope_after_the_column_header(
    pdf: pikepdf.Pdf, rendered: tuple[Path, dict[str, Any]]
) -> None:
    rows = _rows(pdf)
    assert len(rows) == 1 + _scope_count(rendered[1])
    header, body = rows[0], rows[1:]
    assert [_role(c) for c in _kids(header)] == ["TH"] * 5
    assert all(_table_attribute(c, "/Scope") == "/Column" for c in _kids(header))
    assert all("TD" in {_role(c) for c in _kids(row)} for row in body)


def test_programme_and_scope_cells_are_row_headers(
    pdf: pikepdf.Pdf, rendered: tuple[Path, dict[str, Any]]
) -> None:
    snapshot = rendered[1]
    body = _rows(pdf)[1:]
    row_headers = [[c for c in _kids(row) if _role(c) == "TH"] for row in body]
    assert all(_table_attribute(c, "/Scope") == "/Row" for r in row_headers for c in r)
    firsts = [r["first_in_programme"] for r in pdf_rows(snapshot)]
    # The programme's name heads its first row (spanning its scopes), the scope each row.
    assert [len(r) for r in row_headers] == [2 if first else 1 for first in firsts]
    programme_cells = [r[0] for r, first in zip(row_headers, firsts, strict=True) if first]
    spans = [int(_table_attribute(c, "/RowSpan") or 1) for c in programme_cells]
    assert spans == [len(p["scopes"]) for p in snapshot["programmes"]]
    # Each data cell names its column, its programme and its scope as its headers.
    agencies = [c for c in _kids(body[1]) if _role(c) == "TD"][0]
    headers = [str(h) for h in _table_attribute(agencies, "/Headers")]
    assert headers[1:] == [str(programme_cells[0].ID), str(row_headers[1][0].ID)]


def test_every_row_fills_the_five_columns_once_spans_are_counted(pdf: pikepdf.Pdf) -> None:
    widths, carried = [], [0] * 5
    for row in _rows(pdf)[1:]:
        column = 0
        for cell in _kids(row):
            while carried[column]:
                column += 1
            span = int(_table_attribute(cell, "/RowSpan") or 1)
            for _ in range(int(_table_attribute(cell, "/ColSpan") or 1)):
                carried[column] = span
                column += 1
        widths.append(sum(1 for c in carried if c))
        carried = [max(0, c - 1) for c in carried]
    assert set(widths) == {5}
    assert carried == [0] * 5


def test_lists_are_tagged_with_their_bullets_as_labels(
    pdf: pikepdf.Pdf, rendered: tuple[Path, dict[str, Any]]
) -> None:
    items = [e for e in _elements(pdf.Root.StructTreeRoot) if _role(e) == "LI"]
    assert all([_role(k) for k in _kids(i) if "/S" in k] == ["Lbl", "LBody"] for i in items)
    expected = sum(
        len(s["targets"]) + sum(len(part["items"]) for part in s["strategies"] + s["sections"])
        for p in rendered[1]["programmes"]
        for s in p["scopes"]
    )
    assert len(items) == expected
    assert not [e for e in _elements(pdf.Root.StructTreeRoot) if _role(e) in ("Div", "Span")]


def test_the_continuation_label_is_printed_but_not_read(
    rendered: tuple[Path, dict[str, Any]],
) -> None:
    path, snapshot = rendered
    second = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-f", "2", "-l", "2", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "（續）" in second
    tagged, artifacts = _tagged_and_artifact_text(path)
    assert "（續）" not in tagged and "（續）" in artifacts
    # The repeated column header and programme names are artifacts: read once each.
    assert tagged.count("認定方式") == 1
    for programme in snapshot["programmes"]:
        label = _squeezed(f"{programme['name']} ({programme['period_display']})")
        assert tagged.count(label) == 1, label
    first = snapshot["programmes"][0]
    assert _squeezed(f"{first['name']} ({first['period_display']})（續）") in artifacts


def test_each_page_paints_its_content_in_the_order_of_the_structure_tree(
    pdf: pikepdf.Pdf,
) -> None:
    pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
    in_tree: dict[int, list[int]] = {index: [] for index in pages.values()}

    def walk(node: Any, page: int | None) -> None:
        page = pages[node.Pg.objgen] if "/Pg" in node else page
        for kid in _kids(node):
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                in_tree[pages[kid.Pg.objgen] if "/Pg" in kid else page].append(int(kid.MCID))
            elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                walk(kid, page)
            elif not isinstance(kid, pikepdf.Dictionary):
                in_tree[page].append(int(kid))

    walk(pdf.Root.StructTreeRoot, None)
    for index, page in enumerate(pdf.pages):
        painted = [
            int(operands[1].MCID)
            for operands, operator in pikepdf.parse_content_stream(page)
            if operator == pikepdf.Operator("BDC")
            and isinstance(operands[1], pikepdf.Dictionary)
            and "/MCID" in operands[1]
        ]
        assert painted and painted == in_tree[index], f"page {index + 1}"


def test_the_pdfua_checker_finds_nothing(rendered: tuple[Path, dict[str, Any]]) -> None:
    # pdfua checks the machine-checkable subset of PDF/UA-1 (catalogue, metadata, tags,
    # structure types, fonts, alternative texts...), not the whole standard.
    report = pdfua.validate(str(rendered[0]))
    assert report.findings == ()
    ran = {o.rule_id for o in report.outcomes if o.skipped_reason is None}
    assert {"UA-01-005", "UA-06-001", "UA-07-001", "UA-13-004", "UA-28-004"} <= ran


def _bookmark_pages(pdf: pikepdf.Pdf) -> list[int]:
    pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
    found = []
    item = pdf.Root.Outlines.get("/First") if "/Outlines" in pdf.Root else None
    while item is not None:
        found.append(pages[item.Dest[0].objgen])
        item = item.get("/Next")
    return found


def test_each_programme_has_one_bookmark_on_the_page_where_it_starts(
    pdf: pikepdf.Pdf, rendered: tuple[Path, dict[str, Any]]
) -> None:
    pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
    headings = [e for e in _elements(pdf.Root.StructTreeRoot) if _role(e) == "H1"]
    assert len(headings) == len(rendered[1]["programmes"])
    assert _bookmark_pages(pdf) == [pages[h.Pg.objgen] for h in headings]


@pytest.fixture(scope="module")
def compiled(rendered: tuple[Path, dict[str, Any]]) -> tuple[bytes, list[dict[str, Any]]]:
    """Typst's PDF of the same bulletin before tagging, and the rows tagging fits it to."""
    document = Document(rendered[1], datetime.date(2025, 12, 30))
    data, inputs = typst_inputs(document)
    return compile_pdf(document, inputs), data["rows"]


def test_typst_bookmarks_the_sub_headers_repeats_and_tagging_drops_them(
    compiled: tuple[bytes, list[dict[str, Any]]], rendered: tuple[Path, dict[str, Any]]
) -> None:
    # Why tagging edits the bookmarks: the template's sub-header is the same on every page.
    pdf, rows = compiled
    programmes = len(rendered[1]["programmes"])
    with pikepdf.open(io.BytesIO(pdf)) as raw:
        assert len(_bookmark_pages(raw)) > programmes
    with pikepdf.open(io.BytesIO(tag_table(pdf, rows))) as tagged:
        assert len(_bookmark_pages(tagged)) == programmes


def test_tagging_refuses_a_pdf_without_the_programmes_bookmarks(
    compiled: tuple[bytes, list[dict[str, Any]]],
) -> None:
    pdf, rows = compiled
    with pikepdf.open(io.BytesIO(pdf)) as document:
        del document.Root["/Outlines"]
        out = io.BytesIO()
        document.save(out)
    with pytest.raises(RenderingError, match="bookmarks"):
        tag_table(out.getvalue(), rows)


def test_tagging_refuses_a_tree_that_does_not_match_the_layout(
    rendered: tuple[Path, dict[str, Any]],
) -> None:
    path, snapshot = rendered
    with pytest.raises(RenderingError):
        tag_table(path.read_bytes(), pdf_rows(snapshot)[1:])


def test_the_page_numbers_are_artifacts(rendered: tuple[Path, dict[str, Any]]) -> None:
    # PDF/UA-1 7.8: page headers and footers are artifacts, not read as content.
    tagged, artifacts = _tagged_and_artifact_text(rendered[0])
    assert "第1頁，共" in artifacts and "第1頁" not in tagged
