"""預定公告時間: an approver approves an edition for publication at a moment; the worker
publishes it then, as that approver and through the same checks; an approver may cancel it
until then, and the audit trail says so."""

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from workers import DATABASE_TASKS, run_due_tasks

from publishing import lifecycle, services
from publishing.exceptions import EditionFrozen, InvalidEdition, InvalidTransition, NotAllowed
from publishing.models import Edition, EditionTask
from publishing.rules import rules_for

Status = Edition.Status
State = EditionTask.State
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the triggers exist on PostgreSQL only"
)


@pytest.fixture
def database_tasks(submitted_edition, settings):
    """From here on work waits for a worker (the edition's files are rendered already)."""
    settings.TASKS = DATABASE_TASKS


@pytest.fixture
def now():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


@pytest.fixture
def scheduled_edition(submitted_edition, database_tasks, now, approver):
    when = timezone.now() + datetime.timedelta(hours=2)
    return services.approve_edition(edition=submitted_edition, user=approver, scheduled_for=when)


def test_the_worker_publishes_a_scheduled_edition_at_its_moment_as_its_approver(
    scheduled_edition, approver, now
):
    job = scheduled_edition.tasks.get(kind=EditionTask.Kind.PUBLISH)
    assert (job.state, job.run_after) == (State.QUEUED, scheduled_edition.scheduled_for)
    assert "預定公告時間" in scheduled_edition.transitions.get(action="approve").comment

    assert run_due_tasks() == []  # an hour early: nothing is due
    now.shift(datetime.timedelta(hours=2, minutes=1))
    [result] = run_due_tasks()

    assert result.status == "SUCCESSFUL"
    published = Edition.objects.get(pk=scheduled_edition.pk)
    assert published.status == Status.PUBLISHED
    assert published.transitions.get(action="publish").actor == approver
    job.refresh_from_db()
    assert job.state == State.DONE


def test_publishing_before_the_scheduled_moment_is_refused(scheduled_edition, second_approver):
    with pytest.raises(InvalidTransition, match="已預定於 .* 公告；如要提前公告，請先取消預定公告"):
        services.publish_edition(edition=scheduled_edition, user=second_approver)
    assert Edition.objects.get(pk=scheduled_edition.pk).status == Status.APPROVED


def test_an_approver_cancels_a_scheduled_publication_and_the_trail_says_so(
    scheduled_edition, second_approver, now
):
    edition = services.unschedule_edition(
        edition=scheduled_edition, user=second_approver, comment="延後"
    )
    assert edition.scheduled_for is None
    line = edition.transitions.last()
    assert (line.action, line.actor, line.to_status) == ("unschedule", second_approver, "approved")
    assert "取消原預定於" in line.comment and "延後" in line.comment
    assert edition.tasks.get(kind=EditionTask.Kind.PUBLISH).state == State.CANCELLED

    now.shift(datetime.timedelta(hours=3))
    run_due_tasks()

    assert Edition.objects.get(pk=edition.pk).status == Status.APPROVED
    assert rules_for(edition).can(second_approver, "publish")


def test_an_editor_cannot_cancel_a_scheduled_publication(scheduled_edition, editor):
    with pytest.raises(NotAllowed):
        services.unschedule_edition(edition=scheduled_edition, user=editor)
    assert Edition.objects.get(pk=scheduled_edition.pk).scheduled_for is not None


def test_the_scheduled_publication_checks_the_rules_again_when_it_runs(
    scheduled_edition, approver, now
):
    approver.groups.clear()  # no longer an approver when the moment comes
    now.shift(datetime.timedelta(hours=3))
    run_due_tasks()
    edition = Edition.objects.get(pk=scheduled_edition.pk)
    assert edition.status == Status.APPROVED
    job = edition.tasks.get(kind=EditionTask.Kind.PUBLISH)
    assert job.state == State.FAILED
    assert "核定人員" in job.reason


def test_a_schedule_in_the_past_is_refused(submitted_edition, database_tasks, approver):
    past = timezone.now() - datetime.timedelta(minutes=1)
    with pytest.raises(InvalidEdition, match="預定公告時間必須晚於現在"):
        services.approve_edition(edition=submitted_edition, user=approver, scheduled_for=past)
    assert Edition.objects.get(pk=submitted_edition.pk).status == Status.SUBMITTED


def test_a_backend_that_cannot_wait_refuses_a_schedule_clearly(submitted_edition, approver):
    later = timezone.now() + datetime.timedelta(days=1)
    with pytest.raises(InvalidEdition, match="無法預定公告時間"):
        services.approve_edition(edition=submitted_edition, user=approver, scheduled_for=later)
    assert Edition.objects.get(pk=submitted_edition.pk).status == Status.SUBMITTED


def test_four_eyes_hold_for_a_scheduled_approval(submitted_edition, database_tasks, editor):
    later = timezone.now() + datetime.timedelta(days=1)
    with pytest.raises(NotAllowed):
        services.approve_edition(edition=submitted_edition, user=editor, scheduled_for=later)


def test_the_schedule_changes_only_through_its_steps(scheduled_edition):
    edition = Edition.objects.get(pk=scheduled_edition.pk)
    edition.scheduled_for = None
    with pytest.raises(EditionFrozen):
        edition.save()
    with transaction.atomic(), lifecycle.sanctioned(lifecycle.Action.PUBLISH):
        with pytest.raises(EditionFrozen):
            edition.save()  # only unschedule keeps the status and clears the moment


@postgresql_only
def test_the_database_refuses_a_schedule_changed_outside_its_steps(scheduled_edition):
    with pytest.raises(IntegrityError, match="scheduled_for 不可修改"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE publishing_edition SET scheduled_for = NULL WHERE id = %s",
                [scheduled_edition.pk],
            )
    assert Edition.objects.get(pk=scheduled_edition.pk).scheduled_for is not None


def test_the_admin_schedules_lists_and_cancels_a_publication(
    submitted_edition, database_tasks, client, approver, second_approver
):
    client.force_login(approver)
    step = reverse("admin:publishing_edition_transition", args=[submitted_edition.pk, "approve"])
    later = timezone.localtime() + datetime.timedelta(days=1)
    response = client.post(
        step,
        {
            "comment": "",
            "version": submitted_edition.updated_at.isoformat(),
            "scheduled_for": later.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    edition = Edition.objects.get(pk=submitted_edition.pk)
    assert edition.scheduled_for == later.replace(second=0, microsecond=0)
    listing = client.get(reverse("admin:publishing_edition_changelist")).content.decode()
    assert "預定公告時間" in listing
    page = client.get(reverse("admin:publishing_edition_change", args=[edition.pk]))
    assert "取消預定公告" in page.content.decode()

    client.force_login(second_approver)
    cancel = reverse("admin:publishing_edition_transition", args=[edition.pk, "unschedule"])
    client.post(cancel, {"comment": "", "version": edition.updated_at.isoformat()})
    assert Edition.objects.get(pk=edition.pk).scheduled_for is None


def test_the_edition_command_approves_for_a_moment(submitted_edition, database_tasks, approver):
    later = timezone.localtime() + datetime.timedelta(days=1)
    call_command(
        "edition",
        "approve",
        str(submitted_edition.pk),
        "--user",
        approver.username,
        "--at",
        later.strftime("%Y-%m-%d %H:%M"),
    )
    edition = Edition.objects.get(pk=submitted_edition.pk)
    assert edition.scheduled_for == later.replace(second=0, microsecond=0)
    call_command("edition", "unschedule", str(edition.pk), "--user", approver.username)
    assert Edition.objects.get(pk=edition.pk).scheduled_for is None
