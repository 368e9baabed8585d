"""/latest.<format>: a short-lived redirect (302) to that file of the edition in force."""

import datetime
from typing import Any

import pytest
from bulletins import SECOND_SLUG, publish, second_bulletin

from publishing import services

pytestmark = pytest.mark.django_db

FORMATS = ("pdf", "csv", "json", "xlsx", "ods", "html")


def test_each_latest_address_redirects_to_the_file_in_force(
    client: Any, published_edition: Any
) -> None:
    for fmt in FORMATS:
        response = client.get(f"/latest.{fmt}")
        assert response.status_code == 302
        assert response["Location"] == f"/editions/2025-12-30/policy-industries-114-12-30.{fmt}"
        assert response["Cache-Control"] == "public, max-age=60"
        target = client.get(response["Location"])
        assert target.status_code == 200
        assert target.content == published_edition.files.get(format=fmt).file.read()
    response = client.get("/latest/datapackage.json")
    assert response["Location"] == "/editions/2025-12-30/datapackage.json"


def test_latest_follows_the_next_edition_and_skips_a_withdrawn_one(
    client: Any, published_edition: Any, editor: Any, approver: Any, second_approver: Any
) -> None:
    second = publish(published_edition.bulletin, datetime.date(2026, 1, 30), editor, approver)
    assert client.get("/latest.csv")["Location"].startswith("/editions/2026-01-30/")
    services.withdraw_edition(edition=second, user=second_approver, comment="資料有誤。")
    # Nothing is in force any more: a withdrawn edition is no one's latest file.
    assert client.get("/latest.csv").status_code == 404


def test_latest_is_404_before_anything_is_published(client: Any, approved_edition: Any) -> None:
    assert client.get("/latest.pdf").status_code == 404
    assert client.get("/latest.docx").status_code == 404


def test_each_bulletin_has_its_latest_addresses(
    client: Any, published_edition: Any, editor: Any, approver: Any
) -> None:
    publish(second_bulletin(), datetime.date(2026, 1, 15), editor, approver)
    response = client.get(f"/b/{SECOND_SLUG}/latest.pdf")
    assert response.status_code == 302
    assert response["Location"] == (
        f"/b/{SECOND_SLUG}/editions/2026-01-15/{SECOND_SLUG}-115-01-15.pdf"
    )
    assert client.get(response["Location"]).status_code == 200
    assert client.get("/latest.pdf")["Location"].startswith("/editions/2025-12-30/")
    assert client.get("/b/policy-industries/latest.pdf")["Location"].startswith("/editions/")
