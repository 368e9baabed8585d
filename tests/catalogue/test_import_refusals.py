"""Bad input is refused with row, column and reason in Chinese, and nothing is written."""

from pathlib import Path

import pytest
import tablib

from catalogue.models import Agency, Bulletin, Programme, Scope, Section, Strategy, Target
from catalogue.spreadsheet.formats import FORMATS
from catalogue.spreadsheet.importer import ImportRefused
from catalogue.spreadsheet.resources import export_dataset
from catalogue.spreadsheet.services import export_bulletin, import_bulletin
from publishing.snapshot import build_snapshot

FILES = Path(__file__).parent / "files"
HISTORY_MODELS = (Agency, Bulletin, Programme, Scope, Target, Strategy, Section)


def state(bulletin) -> tuple:
    """Everything an import could touch: the catalogue, row counts, and every history table."""
    return (
        build_snapshot(bulletin),
        tuple(model.objects.count() for model in HISTORY_MODELS),
        tuple(model.history.count() for model in HISTORY_MODELS),
    )


def rows_of(bulletin) -> list[dict]:
    dataset = export_dataset(bulletin)
    return [dict(zip(dataset.headers, row, strict=True)) for row in dataset]


def csv_of(rows: list[dict], headers: list[str] | None = None) -> bytes:
    headers = headers or list(rows[0])
    dataset = tablib.Dataset(headers=headers)
    for row in rows:
        dataset.append(list(row.values()))
    return FORMATS["csv"].export_data(dataset)


def refusal(bulletin, user, content: bytes, file_name: str = "edited.csv") -> list[str]:
    """Import the file, expect a refusal, check nothing changed; return the messages."""
    before = state(bulletin)
    with pytest.raises(ImportRefused) as refused:
        import_bulletin(
            bulletin=bulletin,
            content=content,
            file_name=file_name,
            user=user,
            allow_delete=True,
        )
    assert state(bulletin) == before
    return [str(error) for error in refused.value.errors]


@pytest.mark.parametrize("file_name", ["empty.csv", "empty.xlsx", "empty.ods", "empty.json"])
def test_an_empty_file_is_refused(demo_bulletin, editor, file_name):
    assert refusal(demo_bulletin, editor, b"", file_name) == ["檔案是空的。"]


def test_a_file_with_headers_but_no_rows_is_refused(demo_bulletin, editor):
    headers = export_dataset(demo_bulletin).headers
    content = FORMATS["csv"].export_data(tablib.Dataset(headers=headers))
    assert refusal(demo_bulletin, editor, content) == ["檔案中沒有任何資料列。"]


@pytest.mark.parametrize(
    "file_name", ["picture.xlsx", "picture.ods", "picture.csv", "picture.json"]
)
def test_a_picture_renamed_as_a_spreadsheet_is_refused(demo_bulletin, editor, file_name):
    content = (FILES / "not-a-spreadsheet.png").read_bytes()
    (message,) = refusal(demo_bulletin, editor, content, file_name)
    assert "無法" in message or "不是" in message


@pytest.mark.parametrize("file_format", ["xlsx", "ods"])
def test_a_truncated_workbook_is_refused(demo_bulletin, editor, file_format):
    content = export_bulletin(bulletin=demo_bulletin, file_format=file_format)
    (message,) = refusal(demo_bulletin, editor, content[: len(content) // 2], f"cut.{file_format}")
    assert "已經損毀" in message


def test_an_unsupported_file_type_is_refused(demo_bulletin, editor):
    (message,) = refusal(demo_bulletin, editor, b"a,b\n1,2\n", "notes.txt")
    assert "請匯入 CSV、XLSX、ODS 或 JSON 檔" in message


def test_a_file_over_the_size_limit_is_refused(demo_bulletin, editor, settings):
    settings.CATALOGUE_IMPORT_MAX_BYTES = 1024
    content = export_bulletin(bulletin=demo_bulletin, file_format="csv")
    (message,) = refusal(demo_bulletin, editor, content)
    assert "超過上限 0.0 MB" in message or "超過上限" in message


def test_wrong_and_missing_headers_are_named(demo_bulletin, editor):
    rows = rows_of(demo_bulletin)
    headers = ["願景目標" if h == "願景" else h for h in rows[0]]
    assert refusal(demo_bulletin, editor, csv_of(rows, headers)) == [
        "第 1 列：缺少欄位「願景」。",
        "第 1 列：無法辨識的欄位「願景目標」。",
    ]


def test_a_missing_required_value_names_row_and_column(demo_bulletin, editor):
    rows = rows_of(demo_bulletin)
    rows[1]["產業範疇說明"] = ""
    rows[3]["序號"] = ""
    assert refusal(demo_bulletin, editor, csv_of(rows)) == [
        "第 3 列「產業範疇說明」欄：必填，不可空白。",
        "第 5 列「序號」欄：必填，不可空白。",
    ]


def test_an_unknown_agency_is_an_error_never_dropped(demo_bulletin, editor):
    rows = rows_of(demo_bulletin)
    rows[0]["部會/機關"] = "經濟部、經濟不"
    (message,) = refusal(demo_bulletin, editor, csv_of(rows))
    assert message.startswith("第 2 列「部會/機關」欄：找不到部會或機關「經濟不」")


def test_the_same_id_twice_is_refused(demo_bulletin, editor):
    rows = rows_of(demo_bulletin)
    rows[2]["範疇識別碼"] = rows[0]["範疇識別碼"]
    (message,) = refusal(demo_bulletin, editor, csv_of(rows))
    assert message == (
        f"第 4 列「範疇識別碼」欄：範疇識別碼 {rows[0]['範疇識別碼']} 已在第 2 列出現；"
        "每個產業範疇只能有一列。"
    )


def test_an_id_from_nowhere_is_refused(demo_bulletin, editor):
    rows = rows_of(demo_bulletin)
    rows[0]["範疇識別碼"] = 987654
    (message,) = refusal(demo_bulletin, editor, csv_of(rows))
    assert message.startswith("第 2 列「範疇識別碼」欄：範疇識別碼 987654 不是這份彙整表的產業範疇")


def test_a_serial_that_clashes_with_another_programme_is_refused(demo_bulletin, editor):
    rows = rows_of(demo_bulletin)
    index = next(i for i, row in enumerate(rows) if row["序號"] == 3)
    rows[index]["序號"] = 1
    (message,) = refusal(demo_bulletin, editor, csv_of(rows))
    assert message.startswith(
        f"第 {index + 2} 列「政策性產業」欄："
        "序號 1 已在第 2 列用於政策性產業「五大信賴產業推動方案」"
    )


def test_text_over_a_field_limit_is_refused(demo_bulletin, editor):
    rows = rows_of(demo_bulletin)
    rows[0]["範疇名稱"] = "長" * 201
    rows[1]["推動策略"] = "■ " + "長" * 301
    messages = refusal(demo_bulletin, editor, csv_of(rows))
    assert messages[0] == "第 2 列「範疇名稱」欄：超過 200 字的上限（目前 201 字）。"
    assert messages[1] == "第 3 列「推動策略」欄：第 1 項：標題超過 300 字的上限（目前 301 字）。"


def test_an_unreadable_period_names_the_cell(demo_bulletin, editor):
    rows = rows_of(demo_bulletin)
    for row in rows[:5]:
        row["實施期間"] = "明年起"
    messages = refusal(demo_bulletin, editor, csv_of(rows))
    assert len(messages) == 5
    assert messages[0].startswith("第 2 列「實施期間」欄：無法辨識實施期間「明年起」")


def test_data_outside_the_header_columns_is_refused(demo_bulletin, editor):
    content = export_bulletin(bulletin=demo_bulletin, file_format="csv")
    lines = content.decode("utf-8-sig").split("\r\n")
    lines[1] += ",多出來的"
    (message,) = refusal(demo_bulletin, editor, "\r\n".join(lines).encode("utf-8-sig"))
    assert message.startswith("第 2 列：標題列以外的欄位有資料")


def test_every_problem_is_listed_at_once(demo_bulletin, editor):
    rows = rows_of(demo_bulletin)
    rows[0]["部會/機關"] = "不存在部"
    rows[1]["產業範疇說明"] = ""
    rows[2]["推動目標"] = "目標〔數值：很多〕"
    messages = refusal(demo_bulletin, editor, csv_of(rows))
    assert [m.split("欄")[0] for m in messages] == [
        "第 2 列「部會/機關」",
        "第 3 列「產業範疇說明」",
        "第 4 列「推動目標」",
    ]


def test_a_big5_csv_is_read_as_big5_and_says_so(demo_bulletin, editor):
    rows = [row for row in rows_of(demo_bulletin) if _big5_encodable(row)]
    rows[0]["產業範疇說明"] = "包括晶片設計、晶圓代工及封裝測試。"
    scope = Scope.objects.get(pk=rows[0]["範疇識別碼"])
    text = FORMATS["csv"].export_data(_dataset(rows)).decode("utf-8-sig")

    plan = import_bulletin(
        bulletin=demo_bulletin,
        content=text.encode("cp950"),
        file_name="excel-big5.csv",
        user=editor,
        allow_delete=False,
    )

    assert plan.notes == ["這個 CSV 檔不是 UTF-8 編碼，已依 Big5（cp950）編碼讀取。"]
    scope.refresh_from_db()
    assert scope.description == "包括晶片設計、晶圓代工及封裝測試。"
    assert plan.change_count == 1


def _big5_encodable(row: dict) -> bool:
    try:
        "".join(str(value) for value in row.values()).encode("cp950")
    except UnicodeEncodeError:
        return False
    return True


def _dataset(rows: list[dict]) -> tablib.Dataset:
    dataset = tablib.Dataset(headers=list(rows[0]))
    for row in rows:
        dataset.append(list(row.values()))
    return dataset


def test_a_json_file_that_is_not_a_list_of_rows_is_refused(demo_bulletin, editor):
    (message,) = refusal(demo_bulletin, editor, b'{"a": 1}', "rows.json")
    assert message == "JSON 檔須為物件的陣列，每個物件是一列，鍵為欄位名稱。"
