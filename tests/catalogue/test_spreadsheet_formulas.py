"""No published or exported cell is a formula: one neutraliser, one writer stack, every line.

A formula is planted in every text column, on the first line of a single-line text and on a
later line of a multi-line one (the case the open data once skipped); the files are read
back as a spreadsheet would see them: CSV lines, the XLSX sheet XML, the ODS content XML.
"""

import csv
import datetime
import html
import io
import json
import re
import zipfile
from typing import Any

import pytest

from catalogue.models import Agency, Programme, Scope, Section, Strategy, Target
from catalogue.spreadsheet.cells import escape_formula, unescape_formula
from catalogue.spreadsheet.services import export_bulletin, import_bulletin
from publishing.rendering.document import Document
from publishing.rendering.opendata import render_csv, render_json, render_ods, render_xlsx
from publishing.snapshot import build_snapshot

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example","點我")'
STARTS = ("=", "+", "-", "@")
# A line a spreadsheet would run: a formula start, after blanks, or a tab or CR first.
LIVE = re.compile(r"^[ \u3000\xa0]*[=+\-@]|^[\t\r]")


@pytest.fixture
def planted(demo_bulletin: Any) -> Any:
    """A formula in every text column: names, titles, texts, targets, strategies, sections."""
    scope = Scope.objects.get(programme__bulletin=demo_bulletin, programme__serial=1, order=1)
    # (An agency's name holds no comma: the 部會/機關 cell separates names with it.)
    Agency.objects.filter(pk=scope.agencies.first().pk).update(name='+HYPERLINK("http://x")')
    Programme.objects.filter(pk=scope.programme_id).update(name=FORMULA)
    Scope.objects.filter(pk=scope.pk).update(
        title="@" + FORMULA[1:],
        description="包括晶片設計\n" + FORMULA,
        headline="-" + FORMULA[1:],
        note="備註第一行\n  =1+1\n'=已有引號",
    )
    Target.objects.filter(scope=scope, order=2).update(text=FORMULA)
    Strategy.objects.filter(scope=scope, order=1).update(heading=FORMULA, items=f"項目\n{FORMULA}")
    Section.objects.create(scope=scope, order=1, heading="-" + FORMULA[1:], items=FORMULA)
    return demo_bulletin


def _live_lines(texts: list[str]) -> list[str]:
    return [line for text in texts for line in text.split("\n") if LIVE.match(line)]


def _csv_texts(content: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row]


def _xlsx_texts(content: bytes) -> list[str]:
    """The strings of the workbook, from its XML; and no cell that is a formula."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
        names = archive.namelist()
        shared = (
            archive.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in names else ""
        )
    assert not re.search(r"<f[ >/]", sheet), "a cell is a formula"
    for cell in re.findall(r"<c [^>]*>", sheet):
        kind = re.search(r' t="([^"]+)"', cell)
        assert kind is None or kind[1] in ("n", "s", "inlineStr"), cell
    strings = re.findall(r"<t[^>]*>(.*?)</t>", sheet + shared, re.S)
    return [_unxml(text) for text in strings]


def _ods_texts(content: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = archive.read("content.xml").decode("utf-8")
    assert "table:formula" not in xml
    # Every paragraph of a cell is a line, as LibreOffice reads it.
    return [_unxml(re.sub(r"<[^>]+>", "", p)) for p in re.findall(r"<text:p>(.*?)</text:p>", xml)]


def _unxml(text: str) -> str:
    # Named and numeric references alike: with lxml installed, openpyxl writes every
    # non-ASCII character as &#NNNNN;.
    return html.unescape(text)


READERS = {"csv": _csv_texts, "xlsx": _xlsx_texts, "ods": _ods_texts}


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "ods"])
def test_the_editors_sheet_has_no_live_formula_in_any_line_of_any_cell(
    planted: Any, file_format: str
) -> None:
    texts = READERS[file_format](export_bulletin(bulletin=planted, file_format=file_format))
    assert any(FORMULA[1:] in text for text in texts)  # the planted texts are there, inert
    assert _live_lines(texts) == []


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "ods", "json"])
def test_the_editors_sheet_with_formulas_imports_back_unchanged(
    planted: Any, editor: Any, file_format: str
) -> None:
    snapshot = build_snapshot(planted)
    content = export_bulletin(bulletin=planted, file_format=file_format)
    plan = import_bulletin(
        bulletin=planted,
        content=content,
        file_name=f"x.{file_format}",
        user=editor,
        allow_delete=True,
    )
    assert plan.change_count == 0
    assert build_snapshot(planted) == snapshot


@pytest.mark.parametrize(
    ("file_format", "render"), [("csv", render_csv), ("xlsx", render_xlsx), ("ods", render_ods)]
)
def test_the_open_data_has_no_live_formula_in_any_line_of_any_cell(
    planted: Any, file_format: str, render: Any
) -> None:
    document = Document(build_snapshot(planted), datetime.date(2025, 12, 30))
    texts = READERS[file_format](render(document))
    assert sum(FORMULA[1:] in text for text in texts) >= 8
    assert _live_lines(texts) == []


def test_the_open_data_json_keeps_the_formula_text_as_it_was(planted: Any) -> None:
    document = Document(build_snapshot(planted), datetime.date(2025, 12, 30))
    first = json.loads(render_json(document))["rows"][0]
    assert first["programme_name"] == FORMULA
    assert first["strategies"][0]["heading"] == FORMULA
    assert first["scope_description"] == "包括晶片設計\n" + FORMULA


@pytest.mark.parametrize(
    "text",
    ["=1", "a\n=b", "a\n  +b", "\tx", "'=already", "''-two", "'plain", "plain", "", "x\n'@\n"],
)
def test_the_neutraliser_is_undone_exactly_by_the_importer(text: str) -> None:
    escaped = escape_formula(text)
    assert unescape_formula(escaped) == text
    assert _live_lines([escaped]) == []


def test_a_line_that_does_not_start_like_a_formula_is_left_alone() -> None:
    assert escape_formula("半導體 = 晶片\n1+1\n• -項目") == "半導體 = 晶片\n1+1\n• -項目"
