"""export_bulletin and import_bulletin: the same round trip on the command line."""

import io

import pytest
import tablib
from django.core.management import CommandError, call_command

from catalogue.models import Scope
from catalogue.spreadsheet.formats import FORMATS


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "ods", "json"])
def test_export_then_import_changes_nothing(demo_bulletin, editor, tmp_path, file_format):
    path = tmp_path / f"bulletin.{file_format}"
    assert "已將" in run("export_bulletin", "--format", file_format, "-o", str(path))
    revisions = Scope.history.count()

    output = run("import_bulletin", str(path), "--user", editor.username)

    assert "匯入完成：沒有任何變更。" in output
    assert Scope.history.count() == revisions


def test_dry_run_reports_the_changes_and_writes_nothing(demo_bulletin, tmp_path):
    path = tmp_path / "bulletin.csv"
    run("export_bulletin", "--bulletin", "policy-industries", "--format", "csv", "-o", str(path))
    text = path.read_text(encoding="utf-8-sig").replace("成為全球AI影響力中心", "成為AI島", 1)
    path.write_text(text, encoding="utf-8-sig")

    output = run("import_bulletin", str(path), "--dry-run")

    assert "產業範疇：新增 0、修改 1、檔案中沒有（保留） 0" in output
    assert "試行完成，未寫入：共 1 項變更。" in output
    assert not Scope.objects.filter(headline="成為AI島").exists()


def test_import_writes_history_under_the_named_user(demo_bulletin, editor, tmp_path):
    path = tmp_path / "bulletin.json"
    run("export_bulletin", "--format", "json", "-o", str(path))
    path.write_text(
        path.read_text(encoding="utf-8").replace("成為全球AI影響力中心", "成為AI島"), "utf-8"
    )

    output = run("import_bulletin", str(path), "--user", editor.username)

    assert "匯入完成：共 1 項變更。" in output
    latest = Scope.objects.get(headline="成為AI島").history.latest()
    assert (latest.history_user, latest.history_change_reason) == (editor, "匯入 bulletin.json")


def test_import_needs_a_user_unless_dry_run(demo_bulletin, tmp_path):
    path = tmp_path / "bulletin.csv"
    run("export_bulletin", "--format", "csv", "-o", str(path))
    with pytest.raises(CommandError, match="--user"):
        call_command("import_bulletin", str(path))
    with pytest.raises(CommandError, match="找不到使用者「nobody」"):
        call_command("import_bulletin", str(path), "--user", "nobody")


def test_a_refused_file_exits_with_the_errors(demo_bulletin, editor, tmp_path):
    path = tmp_path / "bad.csv"
    run("export_bulletin", "--format", "csv", "-o", str(path))
    path.write_text(
        path.read_text(encoding="utf-8-sig").replace("數位發展部", "數位部", 1), "utf-8-sig"
    )

    with pytest.raises(CommandError) as refusal:
        call_command("import_bulletin", str(path), "--user", editor.username)

    assert "未匯入，bad.csv 有 1 個問題" in str(refusal.value)
    assert "第 3 列「部會/機關」欄：找不到部會或機關「數位部」" in str(refusal.value)


def test_allow_delete_removes_what_the_file_no_longer_has(demo_bulletin, editor, tmp_path):
    path = tmp_path / "bulletin.xlsx"
    run("export_bulletin", "--format", "xlsx", "-o", str(path))
    table = FORMATS["xlsx"].read(path.read_bytes())
    dataset = tablib.Dataset(*table.rows[:-1], headers=table.headers)
    path.write_bytes(FORMATS["xlsx"].export_data(dataset))
    last = Scope.objects.get(pk=table.rows[-1][-1])

    kept = run("import_bulletin", str(path), "--user", editor.username)
    assert "加上 --allow-delete 才刪除" in kept and Scope.objects.filter(pk=last.pk).exists()

    run("import_bulletin", str(path), "--user", editor.username, "--allow-delete")
    assert not Scope.objects.filter(pk=last.pk).exists()


def test_an_unknown_bulletin_is_an_error(demo_bulletin, tmp_path):
    with pytest.raises(CommandError, match="找不到彙整表「nope」"):
        call_command(
            "export_bulletin",
            "--bulletin",
            "nope",
            "--format",
            "csv",
            "-o",
            str(tmp_path / "x.csv"),
        )


def test_a_missing_file_is_an_error(demo_bulletin, editor, tmp_path):
    with pytest.raises(CommandError, match="找不到檔案"):
        call_command("import_bulletin", str(tmp_path / "nowhere.xlsx"), "--user", editor.username)
