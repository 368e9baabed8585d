"""Editions stored in a real S3-compatible bucket (moto_server, tests/bucket.py) behave as on the
file system: rendered at submission, sealed and published, downloaded with the integrity check,
verified; nothing is left in storage that no row points to, after a publication or a failed one.
Each test runs on both storages, so the file system is the reference."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from bucket import Bucket, new_bucket, store_in
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from catalogue.management.commands.clean_import_previews import preview_folder
from catalogue.models import Scope
from catalogue.spreadsheet.formats import FORMATS
from catalogue.spreadsheet.resources import export_dataset
from publishing import services
from publishing.events import edition_event
from publishing.lifecycle import Action
from publishing.links import public_url
from publishing.models import Edition, EditionFile
from publishing.selectors import public_filename

pytestmark = pytest.mark.django_db

URL = "/editions/2025-12-30/policy-industries-114-12-30.{}"
IMPORT = reverse("admin:catalogue_programme_spreadsheet_import")
CONFIRM = reverse("admin:catalogue_programme_spreadsheet_confirm")
HEADERS = ("Content-Type", "Content-Disposition", "Content-Length", "ETag", "Cache-Control")


class Stored:
    """What a storage holds, listed and read without Django: keys and bytes."""

    def __init__(self, keys: Callable[[], set[str]], read: Callable[[str], bytes]) -> None:
        self.keys, self.read = keys, read


@pytest.fixture(params=["file system", "bucket"])
def stored(request: pytest.FixtureRequest, settings: Any, tmp_path: Path) -> Stored:
    """The default storage of this test: a folder of its own, or a fresh bucket."""
    if request.param == "bucket":
        bucket: Bucket = request.getfixturevalue("bucket")
        return Stored(bucket.keys, bucket.read)
    settings.MEDIA_ROOT = str(tmp_path)
    return Stored(
        lambda: {str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()},
        lambda key: (tmp_path / key).read_bytes(),
    )


def _names(edition: Edition) -> set[str]:
    return {row.file.name for row in EditionFile.objects.filter(edition=edition)}


def _publish(edition: Edition, user: Any, capture: Any) -> Edition:
    with capture(execute=True):
        return services.publish_edition(edition=edition, user=user)


def test_submission_stores_every_rendered_file_under_its_row(
    stored: Stored, submitted_edition: Edition
) -> None:
    rows = list(submitted_edition.files.all())
    assert {row.format for row in rows} == set(EditionFile.Format.values)
    assert stored.keys() == _names(submitted_edition)
    for row in rows:
        assert row.file.name.startswith("editions/")
        assert hashlib.sha256(stored.read(row.file.name)).hexdigest() == row.sha256


def test_publication_seals_the_pdf_and_leaves_only_the_files_rows_point_to(
    stored: Stored,
    approved_edition: Edition,
    approver: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    approved_pdf = approved_edition.files.get(format="pdf").file.name
    published = _publish(approved_edition, approver, django_capture_on_commit_callbacks)

    pdf = published.files.get(format="pdf")
    assert pdf.signed_by and pdf.file.name != approved_pdf
    assert stored.keys() == _names(published)  # the unsealed PDF is gone
    sealed = stored.read(pdf.file.name)
    assert hashlib.sha256(sealed).hexdigest() == pdf.sha256
    # ... and recoverable: the sealed file starts with the approved bytes.
    assert hashlib.sha256(sealed[: pdf.unsigned_size]).hexdigest() == pdf.unsigned_sha256


def test_a_failed_publication_leaves_the_approved_files_and_nothing_else(
    stored: Stored,
    approved_edition: Edition,
    approver: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    before = stored.keys()

    def fail(sender: Any, event: Any, **kwargs: Any) -> None:
        if event.name == Action.PUBLISH:
            raise RuntimeError("the database went away")

    edition_event.connect(fail, dispatch_uid="test_bucket_fail")
    try:
        with pytest.raises(RuntimeError):
            _publish(approved_edition, approver, django_capture_on_commit_callbacks)
    finally:
        edition_event.disconnect(dispatch_uid="test_bucket_fail")

    approved_edition.refresh_from_db()
    assert approved_edition.status == Edition.Status.APPROVED
    assert stored.keys() == before == _names(approved_edition)


def test_downloads_from_a_bucket_are_those_from_the_file_system(
    client: Any,
    published_edition: Edition,
    s3_endpoint: str,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = list(published_edition.files.all())
    urls = {row.format: _download_url(row) for row in rows}
    from_disk = {fmt: client.get(url) for fmt, url in urls.items()}

    # Moved as docs/operators.md says: every file copied across under its own key.
    target = store_in(new_bucket(s3_endpoint), settings, monkeypatch)
    for row in rows:
        data = (Path(settings.MEDIA_ROOT) / row.file.name).read_bytes()
        target.client.put_object(Bucket=target.name, Key=row.file.name, Body=data)

    for fmt, url in urls.items():
        response, expected = client.get(url), from_disk[fmt]
        assert response.status_code == expected.status_code == 200, fmt
        for header in HEADERS:
            assert response[header] == expected[header], (fmt, header)
        assert response.content == expected.content
    assert from_disk["pdf"]["Content-Type"] == "application/pdf"
    assert from_disk["csv"]["Content-Disposition"].startswith("attachment; ")


def _download_url(row: EditionFile) -> str:
    edition = row.edition
    name = public_filename(edition, row.format)
    return public_url("download", edition.bulletin.slug, edition.date, name)


def test_an_altered_stored_file_is_refused_at_download_and_by_verify(
    stored: Stored, client: Any, published_edition: Edition
) -> None:
    row = published_edition.files.get(format="csv")
    out = StringIO()
    call_command("edition", "verify", "--all", stdout=out)
    assert "全部與公告時相同" in out.getvalue()

    # Every download hashes again: the altered bytes (same size) are never sent.
    data = bytearray(stored.read(row.file.name))
    data[-2] ^= 1
    default_storage.delete(row.file.name)
    assert default_storage.save(row.file.name, ContentFile(bytes(data))) == row.file.name
    assert client.get(URL.format("csv")).status_code == 503

    with pytest.raises(CommandError):
        call_command("edition", "verify", "--all", stdout=out)
    assert "不符" in out.getvalue()


def test_a_bucket_copied_to_another_restores_and_verifies(
    bucket: Bucket,
    published_edition: Edition,
    s3_endpoint: str,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The bucket's half of a backup (docs/operators.md: aws s3 sync); the database's half is
    # tests/publishing/test_backup_restore.py.
    restored = new_bucket(s3_endpoint)
    for key in bucket.keys():
        restored.client.put_object(Bucket=restored.name, Key=key, Body=bucket.read(key))
    store_in(restored, settings, monkeypatch)
    out = StringIO()
    call_command("edition", "verify", "--all", stdout=out)
    assert "核對 1 個公告版本，全部與公告時相同。" in out.getvalue()

    lost = published_edition.files.get(format="pdf").file.name
    restored.client.delete_object(Bucket=restored.name, Key=lost)
    with pytest.raises(CommandError):
        call_command("edition", "verify", "--all", stdout=out)
    assert "檔案不存在" in out.getvalue()


def test_an_import_preview_waits_in_the_bucket_until_confirmed(
    bucket: Bucket, editor: Any, demo_bulletin: Any
) -> None:
    client = Client()
    client.force_login(editor)
    upload = SimpleUploadedFile("e.csv", _edited_csv(demo_bulletin))
    preview = client.post(IMPORT, {"bulletin": demo_bulletin.pk, "file": upload})
    form = preview.context["confirm_form"]
    token = form["token"].value()
    assert f"{preview_folder()}/{token}" in bucket.keys()

    response = client.post(CONFIRM, {"token": token, "fingerprint": form["fingerprint"].value()})

    assert response.status_code == 302
    assert Scope.objects.filter(headline="成為半導體強國").exists()
    assert bucket.keys() == set()


def _edited_csv(bulletin: Any) -> bytes:
    dataset = export_dataset(bulletin)
    row = list(dataset[0])
    row[dataset.headers.index("願景")] = "成為半導體強國"
    dataset[0] = row
    return FORMATS["csv"].export_data(dataset)
