"""Export → import → export in every format gives the same sheet and writes no history."""

import csv
import io
import json

import pytest

from catalogue.models import Agency, Bulletin, Programme, Scope, Section, Strategy, Target
from catalogue.spreadsheet.formats import FORMATS
from catalogue.spreadsheet.resources import cell_text, export_dataset
from catalogue.spreadsheet.services import export_bulletin, import_bulletin, preview_import
from publishing.snapshot import build_snapshot

HISTORY_MODELS = (Agency, Bulletin, Programme, Scope, Target, Strategy, Section)


def history_count() -> int:
    return sum(model.history.count() for model in HISTORY_MODELS)


def table_of(content: bytes, file_format: str) -> list[list[str]]:
    table = FORMATS[file_format].read(content)
    width = len(table.headers)
    rows = [[cell_text(c) for c in row] + [""] * (width - len(row)) for row in table.rows]
    return [[cell_text(h) for h in table.headers], *rows]


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "ods", "json"])
def test_round_trip_of_the_demo_bulletin_is_lossless_and_writes_no_history(
    demo_bulletin: Bulletin, editor, file_format
):
    first = export_bulletin(bulletin=demo_bulletin, file_format=file_format)
    snapshot, revisions = build_snapshot(demo_bulletin), history_count()

    plan = import_bulletin(
        bulletin=demo_bulletin,
        content=first,
        file_name=f"彙整表.{file_format}",
        user=editor,
        allow_delete=True,
    )

    assert plan.change_count == 0
    assert plan.missing_labels == []
    assert all(row.action == "unchanged" and not row.changed_columns for row in plan.rows)
    assert history_count() == revisions
    assert build_snapshot(demo_bulletin) == snapshot
    second = export_bulletin(bulletin=demo_bulletin, file_format=file_format)
    assert table_of(second, file_format) == table_of(first, file_format)


def test_the_sheet_has_one_row_per_scope_in_bulletin_order(demo_bulletin):
    dataset = export_dataset(demo_bulletin)
    assert dataset.headers == [
        "序號", "政策性產業", "實施期間", "部會/機關", "範疇名稱", "產業範疇說明",
        "願景", "推動目標", "推動策略", "其他段落", "備註", "範疇識別碼",
    ]  # fmt: skip
    scopes = list(Scope.objects.filter(programme__bulletin=demo_bulletin))
    assert [row[-1] for row in dataset] == [s.pk for s in scopes]
    assert len(dataset) == 20
    first = dict(zip(dataset.headers, dataset[0], strict=True))
    assert first["序號"] == 1
    assert first["實施期間"] == "113-117年"
    assert first["推動策略"].startswith("■ 發展先進製程及先進封裝\n• 致力發展2.5D/3D")
    assert "〔數值：50；單位：%；目標年：117〕" in first["推動目標"]
    periods = {row[1]: row[2] for row in dataset}
    assert periods["六大區域產業及生活圈"] == "114年-未定"
    assert periods["新南向政策推動計畫"] == "106年-迄今"


def test_csv_export_is_utf8_with_a_byte_order_mark(demo_bulletin):
    content = export_bulletin(bulletin=demo_bulletin, file_format="csv")
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][0] == "序號"


def test_json_export_is_a_list_of_rows_keyed_by_header(demo_bulletin):
    rows = json.loads(export_bulletin(bulletin=demo_bulletin, file_format="json"))
    assert rows[0]["政策性產業"] == "五大信賴產業推動方案"
    assert rows[0]["部會/機關"] == "經濟部"


def test_xlsx_export_writes_formula_like_text_as_text(demo_bulletin):
    import openpyxl

    scope = Scope.objects.filter(programme__bulletin=demo_bulletin).first()
    Scope.objects.filter(pk=scope.pk).update(note='=HYPERLINK("http://evil")')
    content = export_bulletin(bulletin=demo_bulletin, file_format="xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    note = sheet.cell(row=2, column=11)
    assert note.value == '\'=HYPERLINK("http://evil")'
    assert note.data_type == "s"


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "ods", "json"])
def test_text_that_looks_like_a_formula_comes_back_as_it_was(demo_bulletin, editor, file_format):
    scope = Scope.objects.filter(programme__bulletin=demo_bulletin).first()
    Scope.objects.filter(pk=scope.pk).update(note="=1+1", headline="-負號開頭", title="@提及")
    Strategy.objects.filter(scope=scope, order=1).update(items="-減號項目\n+加號項目")
    Target.objects.filter(scope=scope, order=1).update(text="+886 電話目標")
    content = export_bulletin(bulletin=demo_bulletin, file_format=file_format)
    raw = FORMATS[file_format].read(content).rows[0]
    if file_format == "json":  # data, not a spreadsheet: the texts as they are
        assert "=1+1" in raw and "-負號開頭" in raw and "@提及" in raw
    else:
        assert "'=1+1" in raw and "'-負號開頭" in raw and "'@提及" in raw
    snapshot = build_snapshot(demo_bulletin)

    plan = import_bulletin(
        bulletin=demo_bulletin,
        content=content,
        file_name=f"x.{file_format}",
        user=editor,
        allow_delete=False,
    )

    assert plan.change_count == 0
    assert build_snapshot(demo_bulletin) == snapshot


def test_multi_line_cells_keep_their_lines_in_ods(demo_bulletin):
    content = export_bulletin(bulletin=demo_bulletin, file_format="ods")
    rows = table_of(content, "ods")
    assert rows[1][8].count("\n") == 15  # 4 strategies with 12 items: 16 lines


def test_export_costs_the_same_few_queries_at_any_size(
    demo_bulletin, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        export_bulletin(bulletin=demo_bulletin, file_format="xlsx")
    programme = Programme.objects.get(bulletin=demo_bulletin, serial=1)
    for order in range(10, 40):
        scope = Scope.objects.create(
            programme=programme, order=order, description=f"新範疇 {order}"
        )
        scope.set_agencies(list(Agency.objects.all()[:2]))
        Target.objects.create(scope=scope, order=1, text="目標")
    with django_assert_max_num_queries(6):
        export_bulletin(bulletin=demo_bulletin, file_format="csv")


def test_preview_costs_a_bounded_number_of_queries(demo_bulletin, django_assert_max_num_queries):
    content = export_bulletin(bulletin=demo_bulletin, file_format="csv")
    with django_assert_max_num_queries(10):
        preview_import(
            bulletin=demo_bulletin, content=content, file_name="x.csv", allow_delete=False
        )


def libreoffice_ods(dataset) -> bytes:
    """The sheet as LibreOffice saves it: runs of empty cells and rows as repeats, padding to
    the sheet's end, every line of a cell its own paragraph, and a comment on one cell."""
    from odf import office, opendocument, table, teletype, text

    document = opendocument.OpenDocumentSpreadsheet()
    sheet = table.Table(name="工作表1")
    for values in [dataset.headers, *dataset]:
        row = table.TableRow()
        empty = 0
        for value in [*values, None]:
            if value in (None, ""):
                empty += 1
                continue
            if empty:
                row.addElement(table.TableCell(numbercolumnsrepeated=empty))
                empty = 0
            if isinstance(value, int):
                cell = table.TableCell(valuetype="float", value=value)
                cell.addElement(text.P(text=str(value)))
            else:
                cell = table.TableCell(valuetype="string")
                if value == values[1]:
                    comment = office.Annotation()
                    comment.addElement(text.P(text="審閱意見：不是儲存格的內容"))
                    cell.addElement(comment)
                for line in value.split("\n"):
                    paragraph = text.P()
                    teletype.addTextToElement(paragraph, line)
                    cell.addElement(paragraph)
            row.addElement(cell)
        row.addElement(table.TableCell(numbercolumnsrepeated=1012))
        sheet.addElement(row)
    padding = table.TableRow(numberrowsrepeated=1048000)
    padding.addElement(table.TableCell(numbercolumnsrepeated=1024))
    sheet.addElement(padding)
    document.spreadsheet.addElement(sheet)
    stream = io.BytesIO()
    document.write(stream)
    return stream.getvalue()


def test_an_ods_saved_by_libreoffice_reads_back_unchanged(demo_bulletin):
    content = libreoffice_ods(export_dataset(demo_bulletin))

    plan = preview_import(
        bulletin=demo_bulletin, content=content, file_name="編輯後.ods", allow_delete=True
    )

    assert plan.change_count == 0
    assert len(plan.rows) == 20


def test_a_workbook_that_unpacks_to_far_more_than_it_weighs_is_refused(demo_bulletin, settings):
    from catalogue.spreadsheet.importer import ImportRefused

    settings.CATALOGUE_IMPORT_MAX_UNPACKED_BYTES = 1000
    content = export_bulletin(bulletin=demo_bulletin, file_format="xlsx")
    with pytest.raises(ImportRefused, match="解壓縮後有 .* MB，超過 0.0 MB 的上限"):
        preview_import(
            bulletin=demo_bulletin, content=content, file_name="x.xlsx", allow_delete=False
        )
