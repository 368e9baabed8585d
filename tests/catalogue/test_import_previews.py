"""Uploads waiting for confirmation live in the shared storage and database; stale ones go."""

import datetime
import os
from io import StringIO

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from import_export.tmp_storages import MediaStorage

from catalogue.management.commands.clean_import_previews import preview_folder
from catalogue.models import Scope
from catalogue.spreadsheet.formats import FORMATS
from catalogue.spreadsheet.resources import export_dataset

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:catalogue_programme_spreadsheet_import")
CONFIRM = reverse("admin:catalogue_programme_spreadsheet_confirm")


def _edited_csv(bulletin) -> bytes:
    dataset = export_dataset(bulletin)
    row = list(dataset[0])
    row[dataset.headers.index("願景")] = "成為半導體強國"
    dataset[0] = row
    return FORMATS["csv"].export_data(dataset)


@pytest.fixture
def own_media(settings, tmp_path):
    """A storage of the test's own, so uploads left by other tests do not count."""
    settings.MEDIA_ROOT = str(tmp_path)


def _waiting(content: bytes, *, hours_ago: float) -> str:
    """An upload left waiting, last written hours_ago."""
    storage = MediaStorage()
    storage.save(content)
    path = default_storage.path(storage.get_full_path())
    when = (timezone.now() - datetime.timedelta(hours=hours_ago)).timestamp()
    os.utime(path, (when, when))
    return storage.get_full_path()


def test_a_preview_confirmed_through_another_server_applies(editor, demo_bulletin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    # Two app servers share only the database (sessions) and the storage (uploads): a second
    # client with the same session cookie stands for the second server.
    first = Client()
    first.force_login(editor)
    preview = first.post(
        IMPORT,
        {
            "bulletin": demo_bulletin.pk,
            "file": SimpleUploadedFile("e.csv", _edited_csv(demo_bulletin)),
        },
    )
    form = preview.context["confirm_form"]
    token = form["token"].value()
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert default_storage.exists(f"{preview_folder()}/{token}")

    second = Client()
    second.cookies = first.cookies
    response = second.post(CONFIRM, {"token": token, "fingerprint": form["fingerprint"].value()})

    assert response.status_code == 302
    assert Scope.objects.filter(headline="成為半導體強國").exists()
    assert not default_storage.exists(f"{preview_folder()}/{token}")


def test_clean_import_previews_removes_uploads_older_than_the_limit_only(own_media):
    stale = _waiting(b"old", hours_ago=30)
    fresh = _waiting(b"new", hours_ago=2)
    out = StringIO()

    call_command("clean_import_previews", "--older-than", "24", stdout=out)

    assert not default_storage.exists(stale)
    assert default_storage.exists(fresh)
    assert "已刪除 1 個" in out.getvalue()


def test_clean_import_previews_with_a_shorter_limit_removes_more(own_media):
    _waiting(b"a", hours_ago=3)
    _waiting(b"b", hours_ago=0.5)

    call_command("clean_import_previews", "--older-than", "1", stdout=StringIO())

    remaining = default_storage.listdir(preview_folder())[1]
    assert len(remaining) == 1


def test_clean_import_previews_without_any_upload_removes_nothing(own_media):
    out = StringIO()

    call_command("clean_import_previews", stdout=out)

    assert "已刪除 0 個" in out.getvalue()
