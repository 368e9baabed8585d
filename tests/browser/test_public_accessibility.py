"""The public pages in a real Chromium: axe-core finds no serious or critical problem,
HTML_CodeSniffer (pa11y's runner) no WCAG2AA error, the skip link works from the keyboard, and a
360 px wide phone never scrolls the page sideways.

Playwright's sync API runs an event loop in this thread, which Django's async-safety check
would take for async code: DJANGO_ALLOW_ASYNC_UNSAFE is set for these tests only, and the tests
touch the database only before the browser starts.
"""

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from catalogue.models import Scope
from publishing import services

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
HTMLCS = Path(__file__).resolve().parent / "vendor" / "HTMLCS.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
PAGES = (
    "/",
    "/editions/",
    "/editions/2025-12-30/",
    "/editions/2026-01-30/",
    "/search/",
    "/search/?q=半導體&all=1",
    "/search/?q=不存在的產業名稱",
    "/scopes/{scope}/",
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def public_site(published_edition: Any, editor: Any, approver: Any) -> Any:
    """The demo edition, superseded by a second one that changed a text (so a diff shows)."""
    scope = Scope.objects.get(title="半導體")
    scope.description = "包括晶片設計、晶圓代工及先進封裝。"
    scope.save()
    edition = services.create_edition(
        bulletin=published_edition.bulletin,
        date=datetime.date(2026, 1, 30),
        user=editor,
        change_note="修正半導體範疇說明。",
    )
    edition = services.submit_edition(edition=edition, user=editor)
    edition = services.approve_edition(edition=edition, user=approver)
    services.publish_edition(edition=edition, user=approver)
    return {"scope": scope.pk}


@pytest.fixture
def browser(public_site: Any, live_server: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing: install Debian's chromium to run browser tests")
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _page(browser: Any, width: int = 1280, height: int = 900) -> Any:
    # axe-core is injected as an inline script, which the site's CSP rightly refuses: the audit
    # tool, not the page, is let through (tests/browser/test_content_security_policy.py checks
    # the pages under their real policy).
    page = browser.new_page(viewport={"width": width, "height": height}, bypass_csp=True)
    # No request may leave the test server: no CDN, no web font service.
    page.route("**/*", _only_local)
    return page


def _only_local(route: Any) -> None:
    if route.request.url.startswith(("http://localhost", "http://127.0.0.1", "data:")):
        route.continue_()
    else:  # pragma: no cover - a failure shows up as a missing resource
        route.abort()


def _axe(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def _describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in violations
    )


def _htmlcs_errors(page: Any) -> list[str]:
    """HTML_CodeSniffer's WCAG2AA errors, as pa11y reports them (code and element)."""
    page.add_script_tag(content=HTMLCS.read_text(encoding="utf-8"))
    return page.evaluate(
        """() => new Promise(resolve => HTMLCS.process('WCAG2AA', document, () => resolve(
            HTMLCS.getMessages().filter(m => m.type === HTMLCS.ERROR).map(
                m => m.code + ' ' + (m.element.outerHTML || '').slice(0, 160)))))"""
    )


@pytest.mark.parametrize("path", PAGES)
def test_public_page_has_no_html_codesniffer_wcag2aa_error(
    browser: Any, live_server: Any, public_site: Any, path: str
) -> None:
    page = _page(browser)
    response = page.goto(live_server.url + path.format(**public_site))
    assert response.status == 200
    errors = _htmlcs_errors(page)
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("path", PAGES)
def test_public_page_has_no_serious_accessibility_violation(
    browser: Any, live_server: Any, public_site: Any, path: str
) -> None:
    page = _page(browser)
    response = page.goto(live_server.url + path.format(**public_site))
    assert response.status == 200
    violations = _axe(page)
    assert not violations, _describe(violations)


@pytest.mark.parametrize("path", PAGES)
def test_public_page_on_a_360_px_phone_is_accessible_and_does_not_scroll_sideways(
    browser: Any, live_server: Any, public_site: Any, path: str
) -> None:
    page = _page(browser, width=360, height=740)
    page.goto(live_server.url + path.format(**public_site))
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"page is {widths[0]} px wide in a {widths[1]} px window"
    violations = _axe(page)
    assert not violations, _describe(violations)


def test_public_page_is_in_traditional_chinese_with_one_h1(browser: Any, live_server: Any) -> None:
    page = _page(browser)
    page.goto(live_server.url + "/")
    assert page.evaluate("document.documentElement.lang") == "zh-Hant-TW"
    assert page.locator("h1").count() == 1


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_the_content(
    browser: Any, live_server: Any
) -> None:
    page = _page(browser)
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["y"] >= 0  # shown on screen once focused
    page.keyboard.press("Enter")
    page.wait_for_url("**/#main", timeout=5000)  # the fragment's navigation, on a loaded machine
    assert page.url.endswith("#main")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    # The next stop is inside the content, not back in the header.
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")


def test_focused_link_has_a_visible_outline(browser: Any, live_server: Any) -> None:
    page = _page(browser)
    page.goto(live_server.url + "/editions/")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    style = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth, document.activeElement.tagName]; }"
    )
    assert style[2] == "A"
    assert style[0] != "none" and style[1] != "0px"


def test_downloads_work_from_the_browser(browser: Any, live_server: Any) -> None:
    page = _page(browser)
    response = page.goto(live_server.url + "/editions/2026-01-30/policy-industries-115-01-30.pdf")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
