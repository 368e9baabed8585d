"""Open data: CSV with a BOM, XLSX, ODS and JSON, one row per scope, formulas neutralised."""

import csv
import datetime
import io
import json
import zipfile
from typing import Any

import openpyxl
import pytest

from catalogue.models import Scope
from catalogue.spreadsheet.writers import sheet_cell
from publishing.rendering.document import Document
from publishing.rendering.opendata import (
    render_csv,
    render_json,
    render_ods,
    render_xlsx,
)
from publishing.snapshot import build_snapshot

pytestmark = pytest.mark.django_db

COLUMNS = ["序號", "政策性產業", "部會/機關", "產業範疇", "認定方式"]
FORMULA = '=HYPERLINK("http://evil.example","點我")'


@pytest.fixture
def document(demo_bulletin: Any) -> Document:
    return Document(build_snapshot(demo_bulletin), datetime.date(2025, 12, 30), "說明")


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_is_utf8_with_a_bom_and_one_row_per_scope(document: Document) -> None:
    data = render_csv(document)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = _csv_rows(data)
    assert rows[0][:5] == COLUMNS
    assert len(rows) == 1 + Scope.objects.count() == 21
    assert rows[1][:3] == ["1", "五大信賴產業推動方案 (113-117年)", "經濟部"]
    assert "IC設計產業維持全球前2名" in rows[1][4]


def test_xlsx_has_the_same_rows_as_the_csv(document: Document) -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(render_xlsx(document))).active
    values = [[("" if v is None else v) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert values[0] == _csv_rows(render_csv(document))[0]
    assert len(values) == 21
    assert values[1][0] == 1  # numbers stay numbers


def test_ods_has_every_scope(document: Document) -> None:
    with zipfile.ZipFile(io.BytesIO(render_ods(document))) as archive:
        content = archive.read("content.xml").decode("utf-8")
    assert content.count("<table:table-row") == 21
    assert "【半導體】" in content


def test_json_keeps_stable_ids_and_structure(document: Document) -> None:
    data = json.loads(render_json(document))
    assert data["format"] == "policy-industries-open-data"
    assert data["edition"]["roc_date"] == "114.12.30"
    rows = data["rows"]
    assert [r["scope_id"] for r in rows] == list(
        Scope.objects.order_by("programme__serial", "order").values_list("pk", flat=True)
    )
    first = rows[0]
    assert first["targets"][1]["value"] == "50" and first["targets"][1]["unit"] == "%"
    assert first["agencies"][0]["name"] == "經濟部"
    assert [f["key"] for f in data["fields"]][:5] == [
        "serial",
        "programme",
        "agencies",
        "scope",
        "recognition",
    ]


def test_shared_recognition_text_is_repeated_and_points_to_its_scope(document: Document) -> None:
    rows = [r for r in json.loads(render_json(document))["rows"] if r["serial"] == 2]
    owner = rows[0]["scope_id"]
    assert [r["recognition_scope_id"] for r in rows] == [owner] * 4
    assert all(r["recognition"] == rows[0]["recognition"] for r in rows)


def test_open_data_is_byte_identical_when_rendered_twice(document: Document) -> None:
    assert render_csv(document) == render_csv(document)
    assert render_json(document) == render_json(document)


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_text_starting_like_a_formula_is_neutralised(start: str) -> None:
    assert sheet_cell(start + "1+1") == "'" + start + "1+1"
    assert sheet_cell("1+1") == "1+1"
    assert sheet_cell(-3) == -3


def test_formula_in_catalogue_text_is_neutralised_in_every_spreadsheet(demo_bulletin: Any) -> None:
    snapshot = build_snapshot(demo_bulletin)
    snapshot["programmes"][0]["scopes"][0]["title"] = ""
    snapshot["programmes"][0]["scopes"][0]["description"] = FORMULA
    document = Document(snapshot, datetime.date(2025, 12, 30))
    row = _csv_rows(render_csv(document))[1]
    assert row[3] == "'" + FORMULA
    sheet = openpyxl.load_workbook(io.BytesIO(render_xlsx(document))).active
    assert sheet.cell(row=2, column=4).value == "'" + FORMULA
    assert sheet.cell(row=2, column=4).data_type == "s"
    with zipfile.ZipFile(io.BytesIO(render_ods(document))) as archive:
        content = archive.read("content.xml").decode("utf-8")
    assert "table:formula" not in content
    assert "&apos;=HYPERLINK" in content or "'=HYPERLINK" in content
    # The JSON is data, not a spreadsheet: the text stays as it was written.
    assert json.loads(render_json(document))["rows"][0]["scope_description"] == FORMULA


# The open data documents itself: its fields, its dates and its licence.


def test_json_field_list_names_every_column_of_the_csv_and_every_key_of_a_row(
    document: Document,
) -> None:
    data = json.loads(render_json(document))
    header = _csv_rows(render_csv(document))[0]
    assert [f["label"] for f in data["fields"]] == header
    assert len(data["fields"]) == len(header) == 23
    keys = [f["key"] for f in data["fields"]]
    assert all(list(row) == keys for row in data["rows"])
    types = {f["key"]: f["type"] for f in data["fields"]}
    assert types["agencies"] == "array" and types["agency_ids"] == "array"
    assert data["rows"][0]["agency_ids"] == [a["id"] for a in data["rows"][0]["agencies"]]


def test_edition_date_is_given_in_iso_form_beside_the_roc_one(document: Document) -> None:
    rows = _csv_rows(render_csv(document))
    date = rows[0].index("版本日期")
    iso = rows[0].index("版本日期（西元）")
    assert {(row[date], row[iso]) for row in rows[1:]} == {("114.12.30", "2025-12-30")}
    row = json.loads(render_json(document))["rows"][0]
    assert (row["edition_date"], row["edition_date_iso"]) == ("114.12.30", "2025-12-30")


def test_the_licence_is_in_the_json_and_the_spreadsheets_but_the_csv_stays_a_table(
    document: Document,
) -> None:
    data = json.loads(render_json(document))
    assert data["license"]["title"] == "政府資料開放授權條款－第1版"
    assert data["license"]["path"] == "https://data.gov.tw/license"
    workbook = openpyxl.load_workbook(io.BytesIO(render_xlsx(document)))
    assert "政府資料開放授權條款－第1版" in workbook.properties.description
    assert "2025-12-30" in workbook.properties.description
    assert workbook.sheetnames == ["政策性產業彙整表"]
    with zipfile.ZipFile(io.BytesIO(render_ods(document))) as archive:
        meta = archive.read("meta.xml").decode("utf-8")
    assert "政府資料開放授權條款－第1版" in meta and "dc:description" in meta
    csv_text = render_csv(document).decode("utf-8-sig")
    assert "data.gov.tw" not in csv_text and len(_csv_rows(render_csv(document))) == 21


def test_the_open_data_page_explains_formats_addresses_and_licence(
    client: Any, published_edition: Any
) -> None:
    response = client.get("/data/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "http://testserver/latest.csv" in html
    assert "http://testserver/latest/datapackage.json" in html
    assert 'href="https://data.gov.tw/license" rel="license"' in html
    assert "frictionless validate" in html and "edition verify" in html
    assert 'lang="en"' in html and "CC BY 4.0" in html
    assert "edition_date_iso" in html
    # Every public page names the licence in its footer.
    page = client.get("/editions/2025-12-30/").content.decode()
    assert "政府資料開放授權條款－第1版" in page and 'href="/data/"' in page
