"""The admin's front page in a real Chromium: an editor finds their draft and what the
catalogue gained since, submits it; the approver, told by mail, finds it waiting on theirs."""

import datetime
import re
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import expect

from catalogue.history import attribute
from catalogue.models import Programme
from publishing import services
from publishing.models import Edition

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _log_in(page: Any, live_server: Any, user: Any, password: str) -> None:
    page.goto(live_server.url + "/admin/")
    page.get_by_label("使用者名稱").fill(user.get_username())
    page.get_by_label("密碼").fill(password)
    page.get_by_role("button", name="登入").click()
    expect(page.get_by_role("button", name="登出")).to_be_visible()


def test_the_approver_finds_the_submitted_edition_on_the_front_page(
    local_page: Any,
    live_server: Any,
    published_edition: Edition,
    editor: Any,
    approver: Any,
    password: str,
    screenshot: Any,
) -> None:
    approver.email = "approver1@example.invalid"
    approver.save()
    bulletin = published_edition.bulletin
    draft = services.create_edition(bulletin=bulletin, date=datetime.date(2026, 1, 30), user=editor)
    programme = Programme.objects.get(bulletin=bulletin, serial=4)
    attribute(programme, user=editor, reason="依行政院核定名稱修正")
    programme.name = "新南向政策推進計畫"
    programme.save()

    page = local_page
    _log_in(page, live_server, editor, password)
    drafts = page.get_by_role("region", name="我的草稿")
    expect(drafts.get_by_role("link", name=re.compile("115.01.30"))).to_be_visible()
    changes = page.get_by_role("region", name="尚未納入版本的目錄異動")
    expect(changes).to_contain_text("1 筆異動尚未納入任何版本（相較於 115.01.30 版）")
    expect(page.get_by_role("region", name="待我核定的版本")).to_have_count(0)
    screenshot(page, "dashboard-editor")

    changes.get_by_role("link", name="查看尚未公告的異動").click()
    diff = page.get_by_role("region", name="目前的目錄與 114.12.30 公告版本的差異")
    expect(diff.locator("tbody tr")).to_have_count(1)
    expect(diff.locator("tbody tr ins")).to_have_text("進")

    page.goto(live_server.url + "/admin/")
    drafts.get_by_role("link", name=re.compile("115.01.30")).click()
    page.locator(".edition-steps-section").get_by_role("link", name="送審", exact=True).click()
    page.get_by_role("button", name="確定送審").click()
    expect(page.locator(".messagelist .success")).to_contain_text("已送審")
    (message,) = mail.outbox
    assert message.to == [approver.email]
    assert message.subject == "[政策性產業彙整表] 115.01.30 版待您核定"
    page.get_by_role("button", name="登出").click()

    _log_in(page, live_server, approver, password)
    awaiting = page.get_by_role("region", name="待我核定的版本")
    link = awaiting.get_by_role("link", name=re.compile("115.01.30"))
    expect(link).to_be_visible()
    expect(awaiting).not_to_contain_text("您不能核定")
    in_force = page.get_by_role("region", name="現行公告版本")
    expect(in_force).to_contain_text("114.12.30")
    expect(page.get_by_role("region", name="最近動態")).to_contain_text("送審")
    screenshot(page, "dashboard-approver")
    link.click()
    assert page.url.endswith(f"/admin/publishing/edition/{draft.pk}/change/")
    assert f"/admin/publishing/edition/{draft.pk}/change/" in message.body
