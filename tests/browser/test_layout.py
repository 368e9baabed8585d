"""The back office at 1,366 × 768 (the agency's usual screen): no page scrolls sideways, the
edition form takes ROC dates typed or picked, and a revert asks for its reason.

Screenshots of the pages are kept in artifacts/screenshots/layout-*.png.
"""

import datetime
import io
from typing import Any

import openpyxl
import pytest
from playwright.sync_api import expect

from catalogue.history import attribute
from catalogue.models import Programme, Scope
from catalogue.spreadsheet.services import export_bulletin
from publishing import services
from publishing.models import Edition

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SCREEN = {"width": 1366, "height": 768}


def _log_in(page: Any, live_server: Any, user: Any, password: str) -> None:
    page.set_viewport_size(SCREEN)
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("使用者名稱").fill(user.get_username())
    page.get_by_label("密碼").fill(password)
    page.get_by_role("button", name="登入").click()
    expect(page.get_by_role("button", name="登出")).to_be_visible()


def _page_width(page: Any) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def _edited_sheet(bulletin: Any) -> bytes:
    """The bulletin's export with the description and vision of its first rows changed."""
    workbook = openpyxl.load_workbook(
        io.BytesIO(export_bulletin(bulletin=bulletin, file_format="xlsx"))
    )
    sheet = workbook.active
    headers = [cell.value for cell in sheet[1]]
    columns = [headers.index("產業範疇說明"), headers.index("願景")]
    for row in list(sheet.iter_rows(min_row=2))[:4]:
        for column in columns:
            row[column].value = f"{row[column].value}（修訂後的較長說明文字）"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_no_back_office_page_scrolls_sideways_at_1366_px_and_drafts_have_no_public_link(
    local_page, live_server, published_edition, editor, password, screenshot
):
    bulletin = published_edition.bulletin
    draft = services.create_edition(
        bulletin=bulletin, date=datetime.date(2026, 1, 30), user=editor, change_note="測試"
    )
    programme = Programme.objects.get(bulletin=bulletin, serial=1)
    scope = programme.scopes.order_by("order").first()
    attribute(scope, user=editor, reason="修正願景")
    scope.headline += "（修正）"
    scope.save()
    newer, older = scope.history.all()[:2]
    admin = live_server.url + "/admin"
    pages = {
        "programme": f"{admin}/catalogue/programme/{programme.pk}/change/",
        "scope": f"{admin}/catalogue/scope/{scope.pk}/change/",
        "bulletin": f"{admin}/catalogue/bulletin/{bulletin.pk}/change/",
        "programme-list": f"{admin}/catalogue/programme/",
        "edition-list": f"{admin}/publishing/edition/",
        "edition-published": f"{admin}/publishing/edition/{published_edition.pk}/change/",
        "edition-draft": f"{admin}/publishing/edition/{draft.pk}/change/",
        "edition-edit": f"{admin}/publishing/edition/{draft.pk}/edit/",
        "edition-step": f"{admin}/publishing/edition/{draft.pk}/step/submit/",
        "edition-add": f"{admin}/publishing/edition/add/",
        "edition-history": f"{admin}/publishing/edition/{draft.pk}/history/",
        "programme-history": f"{admin}/catalogue/programme/{programme.pk}/history/",
        "scope-history": f"{admin}/catalogue/scope/{scope.pk}/history/",
        "revision": f"{admin}/catalogue/scope/{scope.pk}/history/{older.history_id}/",
        "compare": f"{admin}/catalogue/scope/{scope.pk}/history/compare/"
        f"?old={older.history_id}&new={newer.history_id}",
        "import": f"{admin}/catalogue/programme/import/",
    }
    page = local_page
    _log_in(page, live_server, editor, password)
    widths = {}
    for name, url in pages.items():
        assert page.goto(url).ok, name
        widths[name] = _page_width(page)
        if name in ("programme", "scope", "programme-history", "edition-draft"):
            screenshot(page, f"layout-{name}")
        if name == "edition-draft":  # its public address would answer 404
            expect(page.get_by_role("link", name="在網站上檢視")).to_have_count(0)
        if name == "edition-published":
            public_page = page.get_by_role("link", name="在網站上檢視").get_attribute("href")

    page.get_by_label("檔案：", exact=True).set_input_files(
        {
            "name": "edited.xlsx",
            "mimeType": "application/octet-stream",
            "buffer": _edited_sheet(bulletin),
        }
    )
    page.get_by_role("button", name="預覽").click()
    heading = page.locator(".spreadsheet-rows thead th", has_text="政策性產業").first
    expect(heading).to_be_visible()
    page.wait_for_load_state("load")  # its scripts and fonts too, on a loaded machine
    widths["import-preview"] = _page_width(page)
    # A heading on one line: 政策性產業 was once one character per line.
    box = heading.bounding_box()
    assert box["width"] > box["height"] * 2
    screenshot(page, "layout-import-preview")

    assert {name: width for name, width in widths.items() if width > SCREEN["width"]} == {}
    page.goto(live_server.url + public_page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("114.12.30")


def test_editor_types_and_picks_roc_dates_in_the_edition_form(
    local_page, live_server, draft_edition, editor, password, screenshot
):
    page = local_page
    _log_in(page, live_server, editor, password)
    edit_url = f"{live_server.url}/admin/publishing/edition/{draft_edition.pk}/edit/"
    box = page.get_by_role("textbox", name="版本日期")

    def save(expected: datetime.date) -> None:
        page.get_by_role("button", name="儲存").click()
        expect(page.locator(".messagelist .success")).to_contain_text("已儲存版本")
        draft_edition.refresh_from_db()
        assert draft_edition.date == expected

    page.goto(edit_url)
    expect(box).to_have_value("114.12.30")
    box.fill("115.02.30")
    page.get_by_role("button", name="儲存").click()
    expect(page.locator(".errorlist")).to_have_text("日期無效：115 年 2 月沒有 30 日。")
    screenshot(page, "layout-edition-date-refused")

    box.fill("115.12.01")
    save(datetime.date(2026, 12, 1))
    page.goto(edit_url)
    expect(box).to_have_value("115.12.01")
    # The calendar beside the box: a picked day is written into it the agency's way.
    picker = page.get_by_label("以日曆選擇日期")
    expect(picker).to_have_value("2026-12-01")
    picker.fill("2026-11-30")
    expect(box).to_have_value("115.11.30")
    screenshot(page, "layout-edition-date-picked")
    save(datetime.date(2026, 11, 30))

    page.goto(edit_url)
    box.fill("1151201")
    save(datetime.date(2026, 12, 1))
    expect(page.locator(".messagelist .success")).to_have_text("已儲存版本 115.12.01。")
    assert Edition.objects.get(pk=draft_edition.pk).roc_date == "115.12.01"


def test_editor_reverts_a_scope_giving_a_reason(
    local_page, live_server, demo_bulletin, editor, password, screenshot
):
    scope = Scope.objects.get(programme__bulletin=demo_bulletin, programme__serial=1, order=1)
    original = scope.history.first()
    attribute(scope, user=editor, reason="誤改願景")
    scope.headline = "誤改的願景"
    scope.save()
    page = local_page
    _log_in(page, live_server, editor, password)
    page.goto(f"{live_server.url}/admin/catalogue/scope/{scope.pk}/history/")
    # The scope's own table: the page also lists its agencies' revisions, numbered alike.
    own = page.locator("#change-history")
    own.get_by_role("link", name=f"#{original.history_id}", exact=True).click()

    page.get_by_role("button", name="還原至此版本").click()
    expect(page.locator(".errorlist")).to_contain_text("請填寫還原理由；未還原任何資料。")
    page.get_by_role("textbox", name="還原理由").fill("誤改，恢復公告的願景")
    page.get_by_role("button", name="還原至此版本").click()

    expect(page.locator(".messagelist .success")).to_contain_text("已還原至")
    expect(page.locator("#change-history tbody tr").first).to_contain_text(
        "版本：誤改，恢復公告的願景"
    )
    screenshot(page, "layout-revert-reason")
    scope.refresh_from_db()
    assert scope.headline == original.headline
