"""The look-up, the row links and the phone cards in a real Chromium, under the site's real CSP."""

from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_search_from_the_keyboard_finds_and_marks_a_scope(
    local_page: Any, live_server: Any, published_edition: Any, screenshot: Any
) -> None:
    page = local_page
    page.goto(live_server.url + "/")
    for _ in range(20):  # Tab through the header to the search box
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "site-search-q":
            break
    assert page.evaluate("document.activeElement.id") == "site-search-q"
    page.keyboard.type("臺灣ＡＩ")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=*")
    heading = page.locator("#results-heading")
    expect(heading).to_contain_text("找到")
    assert "查詢結果" in page.title()
    marks = page.locator(".search-results mark")
    assert marks.count() >= 1
    assert "台灣AI" in marks.first.inner_text()  # 臺灣ＡＩ found 台灣AI
    # The results' links are the next stops, from the keyboard too.
    page.locator("#search-q").focus()
    for _ in range(5):
        page.keyboard.press("Tab")
        href = page.evaluate("document.activeElement.getAttribute('href') || ''")
        if "#programme-" in href or "#scope-" in href:
            break
    assert "#programme-" in href or "#scope-" in href
    page.keyboard.press("Enter")
    page.wait_for_url("**/editions/2025-12-30/#*")
    screenshot(page, "public-search-target")
    page.goto(live_server.url + "/search/?q=%E5%8D%8A%E5%B0%8E%E9%AB%94")
    screenshot(page, "public-search")


def test_copy_button_puts_the_rows_address_on_the_clipboard(
    local_page: Any, live_server: Any, published_edition: Any, screenshot: Any
) -> None:
    page = local_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(live_server.url + published_edition.get_absolute_url())
    button = page.locator("th.scope button.copy-link").first
    expect(button).to_be_visible()
    row_id = button.evaluate("b => b.closest('tr').id")
    button.click()
    expect(page.locator("#copy-status")).to_have_text("已複製連結")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == f"{live_server.url}{published_edition.get_absolute_url()}#{row_id}"
    # The address brings the row into view.
    page.goto(copied)
    assert page.locator(f"#{row_id}").is_visible()
    screenshot(page, "public-table")


def test_without_script_the_copy_buttons_hide_and_the_plain_links_remain(
    chromium: Any, live_server: Any, published_edition: Any
) -> None:
    context = chromium.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/")
        assert page.locator("button.copy-link").first.is_hidden()
        link = page.locator("th.scope a.row-link").first
        expect(link).to_be_visible()
        assert link.get_attribute("href").startswith("#scope-")
    finally:
        context.close()


def test_on_a_360_px_phone_every_card_names_its_programme_and_scope(
    chromium: Any, live_server: Any, published_edition: Any, screenshot: Any
) -> None:
    context = chromium.new_context(viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        page.goto(live_server.url + "/")
        rows = page.evaluate(
            """() => Array.from(document.querySelectorAll('.bulletin tbody tr')).map(tr => {
                const body = tr.closest('tbody');
                const name = body.querySelector('.programme-name').firstChild.textContent.trim();
                const scope = tr.querySelector('th.scope .scope-description').innerText.trim();
                return [name, scope, tr.innerText];
            })"""
        )
        assert len(rows) == 20
        for name, scope, text in rows:
            assert name in text, f"a card lost its programme {name!r}"
            assert scope[:10] in text
        # A jump list at the top and a way back up.
        expect(page.locator(".jump-list a").first).to_be_visible()
        back = page.locator(".back-to-top a")
        back.click()
        assert page.evaluate("window.scrollY") == 0
        screenshot(page, "public-phone")
    finally:
        context.close()
