"""Hostile files just under and far over the limits are refused in Chinese and change nothing.

Their reading time is bounded by docs/limits.md (10 s) and measured by bench/import_limits.py,
which builds the same files; these tests only check the refusal and its message.
"""

import hostile_files as hostile
import pytest
from test_import_refusals import refusal

from catalogue.spreadsheet.formats import FORMATS
from catalogue.spreadsheet.services import export_bulletin

MB = 1024 * 1024
ROWS_PAST_LIMIT = "資料列超過 500 列的上限；請刪除多餘的列或分批匯入。"


def head_of(bulletin) -> bytes:
    """The header row of the bulletin's CSV export, with its line end."""
    return export_bulletin(bulletin=bulletin, file_format="csv").split(b"\r\n", 1)[0] + b"\r\n"


@pytest.mark.parametrize("line", [b"\n", b"\r\n", b"\r", b",,,,\n", b'"","",""\r\n'])
def test_ten_megabytes_of_blank_records_alone_are_an_empty_file(demo_bulletin, editor, line):
    content = hostile.blank_lines(10 * MB - 1, line)

    assert refusal(demo_bulletin, editor, content) == ["檔案是空的。"]


@pytest.mark.parametrize("line", [b"\n", b"\r\n", b",,,,\n"])
def test_ten_megabytes_of_blank_records_after_the_headers_hold_no_rows(demo_bulletin, editor, line):
    content = hostile.blank_lines(10 * MB - 1, line, head=head_of(demo_bulletin))

    assert refusal(demo_bulletin, editor, content) == ["檔案中沒有任何資料列。"]


def test_a_row_after_ten_megabytes_of_blank_lines_is_refused_by_its_row_number(
    demo_bulletin, editor
):
    head = head_of(demo_bulletin)
    tail = b"1,x\r\n"
    content = hostile.blank_lines(10 * MB - 1, b"\n", head=head, tail=tail)
    number = 1 + (len(content) - len(head) - len(tail)) + 1  # header, blank lines, the row

    assert refusal(demo_bulletin, editor, content) == [f"第 {number} 列：{ROWS_PAST_LIMIT}"]


def test_blank_lines_before_a_row_within_the_limits_keep_its_row_number(demo_bulletin):
    content = hostile.blank_lines(64, b",,\r\n", head=b"a,b\r\n", tail=b"1,2\r\n")

    table = FORMATS["csv"].read(content)

    assert table.rows == [[]] * 13 + [["1", "2"]]  # the row is row 15 of the file


def test_blank_records_of_every_kind_are_counted_as_the_csv_module_splits_them():
    table = FORMATS["csv"].read(b'a,b\n\n"",""\n,\r\n\r1,2\n\n')

    assert table.rows == [[], [], [], [], ["1", "2"]]


def test_a_quoted_cell_that_spans_blank_lines_is_one_cell(demo_bulletin):
    table = FORMATS["csv"].read(b'a,b\r\n"x\n\n\ny",2\r\n')

    assert table.rows == [["x\n\n\ny", "2"]]


def test_a_row_of_a_million_empty_xlsx_cells_under_a_lying_dimension_is_refused(
    demo_bulletin, editor
):
    exported = export_bulletin(bulletin=demo_bulletin, file_format="xlsx")
    content = hostile.xlsx_with_empty_cells(exported, 23, 650_000)

    (message,) = refusal(demo_bulletin, editor, content, "wide.xlsx")

    assert message.startswith("工作表至少有 65")
    assert message.endswith(
        "個儲存格（含空白的儲存格），超過 25050 個的上限（501 列、每列 50 欄）；"
        "請刪除多餘的列與欄後再匯入。"
    )


def test_empty_xlsx_cells_within_the_limits_are_read(demo_bulletin):
    exported = export_bulletin(bulletin=demo_bulletin, file_format="xlsx")
    content = hostile.xlsx_with_empty_cells(exported, 23, 40)

    table = FORMATS["xlsx"].read(content)

    assert len(table.rows) == 20  # the row of empty cells is blank, not data


def test_an_ods_of_empty_rows_up_to_the_unpacked_limit_is_an_empty_file(demo_bulletin, editor):
    content = hostile.ods_of_empty_rows(8 * MB - 4096)

    assert refusal(demo_bulletin, editor, content, "rows.ods") == ["檔案是空的。"]


def test_deep_json_at_the_size_limit_is_refused_by_its_count_of_rows(demo_bulletin, editor):
    content = b"[" * (5 * MB) + b"]" * (5 * MB - 1)

    messages = refusal(demo_bulletin, editor, content, "deep.json")

    assert messages == ["JSON 檔超過 500 筆資料的上限。"]
