"""The Atom feed of editions: public editions only, newest first, withdrawn ones with reason."""

import datetime
from typing import Any
from xml.etree import ElementTree

import pytest

from publishing import services

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def _entries(client: Any) -> list[Any]:
    response = client.get("/editions/feed.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ElementTree.fromstring(response.content).findall(f"{ATOM}entry")


def test_feed_lists_the_published_edition(client: Any, published_edition: Any) -> None:
    (entry,) = _entries(client)
    assert "114.12.30" in entry.findtext(f"{ATOM}title")
    assert entry.find(f"{ATOM}link").get("href").endswith("/editions/2025-12-30/")
    assert "114年12月30日公告版本。" in entry.findtext(f"{ATOM}summary")


def test_feed_leaves_out_editions_in_review(
    client: Any, published_edition: Any, editor: Any
) -> None:
    services.create_edition(
        bulletin=published_edition.bulletin, date=datetime.date(2026, 2, 1), user=editor
    )
    assert len(_entries(client)) == 1


def test_feed_shows_a_withdrawn_edition_with_its_reason(
    client: Any, published_edition: Any, approver: Any
) -> None:
    services.withdraw_edition(edition=published_edition, user=approver, comment="資料有誤。")
    (entry,) = _entries(client)
    assert "已撤回" in entry.findtext(f"{ATOM}title")
    assert "資料有誤。" in entry.findtext(f"{ATOM}summary")


def test_feed_is_empty_before_anything_is_published(client: Any, approved_edition: Any) -> None:
    assert _entries(client) == []
