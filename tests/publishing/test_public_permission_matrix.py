"""The public site answers everyone alike: whoever is signed in, a public edition's pages and
files are there, and an edition not yet published is not, not even for a superuser."""

import datetime
from typing import Any

import pytest
from django.urls import reverse

from publishing import services
from publishing.models import EditionFile

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "staff_without_role", "editor", "approver", "both_roles", "superuser")


@pytest.fixture
def public_and_pending(published_edition: Any, editor: Any, second_approver: Any) -> tuple:
    """The published demo edition, and a later one approved but not yet published."""
    pending = services.create_edition(
        bulletin=published_edition.bulletin, date=datetime.date(2026, 3, 31), user=editor
    )
    pending = services.submit_edition(edition=pending, user=editor)
    pending = services.approve_edition(edition=pending, user=second_approver)
    return published_edition, pending


def _edition_urls(edition: Any, filenames: list[str]) -> list[str]:
    date = edition.date.isoformat()
    return [
        reverse("public:edition", args=[edition.date]),
        reverse("public:manifest", args=[edition.date]),
        reverse("public:snapshot", args=[edition.date]),
        *(f"/editions/{date}/{name}" for name in filenames),
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_public_url_and_file_answers_each_persona_alike(
    request, client, public_and_pending, persona
):
    public, pending = public_and_pending
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    formats = EditionFile.objects.filter(edition=public).values_list("format", flat=True)
    assert len(formats) == len(EditionFile.Format)
    filenames = [public.file_name(fmt) for fmt in formats]
    open_urls = [
        "/",
        "/editions/",
        "/editions/feed.atom",
        "/data/",
        "/b/",
        f"/b/{public.bulletin.slug}/",
        *_edition_urls(public, filenames),
    ]
    pending_names = [pending.file_name(fmt) for fmt in formats]
    hidden_urls = _edition_urls(pending, pending_names)

    assert {url: client.get(url).status_code for url in open_urls} == dict.fromkeys(open_urls, 200)
    assert {url: client.get(url).status_code for url in hidden_urls} == dict.fromkeys(
        hidden_urls, 404
    )
    # The latest-file addresses lead everyone to the edition in force, never the pending one.
    assert (
        client.get("/latest.pdf")["Location"] == f"/editions/2025-12-30/{public.file_name('pdf')}"
    )
