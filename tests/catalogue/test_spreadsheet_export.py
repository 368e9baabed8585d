"""The sheet export: the resource's own cells, read without a model instance per row, and the
XLSX written as text with the layout it always had."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue.models import Agency, Bulletin, Programme, Scope, Section, Strategy, Target
from catalogue.spreadsheet.resources import (
    ScopeSheetResource,
    column_widths,
    export_dataset,
    export_rows,
    scopes_for_export,
)
from catalogue.spreadsheet.services import export_bulletin
from catalogue.spreadsheet.writers import write_xlsx

EXPORT = reverse("admin:catalogue_programme_spreadsheet_export")


def add_programme(bulletin: Bulletin, serial: int, **period: object) -> Programme:
    """A programme with two scopes whose cells use every part of the grammar."""
    programme = Programme.objects.create(
        bulletin=bulletin, serial=serial, name=f"測試方案 {serial}", **period
    )
    agencies = list(Agency.objects.order_by("pk")[:3])
    for order in (1, 2):
        scope = Scope.objects.create(
            programme=programme,
            order=order,
            title="" if order == 2 else "測試",
            description=f"=說明 {serial}-{order}\n+第二行",
            headline="@願景" if order == 1 else "",
            note="-備註\n  縮排的一行 ",
        )
        scope.set_agencies(agencies[::-1] if order == 1 else agencies[:1])
        # Created out of order: the sheet lists parts by their order, not by their key.
        Target.objects.create(scope=scope, order=2, text="產值〔數值：5〕", value=None)
        Target.objects.create(
            scope=scope, order=1, text="占有率", value=Decimal("2.5"), unit="%", deadline_year=117
        )
        Strategy.objects.create(scope=scope, order=2, heading="後", items="甲\n\n  乙  \n")
        Strategy.objects.create(scope=scope, order=1, heading="前", items="")
        Section.objects.create(scope=scope, order=1, heading="區域", items="北部\n南部")
    return programme


@pytest.fixture
def varied_bulletin(demo_bulletin: Bulletin) -> Bulletin:
    """The demo bulletin, plus programmes with open ends, reordered agencies and parts, formula
    look-alikes and blank lines; and another bulletin whose rows must stay out of its sheet."""
    add_programme(demo_bulletin, 90, period_start=106, open_end="迄今")
    add_programme(demo_bulletin, 91, period_start=114, period_end=114)
    other = Bulletin.objects.create(
        title="另一份彙整表", slug="other", issuing_agency=demo_bulletin.issuing_agency
    )
    add_programme(other, 1, period_start=113, period_end=117)
    return demo_bulletin


def resource_dataset(bulletin: Bulletin) -> tuple[list[str], list[list[object]]]:
    """The sheet as django-import-export makes it from model instances, the reference."""
    dataset = ScopeSheetResource().export(queryset=list(scopes_for_export(bulletin)))
    return dataset.headers, [list(row) for row in dataset]


def test_the_export_has_the_cells_the_resource_makes_from_model_instances(varied_bulletin):
    headers, rows = resource_dataset(varied_bulletin)
    assert len(rows) == 24

    dataset = export_dataset(varied_bulletin)
    streamed_headers, streamed = export_rows(varied_bulletin)

    assert dataset.headers == streamed_headers == headers
    assert [list(row) for row in dataset] == list(streamed) == rows
    # The same types too: numbers stay numbers, so that the writers type them as such.
    assert [[type(cell) for cell in row] for row in dataset] == [
        [type(cell) for cell in row] for row in rows
    ]


def test_the_exported_rows_read_parts_in_their_order_and_agencies_in_the_scopes_order(
    varied_bulletin,
):
    headers, rows = export_rows(varied_bulletin)
    row = next(r for r in rows if r[0] == 90)
    cells = dict(zip(headers, row, strict=True))
    names = [a.name for a in Agency.objects.order_by("pk")[:3]]
    assert cells["實施期間"] == "106年-迄今"
    assert cells["部會/機關"] == "、".join(names[::-1])
    assert cells["推動目標"] == "占有率〔數值：2.5；單位：%；目標年：117〕\n產值〔數值：5〕〔〕"
    assert cells["推動策略"] == "■ 前\n■ 後\n• 甲\n• 乙"
    assert cells["範疇識別碼"] == Scope.objects.get(programme__serial=90, order=1).pk


def test_the_xlsx_reads_back_as_the_csv(varied_bulletin):
    workbook = openpyxl.load_workbook(
        io.BytesIO(export_bulletin(bulletin=varied_bulletin, file_format="xlsx"))
    )
    texts = [
        ["" if value is None else str(value) for value in row]
        for row in workbook.active.iter_rows(values_only=True)
    ]
    content = export_bulletin(bulletin=varied_bulletin, file_format="csv")
    assert texts == list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert texts[-1][5].startswith("'=說明")  # made inert, as in every spreadsheet


def test_the_xlsx_has_a_bold_frozen_header_wrapped_cells_widths_and_a_description():
    headers = ["序號", "產業範疇說明", "其他"]
    content = write_xlsx(
        headers,
        [[1, "=1+1\n第二行", ""], [2, " 前後空白 ", "&<>"]],
        title="工作表",
        description="來源 & 授權",
        widths=column_widths(headers),
    )

    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook.active
    assert workbook.sheetnames == ["工作表"]
    assert workbook.properties.description == "來源 & 授權"
    assert sheet.freeze_panes == "A2"
    assert [cell.font.b for cell in sheet[1]] == [True, True, True]
    assert [c.value for c in sheet[1]] == headers
    assert [(c.value, c.data_type) for c in sheet[2]] == [
        (1, "n"),
        ("'=1+1\n第二行", "s"),
        (None, "n"),
    ]
    assert [c.value for c in sheet[3]] == [2, " 前後空白 ", "&<>"]
    for cell in (*sheet[2], *sheet[3]):
        assert (cell.alignment.wrap_text, cell.alignment.vertical, cell.font.b) == (
            True,
            "top",
            False,
        )
    widths = [sheet.column_dimensions[letter].width for letter in "ABC"]
    assert widths == [*(width * 2 for width in column_widths(headers[:2])), 32]
    assert sheet.dimensions == "A1:C3"


def test_the_same_rows_give_the_same_xlsx_bytes_at_any_time():
    rows = [[1, "一"], [2, "二"]]
    with time_machine.travel("2025-12-30 08:00 +0800", tick=False):
        first = write_xlsx(["序號", "名稱"], rows, title="表", description="說明")
    with time_machine.travel("2026-01-02 17:30 +0800", tick=False):
        second = write_xlsx(["序號", "名稱"], rows, title="表", description="說明")
    assert first == second


def test_a_sheet_name_replaces_what_excel_refuses_in_one():
    content = write_xlsx(["序號"], [[1]], title="'政策/產業[彙整]:表*?'")
    assert openpyxl.load_workbook(io.BytesIO(content)).sheetnames == ["政策_產業_彙整__表__"]


def test_a_sheet_without_a_title_is_named_as_the_bulletin_sheet():
    for title in (None, "", "''"):
        content = write_xlsx(["序號"], [[1]], title=title)
        assert openpyxl.load_workbook(io.BytesIO(content)).sheetnames == ["彙整表"]


def test_a_character_that_xml_cannot_carry_is_refused_rather_than_written():
    with pytest.raises(ValueError, match="U\\+0001"):
        write_xlsx(["序號"], [["a\x01b"]], title="表")


def _export_queries(client, bulletin: Bulletin, file_format: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(EXPORT, {"bulletin": bulletin.pk, "file_format": file_format})
        assert response.status_code == 200
        b"".join(response.streaming_content) if response.streaming else response.content
    return len(queries)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_export_runs_as_many_queries_for_more_scopes(
    client, approver, demo_bulletin, file_format
):
    client.force_login(approver)
    with CaptureQueriesContext(connection) as queries:
        export_rows(demo_bulletin)
    assert len(queries) == 6  # programmes, scopes, agencies, targets, strategies, sections
    before = _export_queries(client, demo_bulletin, file_format)

    for serial in range(50, 60):
        add_programme(demo_bulletin, serial, period_start=113, period_end=117)

    assert _export_queries(client, demo_bulletin, file_format) == before
