"""Hostile files are read within fixed limits and refused in Chinese, naming the limit, the
row and the column; nothing is written. The files are made on the fly (hostile_files.py);
time and memory are measured by hand with bench/import_limits.py, not here."""

import io
import os
import zipfile
from pathlib import Path

import hostile_files as hostile
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from test_import_refusals import refusal, rows_of, state

from catalogue.spreadsheet.formats import FORMATS
from catalogue.spreadsheet.resources import export_dataset
from catalogue.spreadsheet.services import export_bulletin, preview_import

IMPORT = reverse("admin:catalogue_programme_spreadsheet_import")
FORMULA = "此儲存格是公式，請改為文字"


def export(bulletin, file_format: str) -> bytes:
    return export_bulletin(bulletin=bulletin, file_format=file_format)


def with_note(bulletin, file_format: str, note: str) -> bytes:
    """The bulletin exported with the first row's 備註 (column K) set to note."""
    dataset = export_dataset(bulletin)
    row = list(dataset[0])
    row[dataset.headers.index("備註")] = note
    dataset[0] = row
    return FORMATS[file_format].export_data(dataset)


# ODS: repeats are counted, never expanded


def test_an_ods_of_95_mb_of_empty_cells_is_refused_by_its_unpacked_size(demo_bulletin, editor):
    content = hostile.ods_of_empty_cells(95 * 1024 * 1024)
    assert len(content) < 300 * 1024

    (message,) = refusal(demo_bulletin, editor, content, "bomb.ods")

    assert message == "檔案解壓縮後有 95.0 MB，超過 8.0 MB 的上限；請只保留彙整表的工作表。"


def test_an_ods_of_empty_cells_under_the_unpacked_limit_is_read_as_empty(demo_bulletin, editor):
    content = hostile.ods_of_empty_cells(2 * 1024 * 1024)
    assert refusal(demo_bulletin, editor, content, "empty.ods") == ["檔案是空的。"]


def test_an_ods_of_rows_repeated_a_million_times_is_refused_at_the_row_limit(demo_bulletin, editor):
    content = hostile.ods_of_repeated_rows(20_000, 1_048_576)
    assert len(content) < 20 * 1024

    messages = refusal(demo_bulletin, editor, content, "repeated.ods")

    assert messages == ["第 502 列：資料列超過 500 列的上限；請刪除多餘的列或分批匯入。"]


def test_empty_rows_repeated_a_million_times_cost_nothing_but_data_after_them_is_refused(
    demo_bulletin, editor
):
    empty = hostile.ods_of_repeated_empty_rows(20_000, 1_048_576)
    assert refusal(demo_bulletin, editor, empty, "padding.ods") == ["檔案是空的。"]

    row = f"<table:table-row>{hostile.text_cell('x')}</table:table-row>"
    content = hostile.ods_of_repeated_empty_rows(1, 3, then=row)
    table = FORMATS["ods"].read(content)
    assert table.headers == [] and table.rows[-1] == ["x"]  # the blank rows before it kept


def test_a_cell_repeated_past_the_column_limit_is_refused_with_its_column(demo_bulletin, editor):
    row = (
        "<table:table-row>"
        + hostile.text_cell("x", ' table:number-columns-repeated="51"')
        + "</table:table-row>"
    )
    messages = refusal(demo_bulletin, editor, hostile.ods([row]), "wide.ods")
    assert messages == ["第 1 列「AY」欄：有資料的欄位超過 50 欄的上限。"]


# XLSX: the dimension is checked and the rows read stop one past the limit


def test_an_xlsx_declaring_a_million_rows_is_refused(demo_bulletin, editor):
    content = hostile.xlsx_declaring_rows(export(demo_bulletin, "xlsx"), 1_048_576)
    (message,) = refusal(demo_bulletin, editor, content, "tall.xlsx")
    assert message == (
        "工作表的範圍是 1048576 列 12 欄，超過 500 列資料、50 欄的上限；"
        "請刪除多餘的列與欄後再匯入。"
    )


def test_an_xlsx_hiding_a_far_row_without_a_dimension_is_refused_at_the_row_limit(
    demo_bulletin, editor
):
    content = hostile.xlsx_without_dimension(export(demo_bulletin, "xlsx"), 1_048_576)
    (message,) = refusal(demo_bulletin, editor, content, "tall.xlsx")
    assert message == "第 502 列：資料列超過 500 列的上限；請刪除多餘的列或分批匯入。"


def test_too_many_shared_strings_are_refused_before_openpyxl_reads_them(
    demo_bulletin, editor, settings
):
    settings.CATALOGUE_IMPORT_MAX_CELLS = 100
    strings = b"<sst>" + b"<si><t>x</t></si>" * 101 + b"</sst>"
    content = hostile.xlsx_with_shared_strings(export(demo_bulletin, "xlsx"), strings)
    (message,) = refusal(demo_bulletin, editor, content, "strings.xlsx")
    assert message == "共用字串超過 100 個的上限（即儲存格的上限）。"


def test_an_archive_of_too_many_members_is_refused(demo_bulletin, editor, settings):
    settings.CATALOGUE_IMPORT_MAX_ARCHIVE_MEMBERS = 20
    extra = {f"customXml/item{n}.xml": b"<a/>" for n in range(20)}
    content = hostile.rezip(export(demo_bulletin, "xlsx"), extra)
    (message,) = refusal(demo_bulletin, editor, content, "many.xlsx")
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        count = len(archive.infolist())
    assert message == f"壓縮檔內有 {count} 個檔案，超過 20 個的上限。"


# Text per cell, in every format, with row and column


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "ods", "json"])
def test_a_one_megabyte_cell_is_refused_with_its_row_and_column(demo_bulletin, editor, file_format):
    # In CSV, past the csv module's own field limit (131,072): its error becomes ours.
    content = with_note(demo_bulletin, file_format, "字" * (1024 * 1024))
    messages = refusal(demo_bulletin, editor, content, f"long.{file_format}")
    where = "第 1 筆" if file_format == "json" else "第 2 列"
    assert messages == [f"{where}「備註」欄：儲存格文字超過 20000 字的上限，請縮短。"]


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "ods", "json"])
def test_a_cell_at_the_text_limit_is_read(demo_bulletin, settings, file_format):
    longest = max(len(str(cell)) for row in export_dataset(demo_bulletin) for cell in row)
    settings.CATALOGUE_IMPORT_MAX_CELL_CHARS = longest
    table = FORMATS[file_format].read(with_note(demo_bulletin, file_format, "字" * longest))
    assert table.rows[0][table.headers.index("備註")] == "字" * longest


# Rows, columns and cells in CSV and JSON


def test_rows_past_the_limit_are_refused_before_the_rest_of_the_file_is_read(
    demo_bulletin, editor, settings
):
    settings.CATALOGUE_IMPORT_MAX_ROWS = 5
    rows = rows_of(demo_bulletin)
    rows[15]["備註"] = "字" * 30_000  # would be refused on its own, but is never reached
    dataset = export_dataset(demo_bulletin)
    dataset.wipe()
    dataset.headers = list(rows[0])
    for row in rows:
        dataset.append(list(row.values()))
    content = FORMATS["csv"].export_data(dataset)

    messages = refusal(demo_bulletin, editor, content)

    assert messages == ["第 7 列：資料列超過 5 列的上限；請刪除多餘的列或分批匯入。"]


def test_a_value_past_the_column_limit_is_refused_with_its_column(demo_bulletin, editor):
    header, first, rest = export(demo_bulletin, "csv").split(b"\r\n", 2)
    content = b"\r\n".join([header, first + b"," * 40 + b"x", rest])
    messages = refusal(demo_bulletin, editor, content)
    assert messages == ["第 2 列「AZ」欄：有資料的欄位超過 50 欄的上限。"]


def test_cells_past_the_limit_are_refused(demo_bulletin, editor, settings):
    settings.CATALOGUE_IMPORT_MAX_CELLS = 50
    (message,) = refusal(demo_bulletin, editor, export(demo_bulletin, "csv"))
    assert message.endswith("有資料的儲存格超過 50 格的上限。")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"[" + b"{}," * 6000 + b"{}]", "JSON 檔超過 500 筆資料的上限。"),
        (b"[" * 10_000 + b"]" * 10_000, "JSON 檔超過 500 筆資料的上限。"),
        (
            b'[{"a": [' + b'"",' * 300_000 + b'""]}]',
            "JSON 檔的值超過 25000 個的上限（500 筆、每筆 50 欄）。",
        ),
    ],
    ids=["objects", "nesting", "values"],
)
def test_json_is_sized_before_it_becomes_python_objects(demo_bulletin, editor, content, expected):
    assert refusal(demo_bulletin, editor, content, "big.json") == [expected]


def test_deep_json_under_the_limits_is_refused_as_invalid_not_a_crash(
    demo_bulletin, editor, settings
):
    settings.CATALOGUE_IMPORT_MAX_ROWS = 10_000
    content = b"[" * 4000 + b"]" * 4000  # deeper than Python's recursion allows
    assert refusal(demo_bulletin, editor, content, "deep.json") == ["這個檔案不是有效的 JSON 檔。"]


# Formula cells


def test_an_xlsx_formula_with_a_cached_value_is_refused_with_row_and_column(demo_bulletin, editor):
    content = hostile.xlsx_with_cell(
        export(demo_bulletin, "xlsx"), "K3", '<c r="K3" t="str"><f>"備"&amp;"註"</f><v>備註</v></c>'
    )
    assert refusal(demo_bulletin, editor, content, "formula.xlsx") == [
        f"第 3 列「備註」欄：{FORMULA}"
    ]


def test_an_xlsx_formula_without_a_cached_value_is_refused_not_read_as_empty(demo_bulletin, editor):
    content = hostile.xlsx_with_cell(
        export(demo_bulletin, "xlsx"), "E2", '<c r="E2"><f>HYPERLINK("http://evil")</f></c>'
    )
    assert refusal(demo_bulletin, editor, content, "formula.xlsx") == [
        f"第 2 列「範疇名稱」欄：{FORMULA}"
    ]


def test_an_ods_formula_is_refused_with_row_and_column(demo_bulletin, editor):
    dataset = export_dataset(demo_bulletin)
    header = "".join(hostile.text_cell(h) for h in dataset.headers)
    row = (
        '<table:table-cell/><table:table-cell table:formula="of:=1+1" office:value-type="float"'
        ' office:value="2"><text:p>2</text:p></table:table-cell>'
    )
    content = hostile.ods(
        [
            f"<table:table-row>{header}</table:table-row>",
            f"<table:table-row>{row}</table:table-row>",
        ]
    )
    assert refusal(demo_bulletin, editor, content, "formula.ods") == [
        f"第 2 列「政策性產業」欄：{FORMULA}"
    ]


def test_text_that_only_looks_like_a_formula_is_not_a_formula_cell(demo_bulletin):
    table = FORMATS["xlsx"].read(with_note(demo_bulletin, "xlsx", "=1+1"))
    # A string cell, not <f>: read as the export wrote it (made inert with an apostrophe, which
    # the import takes off again).
    assert table.rows[0][table.headers.index("備註")] == "'=1+1"


# The command


def test_the_command_refuses_what_is_not_a_regular_file(demo_bulletin, editor):
    before = state(demo_bulletin)
    with pytest.raises(CommandError, match="/dev/zero 不是一般檔案，無法匯入"):
        call_command("import_bulletin", "/dev/zero", "--user", editor.username)
    assert state(demo_bulletin) == before


def test_the_command_refuses_a_named_pipe_without_waiting_for_a_writer(demo_bulletin, tmp_path):
    pipe = tmp_path / "sheet.csv"
    os.mkfifo(pipe)
    with pytest.raises(CommandError, match="不是一般檔案"):
        call_command("import_bulletin", str(pipe), "--dry-run")


def test_the_command_checks_the_size_before_reading(demo_bulletin, tmp_path, settings):
    settings.CATALOGUE_IMPORT_MAX_BYTES = 1024
    path = tmp_path / "big.csv"
    path.write_bytes(export(demo_bulletin, "csv"))
    with pytest.raises(CommandError, match="超過上限 0.0 MB"):
        call_command("import_bulletin", str(path), "--dry-run")


def test_the_command_still_reads_a_regular_file(demo_bulletin, tmp_path, capsys):
    path = tmp_path / "sheet.ods"
    path.write_bytes(export(demo_bulletin, "ods"))
    out = io.StringIO()
    call_command("import_bulletin", str(path), "--dry-run", stdout=out)
    assert "共 0 項變更" in out.getvalue()


# Uploads


def media_files(settings) -> list[Path]:
    return [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


@pytest.mark.parametrize("over", [1, 200 * 1024], ids=["just-over", "far-over"])
def test_an_upload_past_the_size_limit_is_stopped_and_never_stored(
    client, editor, demo_bulletin, settings, tmp_path, over
):
    settings.CATALOGUE_IMPORT_MAX_BYTES = 4096
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = (
        1024  # past this Django would spool to FILE_UPLOAD_TEMP_DIR
    )
    before = media_files(settings)
    client.force_login(editor)
    content = export(demo_bulletin, "csv")[:4096] + b"x" * over

    response = client.post(
        IMPORT, {"bulletin": demo_bulletin.pk, "file": SimpleUploadedFile("big.csv", content)}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "檔案超過 0.0 MB 的上限，請分批匯入或洽系統管理者。" in page
    assert media_files(settings) == before
    assert list(tmp_path.iterdir()) == []


def test_an_upload_at_the_size_limit_is_previewed(client, editor, demo_bulletin, settings):
    content = export(demo_bulletin, "csv")
    settings.CATALOGUE_IMPORT_MAX_BYTES = len(content)
    client.force_login(editor)
    response = client.post(
        IMPORT, {"bulletin": demo_bulletin.pk, "file": SimpleUploadedFile("x.csv", content)}
    )
    assert "沒有需要匯入的變更" in response.content.decode()


def test_the_import_view_still_checks_the_csrf_token(editor, demo_bulletin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    content = export(demo_bulletin, "csv")
    response = client.post(
        IMPORT, {"bulletin": demo_bulletin.pk, "file": SimpleUploadedFile("x.csv", content)}
    )
    assert response.status_code == 403


def test_limits_hold_for_the_preview_too(demo_bulletin, settings):
    settings.CATALOGUE_IMPORT_MAX_ROWS = 5
    from catalogue.spreadsheet.importer import ImportRefused

    with pytest.raises(ImportRefused, match="工作表的範圍是 21 列 12 欄，超過 5 列資料"):
        preview_import(
            bulletin=demo_bulletin,
            content=export(demo_bulletin, "xlsx"),
            file_name="x.xlsx",
            allow_delete=False,
        )


def test_ods_spaces_written_as_a_count_are_read_only_up_to_the_text_limit(demo_bulletin, editor):
    spaces = '<text:s text:c="20000"/>' * 5000  # a hundred million spaces in 120 KB
    cell = (
        f'<table:table-cell office:value-type="string"><text:p>{spaces}</text:p></table:table-cell>'
    )
    content = hostile.ods([f"<table:table-row>{cell}</table:table-row>"])
    messages = refusal(demo_bulletin, editor, content, "spaces.ods")
    assert messages == ["第 1 列「A」欄：儲存格文字超過 20000 字的上限，請縮短。"]


def test_cells_past_the_limit_are_refused_in_json_too(demo_bulletin, editor, settings):
    settings.CATALOGUE_IMPORT_MAX_CELLS = 50
    (message,) = refusal(demo_bulletin, editor, export(demo_bulletin, "json"), "x.json")
    assert message.endswith("有資料的儲存格超過 50 格的上限。") and message.startswith("第 ")


def test_lines_of_text_past_the_limit_are_refused_where_they_pass_it(
    demo_bulletin, editor, settings
):
    settings.CATALOGUE_IMPORT_MAX_LINES = 100
    (message,) = refusal(demo_bulletin, editor, export(demo_bulletin, "csv"))
    assert message.startswith("第 ") and message.endswith(
        "檔案的文字超過 100 行的上限；請分批匯入。"
    )


def test_the_upload_handler_stops_reading_the_file_at_the_limit(rf):
    from django.core.files.uploadhandler import MemoryFileUploadHandler
    from django.http.multipartparser import MultiPartParser
    from django.test.client import BOUNDARY, encode_multipart

    from catalogue.spreadsheet.uploads import LimitedUploadHandler

    body = encode_multipart(BOUNDARY, {"file": SimpleUploadedFile("x.csv", b"x" * 4_000_000)})
    request = rf.post("/", data=body, content_type=f"multipart/form-data; boundary={BOUNDARY}")
    limited = LimitedUploadHandler(request, limit=100_000)
    handlers = [limited, MemoryFileUploadHandler(request)]
    parser = MultiPartParser(request.META, io.BytesIO(body), handlers)

    _post, files = parser.parse()

    assert limited.passed and not files
    assert limited.received <= 100_000 + 64 * 1024  # one chunk past the limit, not 4 MB


def test_a_member_lying_about_its_unpacked_size_is_never_read_past_its_word(
    demo_bulletin, editor, settings
):
    settings.CATALOGUE_IMPORT_MAX_UNPACKED_BYTES = 1024 * 1024
    honest = hostile.ods_of_empty_cells(4 * 1024 * 1024)
    assert refusal(demo_bulletin, editor, honest, "bomb.ods")[0].startswith("檔案解壓縮後有 4.0 MB")

    content = hostile.lying_about_size(honest, "content.xml", 1000)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.getinfo("content.xml").file_size == 1000

    assert refusal(demo_bulletin, editor, content, "bomb.ods") == [
        "無法讀取這個 ODS 檔：檔案不是 OpenDocument 試算表，或已經損毀。"
    ]
