"""The pages under their real Content-Security-Policy in Chromium: nothing they need is blocked,
the admin's scripts still run, and an injected inline script is refused."""

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _watch_csp(page: Any) -> list[str]:
    """Every CSP violation the page reports, as Chromium writes it to the console."""
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return violations


def test_public_pages_load_everything_they_need_under_the_policy(
    local_page, live_server, published_edition
):
    violations = _watch_csp(local_page)

    for path in ("/", "/editions/", published_edition.get_absolute_url(), "/no-such-page/"):
        local_page.goto(live_server.url + path)
        # The stylesheet applied: the header has the site's colours, not the browser's defaults.
        header = local_page.locator(".site-header")
        expect(header).to_be_visible()
        assert header.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"

    assert violations == []


def test_an_injected_inline_script_is_refused_on_a_public_page(local_page, live_server, db):
    local_page.goto(live_server.url + "/")

    with pytest.raises(PlaywrightError, match="Content Security Policy"):
        local_page.add_script_tag(content="window.injected = true")

    assert local_page.evaluate("window.injected === undefined")


def test_the_admin_works_under_the_policy(
    local_page, live_server, superuser, password, published_edition
):
    violations = _watch_csp(local_page)
    page = local_page
    page.goto(live_server.url + reverse("admin:login"))
    page.get_by_label("使用者名稱").fill(superuser.get_username())
    page.get_by_label("密碼").fill(password)
    page.get_by_role("button", name="登入").click()
    expect(page.get_by_role("button", name="登出")).to_be_visible()

    # actions.js: ticking the header box ticks every row, which only the admin's script does.
    page.goto(live_server.url + reverse("admin:catalogue_programme_changelist"))
    page.locator("#action-toggle").check()
    rows = page.locator("input.action-select")
    assert rows.count() > 0
    for index in range(rows.count()):
        expect(rows.nth(index)).to_be_checked()

    programme = published_edition.bulletin.programmes.first()
    page.goto(live_server.url + reverse("admin:catalogue_programme_change", args=[programme.pk]))
    expect(page.get_by_role("textbox", name="政策性產業")).to_have_value(programme.name)
    page.goto(
        live_server.url + reverse("admin:publishing_edition_change", args=[published_edition.pk])
    )
    expect(page.get_by_role("heading", name="可執行的操作")).to_be_visible()

    assert violations == []
