"""Importing an edited sheet: what changes, who is named in the history, and what is deleted."""

from decimal import Decimal

import pytest
import tablib

from catalogue.models import Agency, Programme, Scope, Section, Strategy, Target
from catalogue.spreadsheet.formats import FORMATS
from catalogue.spreadsheet.importer import ImportRefused
from catalogue.spreadsheet.resources import export_dataset
from catalogue.spreadsheet.services import import_bulletin, preview_import

FILE_NAME = "114年彙整表-編輯.csv"


def rows_of(bulletin) -> list[dict]:
    dataset = export_dataset(bulletin)
    return [dict(zip(dataset.headers, row, strict=True)) for row in dataset]


def csv_of(rows: list[dict]) -> bytes:
    headers = list(rows[0])
    dataset = tablib.Dataset(headers=headers)
    for row in rows:
        dataset.append([row[h] for h in headers])
    return FORMATS["csv"].export_data(dataset)


def run_import(bulletin, rows, user, *, allow_delete=False):
    return import_bulletin(
        bulletin=bulletin,
        content=csv_of(rows),
        file_name=FILE_NAME,
        user=user,
        allow_delete=allow_delete,
    )


def scope_of(rows, index) -> Scope:
    return Scope.objects.get(pk=rows[index]["範疇識別碼"])


def test_an_edited_cell_writes_one_revision_naming_the_editor_and_the_file(demo_bulletin, editor):
    rows = rows_of(demo_bulletin)
    rows[0]["產業範疇說明"] = "包括晶片設計與晶圓代工。"
    scope = scope_of(rows, 0)
    revisions = scope.history.count()

    plan = run_import(demo_bulletin, rows, editor)

    assert plan.change_count == 1
    assert plan.rows[0].action == "change"
    assert plan.rows[0].changed_columns == ["產業範疇說明"]
    assert all(row.action == "unchanged" for row in plan.rows[1:])
    scope.refresh_from_db()
    assert scope.description == "包括晶片設計與晶圓代工。"
    assert scope.history.count() == revisions + 1
    latest = scope.history.latest()
    assert latest.history_user == editor
    assert latest.history_change_reason == f"匯入 {FILE_NAME}"
    assert latest.history_type == "~"
    assert {a.name for a in scope.agencies.all()} == {"經濟部"}


def test_an_edited_target_is_a_change_of_that_target_not_a_new_one(demo_bulletin, editor):
    rows = rows_of(demo_bulletin)
    scope = scope_of(rows, 0)
    second = scope.targets.get(order=2)
    lines = rows[0]["推動目標"].split("\n")
    lines[1] = "IC設計產業維持全球前3名〔數值：60；單位：%；目標年：118〕"
    rows[0]["推動目標"] = "\n".join(lines)

    run_import(demo_bulletin, rows, editor)

    second.refresh_from_db()
    assert (second.text, second.value, second.unit, second.deadline_year) == (
        "IC設計產業維持全球前3名",
        Decimal("60"),
        "%",
        118,
    )
    assert scope.targets.count() == 5
    assert second.history.latest().history_type == "~"
    assert Target.history.filter(history_type="+", history_user=editor).count() == 0


def test_agencies_by_short_name_change_in_one_revision(demo_bulletin, editor):
    rows = rows_of(demo_bulletin)
    rows[0]["部會/機關"] = "經濟部、國科會"
    scope = scope_of(rows, 0)
    revisions = scope.history.count()

    run_import(demo_bulletin, rows, editor)

    assert scope.history.count() == revisions + 1
    latest = scope.history.latest()
    assert {a.agency.name for a in latest.agencies.all()} == {"經濟部", "國家科學及技術委員會"}


def test_a_new_row_creates_a_scope_with_its_parts(demo_bulletin, editor):
    rows = rows_of(demo_bulletin)
    new = dict(rows[0])
    new.update(
        {
            "範疇識別碼": "",
            "範疇名稱": "低軌衛星",
            "產業範疇說明": "包括衛星製造與地面站。",
            "部會/機關": "數發部",
            "推動目標": "衛星產值倍增〔數值：2；單位：倍〕",
            "推動策略": "■ 建立供應鏈\n• 國產化關鍵元件",
            "其他段落": "",
        }
    )
    rows.insert(5, new)

    plan = run_import(demo_bulletin, rows, editor)

    assert plan.rows[5].action == "create"
    scope = Scope.objects.get(title="低軌衛星")
    assert scope.programme.serial == 1
    assert scope.order == 6
    assert [a.short_name for a in scope.agencies.all()] == ["數發部"]
    assert scope.targets.get().unit == "倍"
    assert scope.strategies.get().item_list == ["國產化關鍵元件"]
    assert scope.history.get().history_type == "+"
    assert scope.history.get().history_user == editor


def test_a_new_serial_creates_a_programme(demo_bulletin, editor):
    rows = rows_of(demo_bulletin)
    new = {key: "" for key in rows[0]}
    new.update(
        {
            "序號": 10,
            "政策性產業": "海洋產業推動方案",
            "實施期間": "115年-未定",
            "部會/機關": "經濟部",
            "產業範疇說明": "包括造船與離岸風電。",
        }
    )
    rows.append(new)

    run_import(demo_bulletin, rows, editor)

    programme = Programme.objects.get(bulletin=demo_bulletin, serial=10)
    assert (programme.name, programme.period_start, programme.period_end, programme.open_end) == (
        "海洋產業推動方案",
        115,
        None,
        "未定",
    )
    assert programme.history.get().history_change_reason == f"匯入 {FILE_NAME}"


def test_reordering_rows_reorders_scopes_without_hitting_unique_orders(demo_bulletin, editor):
    rows = rows_of(demo_bulletin)
    first, second = scope_of(rows, 0), scope_of(rows, 1)
    rows[0], rows[1] = rows[1], rows[0]

    run_import(demo_bulletin, rows, editor)

    first.refresh_from_db()
    second.refresh_from_db()
    assert second.order < first.order
    assert first.history.latest().history_change_reason == f"匯入 {FILE_NAME}"


def test_swapping_serials_renumbers_the_programmes_by_name(demo_bulletin, editor):
    rows = rows_of(demo_bulletin)
    for row in rows:
        if row["序號"] in (1, 2):
            row["序號"] = 3 - row["序號"]
    five = Programme.objects.get(bulletin=demo_bulletin, name="五大信賴產業推動方案")

    plan = run_import(demo_bulletin, rows, editor)

    five.refresh_from_db()
    assert five.serial == 2
    assert Programme.objects.get(bulletin=demo_bulletin, name="六大區域產業及生活圈").serial == 1
    assert len(plan.programmes) == 2
    assert five.history.latest().serial == 2


def test_a_scope_moves_to_the_programme_its_row_names(demo_bulletin, editor):
    rows = rows_of(demo_bulletin)
    target = next(row for row in rows if row["序號"] == 4)
    moving = scope_of(rows, 4)
    for key in ("序號", "政策性產業", "實施期間"):
        rows[4][key] = target[key]

    run_import(demo_bulletin, rows, editor)

    moving.refresh_from_db()
    assert moving.programme.serial == 4
    assert moving.programme.scopes.count() == 2
    assert moving.history.count() == 2


def test_a_renamed_programme_is_a_change_of_every_row_it_has(demo_bulletin, editor):
    rows = rows_of(demo_bulletin)
    for row in rows:
        if row["序號"] == 1:
            row["政策性產業"] = "五大信賴產業推動方案（修正）"

    plan = run_import(demo_bulletin, rows, editor)

    assert [row.action for row in plan.rows[:5]] == ["change"] * 5
    assert plan.rows[0].changed_columns == ["政策性產業"]
    assert len(plan.programmes) == 1 and plan.scopes == []


def test_rows_missing_from_the_file_are_listed_and_kept_without_the_option(demo_bulletin, editor):
    rows = rows_of(demo_bulletin)
    gone = scope_of(rows, 1)
    del rows[1]

    plan = run_import(demo_bulletin, rows, editor)

    assert plan.change_count == 0
    assert plan.missing_labels == [f"產業範疇「{gone}」"]
    assert Scope.objects.filter(pk=gone.pk).exists()


def test_rows_missing_from_the_file_are_deleted_with_the_option(demo_bulletin, editor):
    rows = rows_of(demo_bulletin)
    gone = scope_of(rows, 1)
    target_pks = list(gone.targets.values_list("pk", flat=True))
    strategies = gone.strategies.count()
    del rows[1]

    plan = run_import(demo_bulletin, rows, editor, allow_delete=True)

    assert plan.change_count == 1 + len(target_pks) + strategies
    assert not Scope.objects.filter(pk=gone.pk).exists()
    deleted = Scope.history.get(id=gone.pk, history_type="-")
    assert deleted.history_user == editor
    assert deleted.history_change_reason == f"匯入 {FILE_NAME}"
    assert (
        Target.history.filter(id__in=target_pks, history_type="-", history_user=editor).count() == 4
    )


def test_a_programme_missing_from_the_file_is_deleted_only_with_the_option(demo_bulletin, editor):
    rows = [row for row in rows_of(demo_bulletin) if row["序號"] != 9]

    kept = run_import(demo_bulletin, rows, editor)
    assert Programme.objects.filter(bulletin=demo_bulletin, serial=9).exists()
    assert "政策性產業「9. 臺灣2050淨零轉型」" in kept.missing_labels

    run_import(demo_bulletin, rows, editor, allow_delete=True)
    assert not Programme.objects.filter(bulletin=demo_bulletin, serial=9).exists()
    assert Programme.history.get(serial=9, history_type="-").history_user == editor


def test_fewer_lines_delete_the_last_parts_only_with_the_option(demo_bulletin, editor):
    rows = rows_of(demo_bulletin)
    scope = scope_of(rows, 0)
    rows[0]["推動目標"] = "\n".join(rows[0]["推動目標"].split("\n")[:3])
    rows[0]["推動策略"] = rows[0]["推動策略"].split("\n■")[0]

    plan = preview_import(
        bulletin=demo_bulletin, content=csv_of(rows), file_name="x.csv", allow_delete=False
    )
    assert plan.change_count == 0
    assert len(plan.missing_labels) == 5
    assert scope.targets.count() == 5

    run_import(demo_bulletin, rows, editor, allow_delete=True)
    assert list(scope.targets.values_list("order", flat=True)) == [1, 2, 3]
    assert scope.strategies.count() == 1


def test_an_added_section_line_appends_an_item(demo_bulletin, editor):
    rows = rows_of(demo_bulletin)
    index = next(i for i, row in enumerate(rows) if row["其他段落"])
    scope = scope_of(rows, index)
    first = scope.sections.order_by("order").first()
    rows[index]["其他段落"] = rows[index]["其他段落"].replace(
        f"■ {first.heading}\n", f"■ {first.heading}\n• 新的第一項\n", 1
    )

    run_import(demo_bulletin, rows, editor)

    first.refresh_from_db()
    assert first.item_list[0] == "新的第一項"
    assert Section.history.filter(id=first.pk).count() == 2


def test_a_preview_that_no_longer_matches_the_catalogue_is_not_applied(demo_bulletin, editor):
    rows = rows_of(demo_bulletin)
    rows[0]["願景"] = "新願景"
    content = csv_of(rows)
    plan = preview_import(
        bulletin=demo_bulletin, content=content, file_name="x.csv", allow_delete=False
    )
    Strategy.objects.filter(scope_id=rows[0]["範疇識別碼"], order=1).update(heading="別人改過")

    with pytest.raises(ImportRefused, match="預覽之後"):
        import_bulletin(
            bulletin=demo_bulletin,
            content=content,
            file_name="x.csv",
            user=editor,
            allow_delete=False,
            expected_fingerprint=plan.fingerprint(),
        )
    assert Scope.objects.get(pk=rows[0]["範疇識別碼"]).headline != "新願景"


def test_unit_without_value_is_refused(demo_bulletin, editor):
    rows = rows_of(demo_bulletin)
    rows[0]["推動目標"] = "只有單位〔單位：億元〕"
    agencies = Agency.objects.count()

    with pytest.raises(ImportRefused) as refusal:
        run_import(demo_bulletin, rows, editor)

    assert (
        str(refusal.value.errors[0]) == "第 2 列「推動目標」欄：第 1 項：填寫單位時也須填寫數值。"
    )
    assert Agency.objects.count() == agencies


def test_a_serial_held_by_a_programme_missing_from_the_file_clashes_unless_it_is_deleted(
    demo_bulletin, editor
):
    rows = [row for row in rows_of(demo_bulletin) if row["序號"] != 1]
    for row in rows:
        if row["序號"] == 2:
            row["序號"] = 1
    five = Programme.objects.get(bulletin=demo_bulletin, serial=1)

    with pytest.raises(ImportRefused) as refusal:
        run_import(demo_bulletin, rows, editor)
    assert str(refusal.value.errors[0]).startswith(
        "第 2 列「序號」欄：序號 1 已由檔案中沒有的政策性產業「五大信賴產業推動方案」使用"
    )

    run_import(demo_bulletin, rows, editor, allow_delete=True)
    assert Programme.objects.get(bulletin=demo_bulletin, serial=1).name == "六大區域產業及生活圈"
    assert Programme.history.get(id=five.pk, history_type="-").serial == 1
