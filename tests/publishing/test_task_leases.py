"""A job survives its worker: the lease runs out, another worker takes the job up, the step is
not done twice, and a job that keeps dying ends failed with its reason and a mail.

A worker killed with SIGKILL leaves exactly what `_die` leaves: the step's transaction rolled
back with its connection, the job RUNNING on a lease nobody renews, the backend's result
RUNNING, and whatever files the step had written without their rows.
tests/publishing/test_worker_processes.py kills real worker processes.
"""

import datetime
import json

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from workers import DATABASE_TASKS, run_due_tasks

from publishing import services, tasks
from publishing.models import Edition, EditionFile, EditionTask, edition_file_path

Status = Edition.Status
State = EditionTask.State
STARTED = datetime.timedelta(minutes=5)  # how long ago the dead worker took the job


@pytest.fixture
def queue(settings):
    """The database backend from here on (asked for after the editions, made at once)."""
    settings.TASKS = DATABASE_TASKS


def _publish_in_background(edition: Edition, user) -> EditionTask:
    services.publish_edition(edition=edition, user=user, background=True)
    return edition.tasks.filter(kind=EditionTask.Kind.PUBLISH).latest("created_at", "pk")


def _die(job: EditionTask, *, attempts: int = 1, expired_seconds: int = 1) -> None:
    """What a worker killed mid-work leaves behind."""
    result = DBTaskResult.objects.get(pk=job.task_id)
    result.claim("killed-worker")
    DBTaskResult.objects.filter(pk=result.pk).update(started_at=timezone.now() - STARTED)
    EditionTask.objects.filter(pk=job.pk).update(
        state=State.RUNNING,
        attempts=attempts,
        worker="host:4242",
        started_at=timezone.now() - STARTED,
        lease_expires_at=timezone.now() - datetime.timedelta(seconds=expired_seconds),
    )
    job.refresh_from_db()


def _debris(edition: Edition) -> str:
    folder = edition_file_path(EditionFile(edition=edition), "")
    storage = EditionFile._meta.get_field("file").storage
    return storage.save(f"{folder}half-written.pdf", ContentFile(b"%PDF-1.7 half"))


def test_an_abandoned_publication_is_queued_again_and_published_once(
    approved_edition, approver, queue
):
    job = _publish_in_background(approved_edition, approver)
    _die(job)
    debris = _debris(approved_edition)
    storage = EditionFile._meta.get_field("file").storage

    [recovered] = tasks.recover_abandoned()

    assert recovered.pk == job.pk
    job.refresh_from_db()
    assert (job.state, job.attempts, job.lease_expires_at) == (State.QUEUED, 1, None)
    assert DBTaskResult.objects.get(pk=recovered.task_id).status == "READY"
    assert DBTaskResult.objects.filter(status="RUNNING").count() == 0
    assert not storage.exists(debris)
    [result] = run_due_tasks()
    assert result.return_value == "done"
    job.refresh_from_db()
    assert (job.state, job.attempts) == (State.DONE, 2)
    edition = Edition.objects.get(pk=approved_edition.pk)
    assert edition.status == Status.PUBLISHED
    assert edition.transitions.filter(action="publish").count() == 1


def test_a_live_lease_is_left_alone(approved_edition, approver, queue):
    job = _publish_in_background(approved_edition, approver)
    _die(job, expired_seconds=-60)  # renewed a moment ago: the worker is alive

    assert tasks.recover_abandoned() == []
    job.refresh_from_db()
    assert job.state == State.RUNNING


def test_a_publication_that_had_committed_is_cancelled_not_done_twice(
    approved_edition, approver, queue
):
    job = _publish_in_background(approved_edition, approver)
    # The worker committed the publication, then died before recording it.
    services.publish_edition(edition=approved_edition, user=approver)
    EditionTask.objects.filter(pk=job.pk).update(state=State.QUEUED)
    _die(job)

    tasks.recover_abandoned()

    job.refresh_from_db()
    assert job.state == State.CANCELLED
    assert "版本已公告" in job.reason
    assert (
        Edition.objects.get(pk=approved_edition.pk).transitions.filter(action="publish").count()
        == 1
    )


def test_the_edition_command_ends_a_stale_job_instead_of_leaving_it_running(
    approved_edition, approver, queue
):
    job = _publish_in_background(approved_edition, approver)
    _die(job)

    call_command("edition", "publish", str(approved_edition.pk), "--user", approver.username)

    job.refresh_from_db()
    assert Edition.objects.get(pk=approved_edition.pk).status == Status.PUBLISHED
    assert job.state == State.CANCELLED
    assert "版本已公告" in job.reason


def test_a_job_that_keeps_dying_fails_with_its_reason_and_a_mail(
    approved_edition, approver, django_capture_on_commit_callbacks, queue
):
    approver.email = "approver1@example.invalid"
    approver.save()
    job = _publish_in_background(approved_edition, approver)
    _die(job, attempts=3)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        tasks.recover_abandoned()
    run_due_tasks()  # the mail is a task of its own

    job.refresh_from_db()
    assert job.state == State.FAILED
    assert "已重試 3 次仍未完成" in job.reason
    assert "host:4242" in job.reason
    assert Edition.objects.get(pk=approved_edition.pk).status == Status.APPROVED
    [to_approver] = [m for m in mail.outbox if approver.email in m.to]
    assert "已重試 3 次仍未完成" in to_approver.body


def test_the_publish_button_works_again_after_its_job_was_abandoned(
    approved_edition, approver, queue
):
    stale = _publish_in_background(approved_edition, approver)
    _die(stale)

    fresh = _publish_in_background(approved_edition, approver)

    stale.refresh_from_db()
    assert fresh.pk != stale.pk and fresh.state == State.QUEUED
    assert stale.state == State.CANCELLED


def test_an_abandoned_rendering_leaves_no_half_written_file_and_renders_again(
    draft_edition, editor, queue
):
    edition = services.submit_edition(edition=draft_edition, user=editor)
    job = edition.tasks.get()
    _die(job)
    debris = _debris(edition)
    storage = EditionFile._meta.get_field("file").storage

    tasks.recover_abandoned()
    assert not storage.exists(debris)
    [result] = run_due_tasks()

    job.refresh_from_db()
    assert (result.return_value, job.state, job.attempts) == ("done", State.DONE, 2)
    assert edition.files.count() == 7
    folder = edition_file_path(EditionFile(edition=edition), "").rstrip("/")
    assert len(storage.listdir(folder)[1]) == 7


def test_a_worker_records_its_attempt_its_name_and_a_lease(
    approved_edition, approver, settings, queue
):
    job = _publish_in_background(approved_edition, approver)
    before = timezone.now()

    run_due_tasks()

    job.refresh_from_db()
    assert job.attempts == 1
    assert job.worker == tasks.worker_name()
    assert job.lease_expires_at >= before + datetime.timedelta(
        seconds=settings.TASKS_LEASE_SECONDS - 1
    )


def test_healthz_answers_503_naming_a_lease_that_no_worker_recovered(
    client, approved_edition, approver, settings, queue
):
    job = _publish_in_background(approved_edition, approver)
    _die(job, expired_seconds=settings.TASKS_LEASE_SECONDS + 5)

    response = client.get("/healthz")

    assert response.status_code == 503
    worker = json.loads(response.content)["checks"]["task_worker"]
    assert worker["status"] == "error"
    assert "lease expired" in worker["error"]
    [expired] = worker["expired_leases"]
    assert (expired["job"], expired["worker"]) == (job.pk, "host:4242")
    assert worker["stale_backend_tasks"] == 1


def test_healthz_reports_a_fresh_expiry_without_taking_the_server_out(
    client, approved_edition, approver, queue
):
    job = _publish_in_background(approved_edition, approver)
    _die(job)

    response = client.get("/healthz")

    assert response.status_code == 200
    assert json.loads(response.content)["checks"]["task_worker"]["expired_leases"]


def test_healthz_answers_503_for_an_overdue_scheduled_publication(
    client, submitted_edition, approver, settings, queue
):
    import time_machine

    soon = timezone.now() + datetime.timedelta(hours=1)
    services.approve_edition(edition=submitted_edition, user=approver, scheduled_for=soon)
    with time_machine.travel(soon + datetime.timedelta(days=1), tick=False):
        response = client.get("/healthz")

    assert response.status_code == 503
    worker = json.loads(response.content)["checks"]["task_worker"]
    assert worker["overdue_publications"][0]["edition"] == submitted_edition.pk


def test_a_starting_worker_says_which_scheduled_publications_it_catches_up(
    submitted_edition, approver, caplog, queue
):
    import time_machine

    soon = timezone.now() + datetime.timedelta(hours=1)
    services.approve_edition(edition=submitted_edition, user=approver, scheduled_for=soon)
    with time_machine.travel(soon + datetime.timedelta(hours=2), tick=False):
        [overdue] = tasks.catch_up()
        [result] = run_due_tasks()

    assert overdue.edition_id == submitted_edition.pk
    assert "catching up" in caplog.text
    assert result.return_value == "done"
    assert Edition.objects.get(pk=submitted_edition.pk).status == Status.PUBLISHED


def test_the_edition_page_shows_the_worker_and_the_retry(client, approved_edition, approver, queue):
    job = _publish_in_background(approved_edition, approver)
    page = reverse("admin:publishing_edition_change", args=[approved_edition.pk])
    client.force_login(approver)
    _die(job)

    abandoned = client.get(page).content.decode()
    assert "host:4242" in abandoned
    assert 'http-equiv="refresh"' not in abandoned

    tasks.recover_abandoned()
    retrying = client.get(page).content.decode()
    assert "第 2 次，共 3 次" in retrying


def test_the_dashboard_tells_approvers_of_a_job_no_worker_took_up(
    client, approved_edition, approver, editor, settings, queue
):
    job = _publish_in_background(approved_edition, approver)
    _die(job, expired_seconds=settings.TASKS_LEASE_SECONDS + 5)

    client.force_login(approver)
    board = client.get(reverse("admin:index")).content.decode()
    client.force_login(editor)
    for_editor = client.get(reverse("admin:index")).content.decode()

    assert "背景工作需要處理" in board
    assert "host:4242" in board
    assert "背景工作需要處理" not in for_editor
