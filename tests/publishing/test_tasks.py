"""Background work through django-tasks: the real db_worker renders a submitted edition's files
and publishes it; the publish button answers at once and the page follows the work; a failure
leaves the edition as it was, with the reason."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from workers import DATABASE_TASKS, run_due_tasks, run_worker_thread

from publishing import services
from publishing.exceptions import InvalidEdition
from publishing.models import Edition, EditionTask

Status = Edition.Status
State = EditionTask.State

# The demo edition's date, as tests/conftest.py gives it.
EDITION_DATE = datetime.date(2025, 12, 30)


def _publish_in_background(edition: Edition, user) -> EditionTask:
    """The publish button: the step handed to the worker; the publication job it queued."""
    services.publish_edition(edition=edition, user=user, background=True)
    return edition.tasks.filter(kind=EditionTask.Kind.PUBLISH).latest("created_at", "pk")


# The worker thread reads what the test wrote: committed rows, the roles restored after it.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_renders_the_submitted_files_then_publishes_the_approved_bytes(
    settings, demo_bulletin, editor, approver
):
    settings.TASKS = DATABASE_TASKS
    edition = services.create_edition(bulletin=demo_bulletin, date=EDITION_DATE, user=editor)
    edition = services.submit_edition(edition=edition, user=editor)
    assert not edition.files.exists()
    assert edition.tasks.get().state == State.QUEUED
    with pytest.raises(InvalidEdition, match="公告檔案尚未依這個版本目前的內容產生完成"):
        services.approve_edition(edition=edition, user=approver)

    run_worker_thread()

    assert edition.tasks.get().state == State.DONE
    approved_files = dict(edition.files.values_list("format", "sha256"))
    assert set(approved_files) == {"pdf", "html", "csv", "xlsx", "ods", "json", "datapackage"}
    edition = services.approve_edition(edition=edition, user=approver)
    job = _publish_in_background(edition, approver)
    assert job.state == State.QUEUED
    assert Edition.objects.get(pk=edition.pk).status == Status.APPROVED

    run_worker_thread()

    job.refresh_from_db()
    assert job.state == State.DONE
    published = Edition.objects.get(pk=edition.pk)
    assert published.status == Status.PUBLISHED
    assert published.transitions.last().actor == approver
    files = {f.format: f for f in published.files.all()}
    assert {fmt: f.sha256 for fmt, f in files.items() if fmt != "pdf"} == {
        fmt: sha for fmt, sha in approved_files.items() if fmt != "pdf"
    }
    # The PDF is sealed at publication: the signed file starts with the approved bytes.
    assert files["pdf"].unsigned_sha256 == approved_files["pdf"]


@pytest.mark.django_db
def test_the_publish_button_answers_at_once_and_the_page_follows_the_work(
    settings, client, approved_edition, approver
):
    settings.TASKS = DATABASE_TASKS
    client.force_login(approver)
    page = reverse("admin:publishing_edition_change", args=[approved_edition.pk])
    step = reverse("admin:publishing_edition_transition", args=[approved_edition.pk, "publish"])

    response = client.post(step, {"comment": "", "version": approved_edition.updated_at})

    assert response.status_code == 302
    assert Edition.objects.get(pk=approved_edition.pk).status == Status.APPROVED
    waiting = client.get(page).content.decode()
    assert "等待處理" in waiting
    assert '<meta http-equiv="refresh" content="3">' in waiting

    [result] = run_due_tasks()

    assert result.status == "SUCCESSFUL"
    done = client.get(page).content.decode()
    assert Edition.objects.get(pk=approved_edition.pk).status == Status.PUBLISHED
    assert "已完成" in done
    assert 'http-equiv="refresh"' not in done


@pytest.mark.django_db
def test_a_second_publish_request_is_refused_while_the_first_is_pending(
    settings, approved_edition, approver
):
    settings.TASKS = DATABASE_TASKS
    _publish_in_background(approved_edition, approver)
    with pytest.raises(Exception, match="公告作業已在進行中"):
        _publish_in_background(approved_edition, approver)
    assert approved_edition.tasks.filter(kind=EditionTask.Kind.PUBLISH).count() == 1


def test_a_failed_publication_leaves_the_edition_as_it_was_with_the_reason(
    approved_edition, approver
):
    pdf = approved_edition.files.get(format="pdf")
    with pdf.file.storage.open(pdf.file.name, "wb") as handle:
        handle.write(b"%PDF-1.7 not what the approver saw")
    before = Edition.objects.filter(pk=approved_edition.pk).values().get()
    trail = approved_edition.transitions.count()

    job = _publish_in_background(approved_edition, approver)

    assert job.state == State.FAILED
    assert "與核定時不符" in job.reason
    assert Edition.objects.filter(pk=approved_edition.pk).values().get() == before
    assert approved_edition.transitions.count() == trail


def test_a_failed_publication_is_mailed_to_the_approver_who_asked_with_the_reason(
    approved_edition, approver
):
    from django.core import mail

    pdf = approved_edition.files.get(format="pdf")
    with pdf.file.storage.open(pdf.file.name, "wb") as handle:
        handle.write(b"tampered")
    approver.email = "approver1@example.invalid"
    approver.save()
    mail.outbox.clear()

    _publish_in_background(approved_edition, approver)

    to_approver = [m for m in mail.outbox if approver.email in m.to]
    assert len(to_approver) == 1
    assert "與核定時不符" in to_approver[0].body


def test_the_edition_page_shows_a_failure_with_its_reason(client, approved_edition, approver):
    pdf = approved_edition.files.get(format="pdf")
    with pdf.file.storage.open(pdf.file.name, "wb") as handle:
        handle.write(b"tampered")
    _publish_in_background(approved_edition, approver)
    client.force_login(approver)
    page = client.get(reverse("admin:publishing_edition_change", args=[approved_edition.pk]))
    text = page.content.decode()
    assert "失敗" in text
    assert "與核定時不符" in text
    assert 'http-equiv="refresh"' not in text


@pytest.mark.django_db
def test_the_edition_command_publishes_in_its_own_process_without_a_worker(
    settings, approved_edition, approver
):
    settings.TASKS = DATABASE_TASKS
    call_command("edition", "publish", str(approved_edition.pk), "--user", approver.username)
    assert Edition.objects.get(pk=approved_edition.pk).status == Status.PUBLISHED


@pytest.mark.django_db
def test_the_edition_command_renders_a_submission_in_its_own_process(
    settings, draft_edition, editor, approver
):
    settings.TASKS = DATABASE_TASKS
    call_command("edition", "submit", str(draft_edition.pk), "--user", editor.username)
    edition = Edition.objects.get(pk=draft_edition.pk)
    assert edition.tasks.get().state == State.DONE
    assert services.approve_edition(edition=edition, user=approver).status == Status.APPROVED
    [result] = run_due_tasks()  # the worker later finds the work done
    assert result.return_value == "skipped"
