"""A real Chromium for the browser tests, and nothing else leaving the test server.

Playwright's sync API runs an event loop in the test's thread, which Django's async-safety
check would take for async code: DJANGO_ALLOW_ASYNC_UNSAFE is set while the browser is open.
While that loop runs, Django (through asgiref) keeps the thread's database connections apart
from the ones the test had before: a query in the test opens a connection of its own, which
`chromium` closes at the end, or PostgreSQL could not drop the test database.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture
def chromium(live_server: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Debian's Chromium, driven by Playwright; the test is skipped when it is not installed."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing: install Debian's chromium to run browser tests")
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            connections.close_all()  # those opened while Playwright's loop ran


@pytest.fixture
def local_page(chromium: Any) -> Iterator[Any]:
    """A fresh page (its own cookies) that may only reach the test server; waits up to 10 s."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(10_000)
    context.route("**/*", _only_local)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def second_local_page(chromium: Any) -> Iterator[Any]:
    """Another person's browser beside local_page: its own cookies, the same limits."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    context.route("**/*", _only_local)
    page = context.new_page()
    yield page
    context.close()


def _only_local(route: Any) -> None:
    if route.request.url.startswith(("http://localhost", "http://127.0.0.1", "data:")):
        route.continue_()
    else:  # pragma: no cover - a failure shows up as a missing resource
        route.abort()


SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@pytest.fixture
def screenshot() -> Any:
    """Saves a full-page screenshot as artifacts/screenshots/<name>.png, kept after the run."""

    def take(page: Any, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
