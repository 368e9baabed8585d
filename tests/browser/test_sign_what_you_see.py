"""An approver opens the files of a submitted edition, approves them, publishes, and watches
the page follow the worker until the edition is 已公告 — in a real Chromium, with a real
db_worker taking the publication."""

import hashlib
import re
from typing import Any

import pytest
from playwright.sync_api import expect
from workers import DATABASE_TASKS, run_worker_thread

from publishing.models import Edition

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_approver_opens_the_files_approves_publishes_and_sees_the_progress_end_published(
    submitted_edition: Edition,
    settings: Any,
    local_page: Any,
    live_server: Any,
    approver: Any,
    password: str,
    screenshot: Any,
) -> None:
    settings.TASKS = DATABASE_TASKS  # the files are rendered; from here on a worker publishes
    page = local_page
    page.goto(live_server.url + "/admin/")
    page.get_by_label("使用者名稱").fill(approver.get_username())
    page.get_by_label("密碼").fill(password)
    page.get_by_role("button", name="登入").click()
    page.goto(live_server.url + f"/admin/publishing/edition/{submitted_edition.pk}/change/")

    files = page.get_by_role("region", name="公告檔案")
    pdf = submitted_edition.files.get(format="pdf")
    expect(files.locator("tbody tr")).to_have_count(7)
    expect(files).to_contain_text(pdf.sha256)
    screenshot(page, "edition-awaiting-approval")

    # The PDF opens in the browser (inline), byte for byte the file whose SHA-256 is listed.
    link = files.get_by_role("link", name=pdf.filename)
    response = page.request.get(live_server.url + link.get_attribute("href"))
    assert response.headers["content-disposition"].startswith("inline")
    assert hashlib.sha256(response.body()).hexdigest() == pdf.sha256
    files.get_by_role("link", name=re.compile(r"\.html$")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("政策性產業")
    page.go_back()

    steps = page.locator(".edition-steps-section")
    steps.get_by_role("link", name="核定", exact=True).click()
    expect(page.get_by_role("table", name="公告檔案")).to_contain_text(pdf.sha256)
    expect(page.locator("#content-main")).to_contain_text("首次公告")
    page.get_by_role("button", name="確定核定").click()
    expect(page.locator(".messagelist .success")).to_contain_text("已核定")

    steps.get_by_role("link", name="公告", exact=True).click()
    page.get_by_role("button", name="確定公告").click()
    progress = page.get_by_role("region", name="背景工作進度")
    expect(progress).to_contain_text("等待處理")
    assert Edition.objects.get(pk=submitted_edition.pk).status == Edition.Status.APPROVED

    run_worker_thread()

    # The page reloads itself while work is pending (a meta refresh: no script under the CSP).
    expect(page.locator(".field-status")).to_contain_text("已公告")
    expect(progress).to_contain_text("已完成")
    screenshot(page, "edition-published-by-worker")
    # Published as approved; the seal follows the approved bytes (their SHA-256 kept).
    assert Edition.objects.get(pk=submitted_edition.pk).files.get(format="pdf").unsigned_sha256 == (
        pdf.sha256
    )
