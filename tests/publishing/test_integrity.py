"""Tampering with what was published: downloads refuse altered files, `edition verify` finds them.

The stored files are changed on disk as an intruder or a failing disk would; the database rows
are changed past the model and the PostgreSQL triggers (which refuse any such change).
"""

import datetime
import hashlib
import io
import logging
import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from tampering import tamper

from publishing import services
from publishing.models import Edition

pytestmark = pytest.mark.django_db

URL = "/editions/2025-12-30/policy-industries-114-12-30.{}"


def _path(edition: Edition, fmt: str) -> Path:
    return Path(edition.files.get(format=fmt).file.path)


def _verify(*args: str) -> tuple[list[str], str | None]:
    """(lines printed, the error's message or None) of `manage.py edition verify …`."""
    out = io.StringIO()
    try:
        call_command("edition", "verify", *args, stdout=out)
    except CommandError as error:
        return out.getvalue().splitlines(), str(error)
    return out.getvalue().splitlines(), None


def _tamper(edition: Edition, **fields: Any) -> None:
    """Change a public edition's row behind the model's and the database's back."""
    tamper(edition, **fields)


def _second_edition(first: Edition, editor: Any, approver: Any) -> Edition:
    draft = services.create_edition(
        bulletin=first.bulletin, date=datetime.date(2026, 3, 31), user=editor
    )
    submitted = services.submit_edition(edition=draft, user=editor)
    approved = services.approve_edition(edition=submitted, user=approver)
    return services.publish_edition(edition=approved, user=approver)


# Downloads


def test_intact_file_downloads_twice_with_its_published_bytes(client, published_edition):
    stored = published_edition.files.get(format="html")
    for _ in range(2):  # the second time from the remembered hash
        response = client.get(URL.format("html"))
        assert response.status_code == 200
        assert hashlib.sha256(response.content).hexdigest() == stored.sha256


def test_deleted_file_answers_503_and_is_logged(client, published_edition, caplog):
    _path(published_edition, "pdf").unlink()
    with caplog.at_level(logging.ERROR, logger="publishing.integrity"):
        response = client.get(URL.format("pdf"))
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert "檔案暫時無法提供" in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert "edition file refused" in caplog.text
    assert f"edition={published_edition.pk} format=pdf" in caplog.text


def test_truncated_file_answers_503_not_its_old_length(client, published_edition):
    path = _path(published_edition, "pdf")
    client.get(URL.format("pdf"))  # verified once, then cut short
    path.write_bytes(path.read_bytes()[:1000])
    response = client.get(URL.format("pdf"))
    assert response.status_code == 503
    assert not response.streaming
    assert int(response["Content-Length"]) == len(response.content)
    assert b"%PDF" not in response.content


def test_same_length_edit_of_the_html_is_refused(client, published_edition):
    path = _path(published_edition, "html")
    assert client.get(URL.format("html")).status_code == 200
    data = path.read_bytes()
    path.write_bytes(data.replace("彙整表".encode(), "彙総表".encode(), 1))
    assert path.stat().st_size == len(data)
    assert client.get(URL.format("html")).status_code == 503


def test_same_length_edit_with_the_old_modification_time_is_refused(client, published_edition):
    """An intruder who puts the modification time back still changes the file's change time."""
    path = _path(published_edition, "csv")
    assert client.get(URL.format("csv")).status_code == 200
    before = path.stat()
    path.write_bytes(path.read_bytes().replace(b"1", b"7", 1))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert client.get(URL.format("csv")).status_code == 503


def test_unreadable_file_answers_503_not_500(client, published_edition):
    path = _path(published_edition, "xlsx")
    path.unlink()
    path.mkdir()  # open() fails with IsADirectoryError, as a failing disk might
    try:
        assert client.get(URL.format("xlsx")).status_code == 503
        lines, error = _verify("--all")
        assert error is not None
        assert any("不符：xlsx" in line and "無法讀取檔案" in line for line in lines)
    finally:
        path.rmdir()


def test_conditional_request_with_the_published_etag_still_answers_304(client, published_edition):
    """The client already holds the published bytes: nothing is sent, so nothing to refuse."""
    stored = published_edition.files.get(format="json")
    _path(published_edition, "json").unlink()
    response = client.get(URL.format("json"), HTTP_IF_NONE_MATCH=f'"{stored.sha256}"')
    assert response.status_code == 304


# manage.py edition verify


def test_verify_all_passes_on_intact_editions(published_edition, editor, approver):
    second = _second_edition(published_edition, editor, approver)
    lines, error = _verify("--all")
    assert error is None
    assert lines[0].startswith(f"{published_edition.pk}\tpolicy-industries\t114.12.30\t正確")
    assert lines[1].startswith(f"{second.pk}\tpolicy-industries\t115.03.31\t正確")
    assert lines[-1] == "核對 2 個公告版本，全部與公告時相同。"


def test_verify_one_follows_the_chain_back_to_the_first_edition(
    published_edition, editor, approver
):
    second = _second_edition(published_edition, editor, approver)
    _path(published_edition, "ods").unlink()
    lines, error = _verify(str(second.pk))
    assert error == "核對 2 個公告版本，發現 1 處不符。"
    assert any(
        line.startswith(f"{published_edition.pk}\t") and "不符：ods" in line for line in lines
    )


def test_verify_reports_each_altered_file(published_edition):
    _path(published_edition, "pdf").unlink()
    html = _path(published_edition, "html")
    html.write_bytes(html.read_bytes().replace("彙整表".encode(), "彙総表".encode(), 1))
    csv = _path(published_edition, "csv")
    csv.write_bytes(csv.read_bytes()[:-10])
    lines, error = _verify("--all")
    assert error == "核對 1 個公告版本，發現 3 處不符。"
    text = "\n".join(lines)
    assert re.search(r"不符：pdf（editions/\S+\.pdf）：檔案不存在", text)
    assert re.search(r"不符：html（editions/\S+\.html）：SHA-256 為 [0-9a-f]{64}，公告時為 ", text)
    assert re.search(r"不符：csv（editions/\S+\.csv）：大小為 \d+ 位元組，公告時為 ", text)


def test_verify_finds_an_altered_snapshot(published_edition):
    snapshot = published_edition.snapshot
    snapshot["programmes"][0]["name"] += "（竄改）"
    _tamper(published_edition, snapshot=snapshot)
    lines, error = _verify(str(published_edition.pk))
    assert error is not None
    assert "內容 SHA-256 為 " in "\n".join(lines)
    assert f"紀錄為 {published_edition.snapshot_sha256}" in "\n".join(lines)


def test_verify_finds_a_broken_link_to_the_previous_edition(published_edition, editor, approver):
    second = _second_edition(published_edition, editor, approver)
    _tamper(second, previous_sha256="0" * 64)
    lines, error = _verify("--all")
    assert error == "核對 2 個公告版本，發現 1 處不符。"
    assert f"前一版本 SHA-256 為 {'0' * 64}，但 114.12.30 版本的內容 SHA-256 為" in "\n".join(lines)


def test_verify_refuses_an_edition_that_is_not_public(approved_edition):
    lines, error = _verify(str(approved_edition.pk))
    assert error == f"版本 {approved_edition.pk} 尚未公告，沒有可核對的公告內容。"
