"""Published, superseded and withdrawn editions never change: the model, the admin and, on
PostgreSQL, the database refuse."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from publishing import lifecycle, services
from publishing.exceptions import EditionFrozen
from publishing.models import Edition, EditionFile

pytestmark = pytest.mark.django_db

Status = Edition.Status
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the triggers exist on PostgreSQL only; SQLite keeps the model-level guard",
)


@pytest.fixture(params=["published", "superseded", "withdrawn"])
def public_edition(request, published_edition, demo_bulletin, editor, approver) -> Edition:
    if request.param == "withdrawn":
        return services.withdraw_edition(edition=published_edition, user=approver, comment="有誤")
    if request.param == "superseded":
        later = services.create_edition(
            bulletin=demo_bulletin, date=datetime.date(2026, 3, 31), user=editor
        )
        later = services.submit_edition(edition=later, user=editor)
        later = services.approve_edition(edition=later, user=approver)
        services.publish_edition(edition=later, user=approver)
    return Edition.objects.get(pk=published_edition.pk)


# Through the ORM


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("change_note", "改寫的說明"),
        ("snapshot", {"programmes": []}),
        ("snapshot_sha256", "0" * 64),
        ("previous_sha256", "0" * 64),
        ("date", datetime.date(2030, 1, 1)),
    ],
)
def test_the_model_refuses_to_change_a_public_edition(public_edition, field, value):
    setattr(public_edition, field, value)
    with pytest.raises(EditionFrozen):
        public_edition.save()


def test_the_model_refuses_to_delete_a_public_edition(public_edition):
    with pytest.raises(EditionFrozen, match="不可刪除"):
        public_edition.delete()
    assert Edition.objects.filter(pk=public_edition.pk).exists()


def test_a_public_edition_cannot_return_to_review(public_edition):
    public_edition.status = Status.APPROVED
    with pytest.raises(EditionFrozen):
        public_edition.save()


def test_the_model_refuses_to_change_delete_or_add_files_of_a_public_edition(public_edition):
    stored = public_edition.files.first()
    stored.sha256 = "0" * 64
    with pytest.raises(EditionFrozen):
        stored.save()
    with pytest.raises(EditionFrozen):
        stored.delete()
    extra = EditionFile(edition=public_edition, format="ods", size=1, sha256="0" * 64)
    extra.file.save("extra.ods", ContentFile(b"x"), save=False)
    with pytest.raises(EditionFrozen):
        extra.save()


def test_the_model_refuses_a_forged_line_in_the_audit_trail(public_edition):
    from publishing.models import EditionTransition

    trail = public_edition.transitions.count()
    with pytest.raises(EditionFrozen, match="只能由版本的操作寫入"):
        EditionTransition.objects.create(
            edition=public_edition,
            action="withdraw",
            from_status="published",
            to_status="withdrawn",
        )
    assert public_edition.transitions.count() == trail


def test_editions_cannot_be_created_in_bulk_past_the_model(public_edition):
    forged = Edition(
        bulletin=public_edition.bulletin,
        date=datetime.date(2026, 5, 1),
        status=Status.PUBLISHED,
        prepared_by=public_edition.prepared_by,
        published_at=public_edition.published_at,
    )
    with pytest.raises(EditionFrozen):
        Edition.objects.bulk_create([forged])
    assert not Edition.objects.filter(date=datetime.date(2026, 5, 1)).exists()


# Through the admin


def test_the_admin_shows_a_public_edition_read_only(client, public_edition, superuser):
    client.force_login(superuser)
    url = reverse("admin:publishing_edition_change", args=[public_edition.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="change_note"' not in page.content
    assert public_edition.change_note.encode() in page.content
    refused = client.post(url, {"date": "2030-01-01", "change_note": "改"})
    assert refused.status_code == 403
    assert Edition.objects.get(pk=public_edition.pk).change_note == public_edition.change_note


def test_the_admin_refuses_to_delete_a_public_edition(client, public_edition, superuser):
    client.force_login(superuser)
    url = reverse("admin:publishing_edition_delete", args=[public_edition.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Edition.objects.filter(pk=public_edition.pk).exists()


def test_the_admin_lets_a_superuser_delete_a_draft(client, draft_edition, superuser):
    client.force_login(superuser)
    url = reverse("admin:publishing_edition_delete", args=[draft_edition.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Edition.objects.exists()


# Through raw SQL (PostgreSQL)


def _raw(sql: str, *params) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@postgresql_only
@pytest.mark.parametrize(
    "assignment",
    [
        "snapshot = '{}'::jsonb",
        "snapshot_sha256 = repeat('0', 64)",
        "previous_sha256 = repeat('0', 64)",
        "date = date '2030-01-01'",
        "change_note = 'x'",
        "status = 'draft'",
    ],
)
def test_the_database_refuses_to_update_a_public_edition(public_edition, assignment):
    with pytest.raises(IntegrityError, match="只能經由"):
        _raw(f"UPDATE publishing_edition SET {assignment} WHERE id = %s", public_edition.pk)
    assert Edition.objects.get(pk=public_edition.pk).snapshot == public_edition.snapshot


@postgresql_only
def test_the_database_refuses_to_delete_a_public_edition(public_edition):
    with pytest.raises(IntegrityError, match="版本不可刪除"):
        _raw("DELETE FROM publishing_edition WHERE id = %s", public_edition.pk)


@postgresql_only
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE publishing_editionfile SET sha256 = repeat('0', 64) WHERE edition_id = %s",
        "UPDATE publishing_editionfile SET file = 'other.pdf' WHERE edition_id = %s",
        "DELETE FROM publishing_editionfile WHERE edition_id = %s",
        "INSERT INTO publishing_editionfile (edition_id, format, file, size, sha256, content_type,"
        " created_at) VALUES (%s, 'ods', 'x.ods', 1, '', '', now())",
    ],
)
def test_the_database_refuses_to_touch_the_files_of_a_public_edition(public_edition, sql):
    with pytest.raises(IntegrityError, match="公告檔案"):
        _raw(sql, public_edition.pk)


@postgresql_only
def test_the_database_refuses_a_forged_line_in_the_audit_trail(public_edition):
    forge = (
        "INSERT INTO publishing_editiontransition (edition_id, action, at, from_status,"
        " to_status, comment) VALUES (%s, 'withdraw', now(), 'published', 'withdrawn', '')"
    )
    trail = public_edition.transitions.count()
    with pytest.raises(IntegrityError, match="只能由版本的操作寫入"):
        _raw(forge, public_edition.pk)
    with pytest.raises(IntegrityError, match="只能由版本的操作寫入"):
        with transaction.atomic(), lifecycle.sanctioned("publish"):  # another step's sanction
            _raw(forge, public_edition.pk)
    assert public_edition.transitions.count() == trail


@postgresql_only
def test_the_database_withdraws_a_published_edition_only_within_the_withdraw_step(
    published_edition,
):
    withdraw = (
        "UPDATE publishing_edition SET status = 'withdrawn', withdrawn_reason = '有誤'"
        " WHERE id = %s"
    )
    with pytest.raises(IntegrityError, match="版本狀態只能經由"):
        _raw(withdraw, published_edition.pk)
    assert Edition.objects.get(pk=published_edition.pk).status == Status.PUBLISHED
    with transaction.atomic(), lifecycle.sanctioned("withdraw"):
        _raw(withdraw, published_edition.pk)
    assert Edition.objects.get(pk=published_edition.pk).status == Status.WITHDRAWN


@postgresql_only
def test_the_database_lets_an_unpublished_edition_change(draft_edition):
    _raw("UPDATE publishing_edition SET change_note = 'x' WHERE id = %s", draft_edition.pk)
    assert Edition.objects.get(pk=draft_edition.pk).change_note == "x"
