"""The sheet's columns are declared once, in its resource: the export, the import's preview
and its refusals, the spreadsheets' column widths and the editors' guide all follow it."""

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse

from catalogue.models import Programme, Scope
from catalogue.spreadsheet.formats import FORMATS
from catalogue.spreadsheet.resources import ScopeSheetResource, export_dataset
from catalogue.spreadsheet.services import export_bulletin, preview_import

pytestmark = pytest.mark.django_db

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "editors-spreadsheet.md"


def _columns() -> list[tuple[str, object]]:
    return [(field.column_name, field) for _name, field in ScopeSheetResource().columns]


def test_the_export_and_the_preview_show_the_resources_headers_in_its_order(demo_bulletin):
    dataset = export_dataset(demo_bulletin)
    row = list(dataset[0])
    row[dataset.headers.index("願景")] = "成為半導體強國"
    dataset[0] = row

    plan = preview_import(
        bulletin=demo_bulletin,
        content=FORMATS["csv"].export_data(dataset),
        file_name="edited.csv",
        allow_delete=False,
    )

    headers = [header for header, _field in _columns()]
    assert dataset.headers == headers
    assert [[cell.column for cell in preview.cells] for preview in plan.rows] == [headers] * len(
        plan.rows
    )
    assert plan.rows[0].changed_columns == ["願景"]
    changed = plan.rows[0].cells[headers.index("願景")]
    assert (changed.value, changed.old) == ("成為半導體強國", "成為全球半導體全供應鏈主導者")


def test_the_xlsx_and_the_ods_columns_have_the_widths_the_resource_declares(demo_bulletin):
    widths = [field.width for _header, field in _columns()]

    xlsx = export_bulletin(bulletin=demo_bulletin, file_format="xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    letters = [cell.column_letter for cell in sheet[1]]
    assert [sheet.column_dimensions[letter].width for letter in letters] == [
        width * 2 for width in widths
    ]

    ods = export_bulletin(bulletin=demo_bulletin, file_format="ods")
    content = zipfile.ZipFile(io.BytesIO(ods)).read("content.xml").decode()
    assert re.findall(r'style:column-width="([^"]+)"', content) == [
        f"{width * 0.5}cm" for width in widths
    ]


def test_a_models_own_error_is_shown_on_the_column_of_its_field():
    resource = ScopeSheetResource()
    assert resource.error_column(Programme, "name") == "政策性產業"
    assert resource.error_column(Programme, "serial") == "序號"
    assert resource.error_column(Programme, "period_end") == "實施期間"
    assert resource.error_column(Programme, "__all__") == "實施期間"
    assert resource.error_column(Scope, "note") == "備註"
    assert resource.error_column(Scope, "__all__") == "產業範疇說明"


def test_the_editors_guide_lists_the_sheets_columns_in_order_and_which_are_required():
    text = GUIDE.read_text(encoding="utf-8")
    section = text.split("## 2. 試算表的欄位", 1)[1].split("\n## ", 1)[0]
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in section.splitlines()
        if line.startswith("|")
    ][2:]  # the header row and its rule

    assert [(row[0], row[2] == "是") for row in rows] == [
        (header, field.widget.required) for header, field in _columns()
    ]


def test_the_export_page_names_the_id_column_as_the_resource_does(client, approver, demo_bulletin):
    client.force_login(approver)
    response = client.get(reverse("admin:catalogue_programme_spreadsheet_export"))
    assert "請勿修改或刪除「範疇識別碼」欄" in response.content.decode()
