"""The life cycle holds on every path: the model, querysets and, on PostgreSQL, the database
refuse what no step does, and the triggers are the ones generated from lifecycle.py."""

import datetime
import re

import pytest
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from publishing import lifecycle, services, triggers
from publishing.exceptions import EditionFrozen, NotAllowed
from publishing.models import Edition, EditionFile, EditionTransition

pytestmark = pytest.mark.django_db

Status = Edition.Status
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the triggers exist on PostgreSQL only; SQLite keeps the model-level guard",
)


def _raw(sql: str, *params) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def _row(edition: Edition) -> dict:
    return Edition.objects.filter(pk=edition.pk).values().get()


# One declaration


def test_the_installed_triggers_are_generated_from_the_declaration():
    sql = triggers.install_sql()
    for action, old, new in lifecycle.moves():
        assert f"(step = '{action}' AND OLD.status = '{old}' AND NEW.status = '{new}')" in sql
    for column in lifecycle.GUARDED_COLUMNS:
        assert f"{column} 不可修改" in sql


@postgresql_only
def test_the_database_runs_the_triggers_the_declaration_generates():
    bodies = re.findall(
        r"FUNCTION (\w+)\(\) RETURNS trigger AS \$\$(.*?)\$\$", triggers.install_sql(), re.S
    )
    assert len(bodies) == 5
    with connection.cursor() as cursor:
        for name, body in bodies:
            cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = %s", [name])
            assert cursor.fetchone()[0] == body
    assert triggers.differences(connection) == []


def test_every_column_of_an_edition_is_guarded_or_is_its_status():
    columns = {f.attname for f in Edition._meta.concrete_fields}
    assert columns == {"id", "status", "updated_at", *lifecycle.GUARDED_COLUMNS}


def test_every_status_change_belongs_to_exactly_one_step():
    pairs = [(old, new) for _, old, new in lifecycle.moves()]
    assert len(pairs) == len(set(pairs))
    assert set(services.STEP_SERVICES) == set(lifecycle.TRANSITIONS)


# Plain ORM saves cannot move an edition


@pytest.mark.parametrize(
    ("start", "target"),
    [
        ("draft_edition", Status.SUBMITTED),
        ("submitted_edition", Status.APPROVED),
        ("submitted_edition", Status.DRAFT),
        ("approved_edition", Status.PUBLISHED),
        ("published_edition", Status.WITHDRAWN),
        ("published_edition", Status.SUPERSEDED),
    ],
)
def test_a_plain_save_cannot_move_an_edition_even_along_a_legal_move(request, start, target):
    edition = request.getfixturevalue(start)
    before, trail = _row(edition), edition.transitions.count()
    edition.status = target
    edition.published_at = edition.published_at or timezone.now()
    edition.withdrawn_reason = "有誤"
    with pytest.raises(EditionFrozen, match="只能經由|不可修改"):
        edition.save()
    assert _row(edition) == before
    assert edition.transitions.count() == trail


def test_a_step_opens_only_its_own_move(submitted_edition):
    submitted_edition.status = Status.APPROVED
    with lifecycle.sanctioned(lifecycle.Action.REJECT), pytest.raises(EditionFrozen):
        submitted_edition.save()
    assert Edition.objects.get(pk=submitted_edition.pk).status == Status.SUBMITTED


@pytest.mark.parametrize("start", ["submitted_edition", "approved_edition", "published_edition"])
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("date", datetime.date(2026, 1, 5)),
        ("change_note", "改寫"),
        ("diff", {"changes": []}),
        ("previous_sha256", "0" * 64),
    ],
)
def test_a_plain_save_changes_nothing_of_a_submitted_edition(request, start, field, value):
    edition = request.getfixturevalue(start)
    before = _row(edition)
    setattr(edition, field, value)
    with pytest.raises(EditionFrozen):
        edition.save()
    assert _row(edition) == before


def test_the_withdrawal_reason_cannot_be_rewritten(published_edition, approver):
    withdrawn = services.withdraw_edition(edition=published_edition, user=approver, comment="有誤")
    withdrawn.withdrawn_reason = "其實沒有錯"
    with pytest.raises(EditionFrozen, match="已公告的版本不可修改"):
        withdrawn.save()
    with lifecycle.sanctioned(lifecycle.Action.WITHDRAW), pytest.raises(EditionFrozen):
        withdrawn.save()  # the withdraw step writes the reason only as it withdraws
    assert Edition.objects.get(pk=withdrawn.pk).withdrawn_reason == "有誤"


# Querysets read, never write


def test_a_queryset_update_cannot_rewrite_a_published_snapshot(published_edition):
    with pytest.raises(EditionFrozen, match="不可整批修改或刪除"):
        Edition.objects.filter(pk=published_edition.pk).update(snapshot={"programmes": []})
    assert Edition.objects.get(pk=published_edition.pk).snapshot == published_edition.snapshot


@pytest.mark.parametrize("model", [Edition, EditionFile, EditionTransition])
def test_querysets_refuse_bulk_updates_and_deletes(published_edition, model):
    count = model.objects.count()
    with pytest.raises(EditionFrozen):
        model.objects.all().delete()
    with pytest.raises(EditionFrozen):
        model.objects.all().update(pk=0)
    assert model.objects.count() == count


def test_a_draft_is_deleted_only_through_the_service(draft_edition, editor, superuser):
    with pytest.raises(EditionFrozen, match="只有草稿可以刪除"):
        draft_edition.delete()
    with pytest.raises(NotAllowed, match="刪除版本的權限"):
        services.delete_edition(edition=draft_edition, user=editor)
    assert Edition.objects.filter(pk=draft_edition.pk).exists()
    services.delete_edition(edition=draft_edition, user=superuser)
    assert not Edition.objects.exists()
    assert not EditionTransition.objects.exists()


def test_the_audit_trail_is_append_only(submitted_edition):
    line = submitted_edition.transitions.first()
    line.comment = "改寫"
    with pytest.raises(EditionFrozen, match="只能新增"):
        line.save()
    with pytest.raises(EditionFrozen, match="只能新增"):
        line.delete()
    assert submitted_edition.transitions.first().comment == "114年12月30日公告版本。"


def test_files_are_only_added_by_the_render_step_of_a_submitted_edition(approved_edition):
    rendered = list(approved_edition.files.values_list("pk", "sha256"))
    extra = EditionFile(edition=approved_edition, format="ods", size=1, sha256="0" * 64)
    extra.file.save("extra.ods", ContentFile(b"x"), save=False)
    with pytest.raises(EditionFrozen, match="只在送審後產生"):
        extra.save()
    with transaction.atomic(), lifecycle.sanctioned(lifecycle.Action.RENDER):
        with pytest.raises(EditionFrozen, match="只在送審後產生"):
            extra.save()  # approved: the approver's files stay what they approved
    assert list(approved_edition.files.values_list("pk", "sha256")) == rendered


def test_the_files_an_approver_saw_cannot_be_removed(approved_edition):
    file = approved_edition.files.first()
    with pytest.raises(EditionFrozen, match="只在送審後產生"):
        file.delete()
    with transaction.atomic(), lifecycle.sanctioned(lifecycle.Action.RENDER):
        with pytest.raises(EditionFrozen, match="只在送審後產生"):
            file.delete()
    assert EditionFile.objects.filter(pk=file.pk).exists()


# Raw SQL on PostgreSQL


@postgresql_only
@pytest.mark.parametrize(
    ("start", "assignment"),
    [
        ("draft_edition", "status = 'submitted'"),
        ("submitted_edition", "status = 'approved'"),
        ("submitted_edition", "status = 'draft'"),
        ("submitted_edition", "change_note = 'x'"),
        ("submitted_edition", "date = date '2026-01-05'"),
        ("approved_edition", "status = 'published', published_at = now()"),
        ("approved_edition", "diff = '{}'::jsonb"),
        ("published_edition", "status = 'withdrawn', withdrawn_reason = 'x'"),
    ],
)
def test_the_database_refuses_a_move_or_change_outside_a_step(request, start, assignment):
    edition = request.getfixturevalue(start)
    before = _row(edition)
    with pytest.raises(IntegrityError, match="只能經由"):
        _raw(f"UPDATE publishing_edition SET {assignment} WHERE id = %s", edition.pk)
    assert _row(edition) == before


@postgresql_only
def test_the_database_refuses_to_rewrite_a_withdrawal_reason(published_edition, approver):
    services.withdraw_edition(edition=published_edition, user=approver, comment="有誤")
    for step in ("", "withdraw"):
        with pytest.raises(IntegrityError, match="withdrawn_reason"), transaction.atomic():
            with lifecycle.sanctioned(step) if step else transaction.atomic():
                _raw(
                    "UPDATE publishing_edition SET withdrawn_reason = 'x' WHERE id = %s",
                    published_edition.pk,
                )
    assert Edition.objects.get(pk=published_edition.pk).withdrawn_reason == "有誤"


@postgresql_only
def test_the_database_refuses_a_new_edition_that_is_not_a_draft(draft_edition):
    with pytest.raises(IntegrityError, match="新版本必須從草稿開始"):
        _raw(
            "INSERT INTO publishing_edition (bulletin_id, date, status, snapshot,"
            " snapshot_sha256, previous_sha256, change_note, prepared_by_id, withdrawn_reason,"
            " created_at, updated_at) SELECT bulletin_id, date '2026-03-31', 'approved',"
            " snapshot, snapshot_sha256, '', '', prepared_by_id, '', now(), now()"
            " FROM publishing_edition WHERE id = %s",
            draft_edition.pk,
        )


@postgresql_only
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE publishing_editiontransition SET comment = 'x' WHERE edition_id = %s",
        "DELETE FROM publishing_editiontransition WHERE edition_id = %s",
    ],
)
def test_the_database_keeps_the_audit_trail_append_only(submitted_edition, sql):
    trail = list(submitted_edition.transitions.values())
    with pytest.raises(IntegrityError, match="版本紀錄只能新增"):
        _raw(sql, submitted_edition.pk)
    assert list(submitted_edition.transitions.values()) == trail


@postgresql_only
def test_the_database_deletes_a_draft_only_within_the_delete_step(draft_edition):
    with pytest.raises(IntegrityError):
        _raw("DELETE FROM publishing_edition WHERE id = %s", draft_edition.pk)
    assert Edition.objects.filter(pk=draft_edition.pk).exists()


@postgresql_only
def test_the_database_adds_files_only_while_rendering_a_submitted_edition(approved_edition):
    insert = (
        "INSERT INTO publishing_editionfile (edition_id, format, file, size, sha256,"
        " content_type, source_sha256, created_at)"
        " VALUES (%s, 'ods', 'x.ods', 1, '', '', '', now())"
    )
    count = EditionFile.objects.count()
    with pytest.raises(IntegrityError, match="公告檔案只能在送審後產生"):
        _raw(insert, approved_edition.pk)
    with pytest.raises(IntegrityError, match="公告檔案只能在送審後產生"):
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('publishing.step', 'render', true)")
            _raw(insert, approved_edition.pk)
    with pytest.raises(IntegrityError, match="公告檔案只能在送審後產生"):
        _raw("DELETE FROM publishing_editionfile WHERE edition_id = %s", approved_edition.pk)
    assert EditionFile.objects.count() == count
