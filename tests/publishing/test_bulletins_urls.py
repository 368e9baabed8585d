"""Several bulletins: each with public editions under /b/<slug>/, the default one still at /.

Every address published before bulletins had their own stays as it was: the same view, the
same status and type, the same bytes for files.
"""

import datetime
import hashlib
import io
from typing import Any

import pytest
from bulletins import SECOND_SLUG, SECOND_TITLE, publish, second_bulletin
from django.core.management import call_command
from django.urls import resolve, reverse

from publishing.models import Edition

pytestmark = pytest.mark.django_db

DATE = "2025-12-30"
# The public addresses of publishing/urls.py before several bulletins, with what they answer.
PUBLISHED_URLS = [
    ("/", "home", 200, "text/html"),
    ("/editions/", "editions", 200, "text/html"),
    ("/editions/feed.atom", "feed", 200, "application/atom+xml"),
    (f"/editions/{DATE}/", "edition", 200, "text/html"),
    (f"/editions/{DATE}/manifest.json", "manifest", 200, "application/json"),
    (f"/editions/{DATE}/snapshot.json", "snapshot", 200, "application/json"),
    ("/language/en/?next=/", "language", 302, None),
] + [
    (f"/editions/{DATE}/policy-industries-114-12-30.{fmt}", "download", 200, content_type)
    for fmt, content_type in [
        ("pdf", "application/pdf"),
        ("html", "text/html"),
        ("csv", "text/csv"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("ods", "application/vnd.oasis.opendocument.spreadsheet"),
        ("json", "application/json"),
    ]
]


def test_every_address_published_so_far_answers_as_it_did(
    client: Any, published_edition: Edition
) -> None:
    second_bulletin()  # another bulletin exists: the old addresses still mean the default one
    for url, name, status, content_type in PUBLISHED_URLS:
        assert resolve(url.partition("?")[0]).url_name == name, url
        response = client.get(url)
        assert response.status_code == status, url
        if content_type:
            assert response["Content-Type"].startswith(content_type), url
    for file in published_edition.files.exclude(format="datapackage"):
        response = client.get(f"/editions/{DATE}/{published_edition.file_name(file.format)}")
        assert hashlib.sha256(response.content).hexdigest() == file.sha256
    page = client.get(f"/editions/{DATE}/").content.decode()
    assert f'href="/editions/{DATE}/manifest.json"' in page
    assert f'href="/editions/{DATE}/snapshot.json"' in page


def test_a_second_bulletin_has_its_own_pages_files_and_feed_under_b(
    client: Any, published_edition: Edition, editor: Any, approver: Any
) -> None:
    edition = publish(second_bulletin(), datetime.date(2026, 1, 15), editor, approver)
    base = f"/b/{SECOND_SLUG}"
    home = client.get(f"{base}/").content.decode()
    assert SECOND_TITLE in home and f'href="{base}/editions/2026-01-15/"' in home
    assert f'href="{base}/editions/"' in home  # the navigation stays in the bulletin
    assert "2026-01-15" in client.get(f"{base}/editions/").content.decode()
    page = client.get(f"{base}/editions/2026-01-15/").content.decode()
    assert f'href="{base}/editions/2026-01-15/manifest.json"' in page
    manifest = client.get(f"{base}/editions/2026-01-15/manifest.json").json()
    assert all(f["url"].startswith(f"http://testserver{base}/") for f in manifest["files"])
    for file in edition.files.all():
        response = client.get(f"{base}/editions/2026-01-15/{edition.file_name(file.format)}")
        assert response.status_code == 200
        if file.format == "html":  # the stored HTML runs sandboxed, as at /editions/
            assert "sandbox" in response["Content-Security-Policy"]
    feed = client.get(f"{base}/editions/feed.atom").content.decode()
    assert "2026-01-15" in feed and "2025-12-30" not in feed
    # Its edition is not the default bulletin's, and the other way round.
    assert client.get("/editions/2026-01-15/").status_code == 404
    assert client.get(f"{base}/editions/{DATE}/").status_code == 404
    assert SECOND_TITLE not in client.get("/editions/").content.decode()


def test_the_default_bulletin_answers_under_b_too(client: Any, published_edition: Any) -> None:
    response = client.get(f"/b/policy-industries/editions/{DATE}/")
    assert response.status_code == 200
    # Its links name the addresses already published, not a second set.
    assert f'href="/editions/{DATE}/manifest.json"' in response.content.decode()


def test_a_bulletin_without_public_editions_answers_404_under_b(
    client: Any, published_edition: Any, editor: Any
) -> None:
    from publishing import services

    bulletin = second_bulletin()
    services.create_edition(bulletin=bulletin, date=datetime.date(2026, 1, 15), user=editor)
    for path in ("", "editions/", "editions/feed.atom", "latest.pdf", "editions/2026-01-15/"):
        assert client.get(f"/b/{SECOND_SLUG}/{path}").status_code == 404, path
    assert client.get("/b/no-such-bulletin/").status_code == 404


def test_home_lists_the_bulletins_only_when_there_is_more_than_one(
    client: Any, published_edition: Any, editor: Any, approver: Any
) -> None:
    assert "bulletin-list" not in client.get("/").content.decode()
    publish(second_bulletin(), datetime.date(2026, 1, 15), editor, approver)
    home = client.get("/").content.decode()
    assert "bulletin-list" in home and f'href="/b/{SECOND_SLUG}/"' in home
    index = client.get("/b/").content.decode()
    assert f'href="/b/{SECOND_SLUG}/"' in index and 'href="/"' in index


def test_editions_of_another_bulletin_go_through_every_step_with_the_command(
    client: Any, published_edition: Any, editor: Any, approver: Any
) -> None:
    second_bulletin()

    def run(*args: str) -> str:
        out = io.StringIO()
        call_command("edition", *args, stdout=out)
        return out.getvalue()

    run("create", "--bulletin", SECOND_SLUG, "--date", "115.01.15", "--user", editor.username)
    edition = Edition.objects.get(bulletin__slug=SECOND_SLUG)
    run("submit", str(edition.pk), "--user", editor.username)
    run("approve", str(edition.pk), "--user", approver.username)
    run("publish", str(edition.pk), "--user", approver.username)
    edition.refresh_from_db()
    assert edition.status == Edition.Status.PUBLISHED
    assert edition.get_absolute_url() == f"/b/{SECOND_SLUG}/editions/2026-01-15/"
    # Publishing it superseded nothing of the default bulletin.
    published_edition.refresh_from_db()
    assert published_edition.status == Edition.Status.PUBLISHED
    assert client.get(f"/b/{SECOND_SLUG}/").status_code == 200


def test_the_admin_prepares_an_edition_of_another_bulletin_beside_the_default_ones(
    client: Any, draft_edition: Any, editor: Any
) -> None:
    bulletin = second_bulletin()
    client.force_login(editor)
    response = client.post(
        reverse("admin:publishing_edition_add"),
        {"bulletin": bulletin.pk, "date": "2026-01-15", "change_note": "綠色產業首版"},
    )
    assert response.status_code == 302
    edition = Edition.objects.get(bulletin=bulletin)
    assert edition.status == Edition.Status.DRAFT
    # The default bulletin's draft does not stand in its way: one draft per bulletin.
    assert Edition.objects.unpublished().count() == 2
