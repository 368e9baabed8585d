"""The Edition model: ROC dates, querysets, and the rules the database enforces."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from publishing import services
from publishing.exceptions import EditionFrozen
from publishing.models import Edition

pytestmark = pytest.mark.django_db

Status = Edition.Status


def _force_status(edition: Edition, status: str, **fields) -> None:
    """Move an edition behind the model's and the triggers' backs, to reach the constraints."""
    assignments = {"status": status, **fields}
    columns = ", ".join(f"{name} = %s" for name in assignments)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")  # triggers off
        cursor.execute(
            f"UPDATE publishing_edition SET {columns} WHERE id = %s",
            [*assignments.values(), edition.pk],
        )
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")


def test_an_edition_date_reads_in_the_roc_calendar(draft_edition):
    assert draft_edition.roc_date == "114.12.30"
    assert draft_edition.roc_date_long == "中華民國114年12月30日"
    assert str(draft_edition) == "政府推動之「政策性產業」彙整表 114.12.30（草稿）"
    assert draft_edition.file_basename() == "policy-industries-114-12-30"


def test_status_labels_are_in_chinese():
    assert [label for _, label in Status.choices] == [
        "草稿",
        "已送審",
        "已核定",
        "已退回",
        "已公告",
        "已被取代",
        "已撤回",
    ]


def test_the_permanent_address_is_the_public_edition_page(draft_edition):
    assert draft_edition.get_absolute_url() == "/editions/2025-12-30/"


def test_querysets_tell_public_from_unpublished_editions(
    published_edition, demo_bulletin, editor, approver
):
    second = services.create_edition(
        bulletin=demo_bulletin, date=datetime.date(2026, 3, 31), user=editor
    )
    assert list(Edition.objects.public()) == [published_edition]
    assert list(Edition.objects.published()) == [published_edition]
    assert list(Edition.objects.unpublished()) == [second]
    assert list(Edition.objects.for_bulletin(demo_bulletin).newest_first()) == [
        second,
        published_edition,
    ]
    assert Edition.objects.latest_published(demo_bulletin) == published_edition


def test_the_database_allows_one_unpublished_edition_per_bulletin(draft_edition, editor):
    with pytest.raises(IntegrityError), transaction.atomic():
        Edition.objects.create(
            bulletin=draft_edition.bulletin,
            date=datetime.date(2026, 3, 31),
            prepared_by=editor,
            snapshot={"programmes": []},
            snapshot_sha256="0" * 64,
        )


def test_the_database_allows_one_edition_per_bulletin_and_date(draft_edition, editor):
    _force_status(draft_edition, Status.PUBLISHED, published_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        Edition.objects.create(
            bulletin=draft_edition.bulletin,
            date=draft_edition.date,
            prepared_by=editor,
            snapshot={"programmes": []},
            snapshot_sha256="0" * 64,
        )


def test_the_database_refuses_a_withdrawn_edition_without_reason(draft_edition):
    with pytest.raises(IntegrityError), transaction.atomic():
        _force_status(draft_edition, Status.WITHDRAWN, published_at=timezone.now())


def test_the_database_refuses_a_public_edition_without_publication_time(draft_edition):
    with pytest.raises(IntegrityError), transaction.atomic():
        _force_status(draft_edition, Status.PUBLISHED)


def test_a_new_edition_starts_as_a_draft(demo_bulletin, editor):
    edition = Edition(
        bulletin=demo_bulletin,
        date=datetime.date(2026, 3, 31),
        prepared_by=editor,
        status=Status.PUBLISHED,
        published_at=timezone.now(),
    )
    with pytest.raises(EditionFrozen, match="必須從草稿開始"):
        edition.save()


def test_a_status_cannot_skip_the_review(draft_edition):
    draft_edition.status = Status.PUBLISHED
    draft_edition.published_at = timezone.now()
    with pytest.raises(EditionFrozen, match="不可從「草稿」直接變為「已公告」"):
        draft_edition.save()
    assert Edition.objects.get(pk=draft_edition.pk).status == Status.DRAFT


def test_save_changes_nothing_of_an_approved_edition_and_does_no_hidden_work(approved_edition):
    trail = approved_edition.transitions.count()
    approved_edition.change_note = "改過的說明"
    with pytest.raises(EditionFrozen, match="送審後內容已凍結"):
        approved_edition.save(update_fields=["change_note"])
    stored = Edition.objects.get(pk=approved_edition.pk)
    assert (stored.status, stored.change_note) == (Status.APPROVED, "114年12月30日公告版本。")
    assert stored.transitions.count() == trail
