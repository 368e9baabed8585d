"""`manage.py edition …` and the demo edition that `bootstrap --demo` publishes."""

import io

import pytest
from django.core.management import CommandError, ManagementUtility, call_command

from publishing.models import Edition, EditionTransition

pytestmark = pytest.mark.django_db
Status = Edition.Status


def _run(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("edition", *args, stdout=out)
    return out.getvalue().splitlines()


def _create(editor, date: str = "2025-12-30") -> int:
    lines = _run(
        "create",
        "--bulletin",
        "policy-industries",
        "--date",
        date,
        "--user",
        editor.username,
        "--note",
        "示範版本",
    )
    return int(lines[-1])


def test_create_prints_the_new_id_alone_on_its_last_line(demo_bulletin, editor):
    pk = _create(editor)
    edition = Edition.objects.get(pk=pk)
    assert (edition.status, edition.prepared_by, edition.change_note) == (
        Status.DRAFT,
        editor,
        "示範版本",
    )


def test_create_reads_a_date_in_the_roc_calendar(demo_bulletin, editor):
    pk = _create(editor, date="114.12.30")
    assert Edition.objects.get(pk=pk).roc_date == "114.12.30"


@pytest.mark.parametrize("text", ["1151201", "115.12.01", "2026-12-01"])
def test_create_reads_every_form_of_date_the_forms_take(demo_bulletin, editor, text):
    pk = _create(editor, date=text)
    assert Edition.objects.get(pk=pk).roc_date == "115.12.01"


def test_create_names_what_is_wrong_with_a_date(demo_bulletin, editor):
    with pytest.raises(CommandError, match="日期無效：115 年 2 月沒有 30 日"):
        _run("create", "--bulletin", "policy-industries", "--date", "115.02.30", "--user", "x")


def test_create_refuses_an_unknown_bulletin_or_user_or_date(demo_bulletin, editor):
    with pytest.raises(CommandError, match="找不到網址代稱"):
        _run("create", "--bulletin", "nope", "--date", "2025-12-30", "--user", editor.username)
    with pytest.raises(CommandError, match="找不到帳號"):
        _run("create", "--bulletin", "policy-industries", "--date", "2025-12-30", "--user", "x")
    with pytest.raises(CommandError, match="無法辨識的日期"):
        _run(
            "create", "--bulletin", "policy-industries", "--date", "soon", "--user", editor.username
        )
    assert not Edition.objects.exists()


def test_the_whole_workflow_runs_from_the_command_line(demo_bulletin, editor, approver):
    pk = str(_create(editor))
    _run("submit", pk, "--user", editor.username)
    _run("approve", pk, "--user", approver.username, "--comment", "內容無誤")
    lines = _run("publish", pk, "--user", approver.username)
    assert lines[-1] == f"版本 {pk}（114.12.30）：公告完成，目前狀態為「已公告」。"
    edition = Edition.objects.get(pk=pk)
    assert edition.status == Status.PUBLISHED
    assert edition.files.exists()
    assert edition.transitions.get(action="approve").comment == "內容無誤"


def test_a_refused_step_raises_the_reason(submitted_edition, editor):
    with pytest.raises(CommandError, match="只有核定人員可以核定版本"):
        _run("approve", str(submitted_edition.pk), "--user", editor.username)
    assert Edition.objects.get(pk=submitted_edition.pk).status == Status.SUBMITTED


def test_a_refused_step_exits_non_zero_with_the_reason(submitted_edition, editor, capsys):
    utility = ManagementUtility(
        ["manage.py", "edition", "approve", str(submitted_edition.pk), "--user", editor.username]
    )
    with pytest.raises(SystemExit) as exit_:
        utility.execute()
    assert exit_.value.code != 0
    assert "只有核定人員可以核定版本" in capsys.readouterr().err


def test_rejecting_needs_a_comment(submitted_edition, approver):
    with pytest.raises(CommandError, match="--comment"):
        _run("reject", str(submitted_edition.pk), "--user", approver.username)
    _run("reject", str(submitted_edition.pk), "--user", approver.username, "--comment", "補充")
    assert Edition.objects.get(pk=submitted_edition.pk).status == Status.REJECTED


def test_an_unknown_edition_is_refused(db):
    with pytest.raises(CommandError, match="找不到編號 999 的版本"):
        _run("diff", "999")


def test_diff_prints_the_changes_as_text(published_edition, demo_bulletin, editor):
    from catalogue.models import Programme

    assert _run("diff", str(published_edition.pk)) == ["首次公告"]
    Programme.objects.filter(serial=4).update(name="新南向政策推動計畫（修訂）")
    pk = _create(editor, date="2026-03-31")
    lines = _run("diff", str(pk))
    assert lines[0] == "新增 0、刪除 0、修改 1、移動 0"
    assert lines[1] == "[修改] 4 新南向政策推動計畫（修訂）"
    assert lines[2] == "    政策性產業：新南向政策推動計畫{+（修訂）+}"


def test_list_shows_every_edition_newest_first(published_edition, editor):
    pk = _create(editor, date="2026-03-31")
    lines = _run("list")
    assert lines[0].split("\t")[:3] == [str(pk), "115.03.31", "草稿"]
    assert lines[1].split("\t")[:4] == [
        str(published_edition.pk),
        "114.12.30",
        "已公告",
        "policy-industries",
    ]


def test_render_writes_the_files_publishing_stores(published_edition, tmp_path):
    lines = _run("render", str(published_edition.pk), "--out", str(tmp_path))
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(
        published_edition.file_name(f.format) for f in published_edition.files.all()
    )
    assert "datapackage.json" in written
    assert len(lines) == len(written)


# bootstrap --demo


def test_bootstrap_demo_publishes_the_114_12_30_edition(db):
    call_command("bootstrap", demo=True, verbosity=0, stdout=io.StringIO())
    edition = Edition.objects.get()
    assert edition.status == Status.PUBLISHED
    assert edition.roc_date == "114.12.30"
    assert edition.change_note == "114年12月30日公告版本。"
    assert edition.files.exists()
    trail = list(edition.transitions.values_list("action", "actor__username"))
    assert trail == [
        (EditionTransition.Action.CREATE, "editor"),
        (EditionTransition.Action.SUBMIT, "editor"),
        (EditionTransition.Action.RENDER, None),  # the system, right after submission
        (EditionTransition.Action.APPROVE, "approver"),
        (EditionTransition.Action.PUBLISH, "approver"),
    ]


def test_bootstrap_demo_twice_publishes_once(db):
    call_command("bootstrap", demo=True, verbosity=0, stdout=io.StringIO())
    trail = EditionTransition.objects.count()
    call_command("bootstrap", demo=True, verbosity=0, stdout=io.StringIO())
    assert Edition.objects.count() == 1
    assert EditionTransition.objects.count() == trail
