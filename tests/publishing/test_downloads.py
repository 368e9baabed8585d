"""Downloading an edition's files: only public editions, right headers, conditional requests."""

import datetime
import hashlib
from typing import Any
from urllib.parse import quote

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections
from django.utils.http import http_date

from publishing import services

pytestmark = pytest.mark.django_db

URL = "/editions/2025-12-30/policy-industries-114-12-30.{}"
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "json": "application/json",
}


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _close(response: Any) -> None:
    """Close the response's file as the test client does: without closing the test's database
    connection (request_finished would, and on PostgreSQL that ends the test's transaction)."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def _head(client: Any, url: str) -> Any:
    response = client.head(url)
    _close(response)
    return response


def _get(client: Any, url: str, **headers: Any) -> Any:
    """A response whose file is closed again: only its status and headers are kept."""
    response = client.get(url, **headers)
    _close(response)
    return response


@pytest.mark.parametrize("fmt", sorted(CONTENT_TYPES))
def test_every_file_downloads_with_its_content_type_and_hash(
    client: Any, published_edition: Any, fmt: str
) -> None:
    response = client.get(URL.format(fmt))
    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPES[fmt]
    stored = published_edition.files.get(format=fmt)
    body = _body(response)
    _close(response)
    assert hashlib.sha256(body).hexdigest() == stored.sha256
    assert response["Content-Length"] == str(stored.size) == str(len(body))


def test_download_has_a_chinese_file_name(client: Any, published_edition: Any) -> None:
    disposition = _get(client, URL.format("pdf"))["Content-Disposition"]
    assert disposition.startswith("inline; ")
    assert 'filename="policy-industries-114-12-30.pdf"' in disposition
    assert f"filename*=UTF-8''{quote('政策性產業彙整表-114-12-30.pdf')}" in disposition
    assert _get(client, URL.format("csv"))["Content-Disposition"].startswith("attachment; ")


def test_download_is_cached_for_long_with_etag_and_last_modified(
    client: Any, published_edition: Any
) -> None:
    response = _get(client, URL.format("pdf"))
    stored = published_edition.files.get(format="pdf")
    assert response["ETag"] == f'"{stored.sha256}"'
    assert response["Last-Modified"] == http_date(stored.created_at.timestamp())
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"


def test_download_answers_304_to_a_matching_etag(client: Any, published_edition: Any) -> None:
    etag = _get(client, URL.format("json"))["ETag"]
    assert _get(client, URL.format("json"), HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert _get(client, URL.format("json"), HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_download_answers_304_when_not_modified_since(client: Any, published_edition: Any) -> None:
    since = _get(client, URL.format("csv"))["Last-Modified"]
    assert _get(client, URL.format("csv"), HTTP_IF_MODIFIED_SINCE=since).status_code == 304
    earlier = http_date((published_edition.published_at - datetime.timedelta(days=1)).timestamp())
    assert _get(client, URL.format("csv"), HTTP_IF_MODIFIED_SINCE=earlier).status_code == 200


def test_files_of_an_unpublished_edition_are_not_found(
    client: Any, approved_edition: Any, approver: Any
) -> None:
    client.force_login(approver)
    for fmt in CONTENT_TYPES:
        assert _get(client, URL.format(fmt)).status_code == 404


def test_guessed_file_urls_are_not_found(client: Any, published_edition: Any) -> None:
    stored = published_edition.files.get(format="pdf")
    for url in (
        "/editions/2025-12-30/policy-industries-114-12-30.exe",
        "/editions/2025-12-30/other-114-12-30.pdf",
        "/editions/2025-12-31/policy-industries-114-12-31.pdf",
        "/editions/2025-12-30/policy-industries-114-12-30",
        "/" + stored.file.name,
        "/media/" + stored.file.name,
    ):
        assert _get(client, url).status_code == 404, url


def test_files_of_a_later_edition_in_review_are_not_found(
    client: Any, published_edition: Any, editor: Any
) -> None:
    draft = services.create_edition(
        bulletin=published_edition.bulletin, date=datetime.date(2026, 2, 1), user=editor
    )
    services.submit_edition(edition=draft, user=editor)
    assert _get(client, "/editions/2026-02-01/policy-industries-115-02-01.pdf").status_code == 404
    assert _get(client, "/editions/2026-02-01/").status_code == 404


def test_files_of_a_withdrawn_edition_stay_downloadable(
    client: Any, published_edition: Any, approver: Any
) -> None:
    services.withdraw_edition(edition=published_edition, user=approver, comment="資料有誤。")
    assert _get(client, URL.format("pdf")).status_code == 200
    assert "資料有誤。" in _get(client, "/editions/2025-12-30/").content.decode()


def test_download_refuses_writes(client: Any, published_edition: Any) -> None:
    assert client.post(URL.format("pdf")).status_code == 405
    assert _head(client, URL.format("pdf")).status_code == 200
