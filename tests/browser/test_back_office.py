"""The back office in a real Chromium, as the agency's staff use it: signing in through the
login form, editing the catalogue with its revision history, the spreadsheet round trip and
the publishing workflow with its four eyes.

Every step goes through what a person sees (Chinese labels, buttons and messages); the
tests touch the database only to give a persona a second role and to check what a step left
behind.
"""

import datetime
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from accounts.roles import APPROVERS
from catalogue.models import Programme, Scope
from publishing.models import Edition

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NEW_SOUTHBOUND = "新南向政策推動計畫"


def _log_in(page: Any, live_server: Any, user: Any, password: str) -> None:
    page.goto(live_server.url + "/admin/")
    page.get_by_label("使用者名稱").fill(user.get_username())
    page.get_by_label("密碼").fill(password)
    page.get_by_role("button", name="登入").click()
    expect(page.get_by_role("button", name="登出")).to_be_visible()


def _log_out(page: Any) -> None:
    page.get_by_role("button", name="登出").click()
    expect(page.get_by_text("重新登入")).to_be_visible()


def _open_list(page: Any, name: str) -> None:
    """From the admin's home page to a model's list (the row of that name, not its app's)."""
    page.get_by_role("rowheader", name=name, exact=True).get_by_role("link").click()


def _open_programme(page: Any, name: str) -> None:
    """From the admin's home page to a programme's change form, as an editor clicks there."""
    _open_list(page, "政策性產業")
    page.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("textbox", name="政策性產業")).to_have_value(name)


def _breadcrumbs(page: Any) -> Any:
    return page.get_by_role("navigation", name="導覽路徑")


def _success(page: Any) -> Any:
    return page.locator(".messagelist .success")


def test_editor_edits_a_programme_compares_its_revisions_and_reverts_it(
    local_page: Any, live_server: Any, demo_bulletin: Any, editor: Any, password: str
) -> None:
    page = local_page
    _log_in(page, live_server, editor, password)
    _open_programme(page, NEW_SOUTHBOUND)

    page.get_by_role("textbox", name="政策性產業").fill("新南向政策推進計畫")
    page.get_by_role("textbox", name="變更說明").fill("依行政院核定名稱修正")
    page.get_by_role("button", name="儲存", exact=True).click()
    expect(_success(page)).to_contain_text("成功修改了 政策性產業")
    expect(_success(page)).to_contain_text("新南向政策推進計畫")

    page.get_by_role("link", name="新南向政策推進計畫", exact=True).click()
    page.get_by_role("link", name="歷史").click()
    newest = page.locator("#change-history tbody tr").first
    expect(newest.locator(".who")).to_have_text(editor.get_username())
    expect(newest).to_contain_text("依行政院核定名稱修正")
    expect(newest.locator(".changed")).to_have_text("政策性產業")

    rows = page.locator("#change-history tbody tr")
    expect(rows).to_have_count(2)
    rows.nth(1).get_by_role("radio", name=re.compile("舊版本")).check()
    rows.nth(0).get_by_role("radio", name=re.compile("新版本")).check()
    page.get_by_role("button", name="比較所選版本").click()

    expect(page).to_have_title(re.compile("比較版本"))
    change = page.locator("tr.change").filter(has_text="政策性產業")
    expect(change.locator(".old del")).to_have_text("動")
    expect(change.locator(".new ins")).to_have_text("進")

    # The older revision, then the confirmation that shows what reverting would change.
    page.get_by_role("columnheader", name=re.compile("舊版本")).get_by_role("link").click()
    expect(page.get_by_role("heading", name="還原後將有的變更")).to_be_visible()
    page.get_by_role("textbox", name="還原理由").fill("名稱以公告為準")
    page.get_by_role("button", name="還原至此版本").click()
    expect(_success(page)).to_contain_text("已還原至")
    newest = page.locator("#change-history tbody tr").first
    expect(newest).to_contain_text("還原至")
    expect(newest).to_contain_text("名稱以公告為準")
    expect(newest.locator(".who")).to_have_text(editor.get_username())

    _breadcrumbs(page).get_by_role("link", name=f"4. {NEW_SOUTHBOUND}").click()
    expect(page.get_by_role("textbox", name="政策性產業")).to_have_value(NEW_SOUTHBOUND)
    assert Programme.objects.get(serial=4).name == NEW_SOUTHBOUND
    assert Programme.history.filter(serial=4).count() == 3


def test_two_editors_edit_one_programme_and_the_second_save_is_refused_with_a_link(
    local_page: Any,
    second_local_page: Any,
    live_server: Any,
    demo_bulletin: Any,
    editor: Any,
    second_editor: Any,
    password: str,
) -> None:
    first, second = local_page, second_local_page
    for page, user in ((first, editor), (second, second_editor)):
        _log_in(page, live_server, user, password)
        _open_programme(page, NEW_SOUTHBOUND)

    first.get_by_role("textbox", name="政策性產業").fill("新南向政策推進計畫")
    first.get_by_role("button", name="儲存", exact=True).click()
    expect(_success(first)).to_contain_text("成功修改了 政策性產業")
    second.get_by_role("textbox", name="政策性產業").fill("新南向政策（第二位的修改）")
    second.get_by_role("button", name="儲存", exact=True).click()

    refusal = second.locator("ul.errorlist.nonfield")
    expect(refusal).to_contain_text(f"已由 {editor.get_username()} 於")
    expect(refusal).to_contain_text("本次未儲存")
    expect(second.get_by_role("textbox", name="政策性產業")).to_have_value(
        "新南向政策（第二位的修改）"
    )
    refusal.get_by_role("link", name="查看該次變更").click()
    expect(second).to_have_title(re.compile("比較版本"))
    change = second.locator("tr.change").filter(has_text="政策性產業")
    expect(change.locator(".new ins")).to_have_text("進")
    assert Programme.objects.get(serial=4).name == "新南向政策推進計畫"


def test_editor_adds_an_agency_to_a_scope_and_its_history_marks_the_agency(
    local_page: Any, live_server: Any, demo_bulletin: Any, editor: Any, password: str
) -> None:
    page = local_page
    _log_in(page, live_server, editor, password)
    scope = Scope.objects.get(title="資源共享")

    _open_list(page, "產業範疇")
    page.get_by_role("link", name="【資源共享】", exact=True).click()
    first = page.get_by_role("combobox", name="部會/機關（第 1 順位）")
    expect(first.locator("option:checked")).to_have_text("行政院經貿談判辦公室")
    page.get_by_role("combobox", name="部會/機關（第 2 順位）").select_option(
        label="勞動部勞動力發展署"
    )
    page.get_by_role("textbox", name="變更說明").fill("勞發署加入共同推動")
    page.get_by_role("button", name="儲存", exact=True).click()
    expect(_success(page)).to_contain_text("成功修改了 產業範疇")

    page.goto(live_server.url + f"/admin/catalogue/scope/{scope.pk}/history/")
    newest = page.locator("#change-history tbody tr").first
    expect(newest.locator(".changed")).to_have_text("部會/機關")
    newest.get_by_role("link", name="與前一版比較").click()
    change = page.locator("tr.change").filter(has_text="部會/機關")
    expect(change.locator(".new ins")).to_have_text("勞動部勞動力發展署")
    expect(change.locator(".old")).to_have_text("行政院經貿談判辦公室")
    expect(page.locator("tr").filter(has_text="變更說明")).to_contain_text("勞發署加入共同推動")

    assert [a.name for a in scope.ordered_agencies] == [
        "行政院經貿談判辦公室",
        "勞動部勞動力發展署",
    ]
    assert scope.history.count() == 2  # one revision for the save, agencies included


def test_edition_goes_from_editor_to_approver_to_the_public_with_four_eyes(
    local_page: Any,
    live_server: Any,
    published_edition: Edition,
    editor: Any,
    approver: Any,
    password: str,
) -> None:
    page = local_page
    # The editor holds both roles: only the four-eyes rule keeps them from signing off.
    editor.groups.add(Group.objects.get(name=APPROVERS))
    _log_in(page, live_server, editor, password)

    _open_list(page, "公告版本")
    page.get_by_role("link", name=re.compile("新增 公告版本")).click()
    page.get_by_label("彙整表").select_option(label=str(published_edition.bulletin))
    page.get_by_role("textbox", name="版本日期").fill("2026-01-30")
    page.get_by_role("textbox", name="本版異動說明").fill("新南向政策更名。")
    page.get_by_role("button", name="儲存", exact=True).click()
    expect(_success(page)).to_be_visible()
    edition = Edition.objects.get(date=datetime.date(2026, 1, 30))
    edition_url = live_server.url + f"/admin/publishing/edition/{edition.pk}/change/"

    # A change in the catalogue after the draft was made reaches it only when refreshed.
    page.goto(live_server.url + "/admin/")
    _open_programme(page, NEW_SOUTHBOUND)
    page.get_by_role("textbox", name="政策性產業").fill("新南向政策推進計畫")
    page.get_by_role("button", name="儲存", exact=True).click()
    expect(_success(page)).to_be_visible()

    page.goto(edition_url)
    diff = page.get_by_role("region", name="與前一公告版本的差異")
    expect(diff).to_contain_text("修改 0")
    _take_step(page, "重新擷取目錄")
    _expect_renamed(diff)
    _take_step(page, "送審")
    expect(page.get_by_role("link", name="核定", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="公告", exact=True)).to_have_count(0)
    # Nor does the step's own address let them through.
    page.goto(edition_url.replace("change/", "step/approve/"))
    expect(page.locator(".messagelist .error")).to_contain_text("四眼原則")
    assert Edition.objects.get(pk=edition.pk).status == Edition.Status.SUBMITTED
    _log_out(page)

    _log_in(page, live_server, approver, password)
    _open_list(page, "公告版本")
    page.get_by_role("link", name="115.01.30").click()
    _expect_renamed(diff)
    _take_step(page, "核定", comment="內容無誤，同意核定。")
    _take_step(page, "公告")  # the test settings run the publication at once
    expect(page.locator(".field-status")).to_contain_text("已公告")
    trail = page.get_by_role("region", name="版本紀錄")
    expect(trail).to_contain_text("內容無誤，同意核定。")

    page.goto(live_server.url + "/editions/")
    listed = page.locator(".edition-list > li")
    expect(listed).to_have_count(2)
    expect(listed.nth(0)).to_contain_text("115.01.30")
    expect(listed.nth(0).locator(".status")).to_have_text("已公告")
    expect(listed.nth(1)).to_contain_text("114.12.30")
    expect(listed.nth(1).locator(".status")).to_have_text("已被取代")


def _expect_renamed(diff: Any) -> None:
    """The edition's diff has one change, programme 4's name, with 動 struck and 進 marked."""
    expect(diff).to_contain_text("修改 1")
    changes = diff.locator("tbody tr")
    expect(changes).to_have_count(1)
    expect(changes).to_contain_text("4 新南向政策")
    expect(changes.locator("del")).to_have_text("動")
    expect(changes.locator("ins")).to_have_text("進")


def _take_step(page: Any, label: str, comment: str = "") -> None:
    """Press a workflow button on an edition's page and confirm it on the next page."""
    page.locator(".edition-steps-section").get_by_role("link", name=label, exact=True).click()
    if comment:
        page.get_by_role("textbox", name="說明").fill(comment)
    # Submission renders the edition's files (the test settings run the work at once): the
    # PDF takes a few seconds on a busy machine, as publication used to.
    page.get_by_role("button", name=f"確定{label}").click(timeout=30_000)
    # Publication goes to the background worker: the message says it was handed over.
    done = "公告作業" if label == "公告" else f"已{label}"
    expect(page.locator(".messagelist .success")).to_contain_text(done, timeout=30_000)


def test_editor_exports_a_spreadsheet_edits_a_cell_and_imports_it_after_the_preview(
    local_page: Any,
    live_server: Any,
    demo_bulletin: Any,
    editor: Any,
    password: str,
    tmp_path: Path,
) -> None:
    page = local_page
    _log_in(page, live_server, editor, password)
    _open_list(page, "政策性產業")

    page.get_by_role("link", name="匯出試算表").click()
    expect(page.get_by_role("radio", name=re.compile("Excel"))).to_be_checked()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="下載").click()
    download = download_info.value
    name = download.suggested_filename
    assert name.endswith(".xlsx")
    sheet_file = tmp_path / name
    download.save_as(sheet_file)

    old = "包括文化、觀光、醫療、科技及農業。"
    new = "包括文化、觀光、醫療、教育、科技及農業。"
    workbook = openpyxl.load_workbook(sheet_file)
    sheet = workbook.active
    headers = [cell.value for cell in sheet[1]]
    title, description = headers.index("範疇名稱"), headers.index("產業範疇說明")
    row = next(r for r in sheet.iter_rows(min_row=2) if r[title].value == "資源共享")
    assert row[description].value == old
    row[description].value = new
    workbook.save(sheet_file)

    _breadcrumbs(page).get_by_role("link", name="政策性產業", exact=True).click()
    page.get_by_role("link", name="匯入試算表").click()
    page.get_by_label("檔案：", exact=True).set_input_files(sheet_file)
    page.get_by_role("button", name="預覽").click()
    expect(page.get_by_text("新增 0 列、修改 1 列、不變 19 列。")).to_be_visible()
    changed = page.locator("td.cell-changed")
    expect(changed).to_have_count(1)
    expect(changed.locator("ins")).to_have_text(new)
    expect(changed.locator("del")).to_have_text(old)
    assert Scope.objects.get(title="資源共享").description == old  # nothing written yet

    page.get_by_role("button", name="確認匯入").click()
    expect(_success(page)).to_contain_text(f"已匯入「{name}」")
    scope = Scope.objects.get(title="資源共享")
    assert scope.description == new
    latest = scope.history.latest()
    assert latest.history_change_reason == f"匯入 {name}"
    assert latest.history_user == editor

    page.goto(live_server.url + f"/admin/catalogue/scope/{scope.pk}/history/")
    expect(page.locator("#change-history tbody tr").first).to_contain_text(f"匯入 {name}")


def test_programme_ending_before_it_starts_is_refused_in_chinese_and_not_saved(
    local_page: Any, live_server: Any, demo_bulletin: Any, editor: Any, password: str
) -> None:
    page = local_page
    _log_in(page, live_server, editor, password)
    _open_list(page, "政策性產業")
    page.get_by_role("link", name=re.compile("新增 政策性產業")).click()

    page.get_by_label("彙整表").select_option(label=str(demo_bulletin))
    page.get_by_role("spinbutton", name="序號").fill("10")
    page.get_by_role("textbox", name="政策性產業").fill("綠色金融行動方案")
    page.get_by_role("spinbutton", name="實施起始年").fill("115")
    page.get_by_role("spinbutton", name="實施結束年").fill("113")
    page.get_by_role("button", name="儲存", exact=True).click()

    expect(page.locator(".errornote")).to_contain_text("請修正以下錯誤。")
    expect(page.get_by_text("實施結束年不可早於起始年。")).to_be_visible()
    # The form keeps what was typed, so the editor corrects only the year.
    expect(page.get_by_role("textbox", name="政策性產業")).to_have_value("綠色金融行動方案")
    assert not Programme.objects.filter(name="綠色金融行動方案").exists()
    assert not Programme.history.filter(name="綠色金融行動方案").exists()
    assert Programme.objects.count() == 9

    page.get_by_role("spinbutton", name="實施結束年").fill("118")
    page.get_by_role("button", name="儲存", exact=True).click()
    expect(_success(page)).to_contain_text("綠色金融行動方案")
    assert Programme.objects.get(name="綠色金融行動方案").period_display == "115-118年"
