"""Background work on editions: rendering the files after submission, publishing an edition.

The work goes through Django's task API (the django-tasks backport: on Django 6 the import
becomes `django.tasks`, nothing else changes). In production and on a developer's machine the
backend is django-tasks-db: the work is a row of the same database, inserted in the
transaction of the step that asks for it, and `manage.py db_worker` processes take it
(docs/operators.md). The test settings run it at once, inside the caller's transaction.

The steps (publishing.services) do not call this module: they announce what they did
(publishing.events), and `queue_work` — connected by publishing.listeners — queues what each
event asks for, in the step's transaction. The worker then takes the steps themselves.

Each piece of work has an EditionTask row that people read on the edition's page: queued,
running, done, failed (with the refusal in Traditional Chinese) or cancelled. The row, not the
backend's result, is what the page shows: every backend has it, and its reason is a sentence
for the approver rather than a traceback. A failure changes nothing of the edition: each step
runs in its own transaction (publishing.services), which a refusal rolls back whole.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django_tasks import task

from catalogue.i18n import site_language
from catalogue.roc import roc_datetime_short

from . import lifecycle, services
from .events import PUBLICATION_FAILED, PUBLICATION_QUEUED, EditionEvent, emit
from .exceptions import EditionError, InvalidTransition
from .models import Edition, EditionTask

logger = logging.getLogger(__name__)

Kind = EditionTask.Kind
State = EditionTask.State


# What the steps' events ask for (publishing.listeners connects `queue_work`)


def queue_work(sender: Any, event: EditionEvent, **kwargs: Any) -> None:
    """The work a step asks for, queued in the step's transaction: the rendering of a
    submitted edition's files, a publication (now or at its moment), the cancellation of a
    scheduled one."""
    if event.name == lifecycle.Action.SUBMIT:
        request_rendering(edition=event.edition, user=event.actor)
    elif event.name == PUBLICATION_QUEUED:
        request_publication(
            edition=event.edition,
            user=event.actor,
            comment=event.comment,
            run_after=event.run_after,
        )
    elif event.name == lifecycle.Action.UNSCHEDULE:
        cancel_scheduled_publication(edition=event.edition, reason=event.details["note"])


def request_rendering(*, edition: Edition, user: Any) -> EditionTask:
    """Queue the rendering of a just-submitted edition's files."""
    from .rendering import source_sha256

    job = EditionTask.objects.create(
        edition=edition,
        kind=Kind.RENDER,
        requested_by=user if user is not None and user.is_authenticated else None,
        source_sha256=source_sha256(edition),
    )
    return _enqueue(job, render_files_task)


def request_publication(
    *, edition: Edition, user: Any, comment: str = "", run_after: datetime.datetime | None = None
) -> EditionTask:
    """Queue the publication of an approved edition, now or at run_after: what the publish
    step (background) and the approve step (scheduled_for) ask for, after checking the rules;
    the worker takes the publish step, which checks them again."""
    job = EditionTask.objects.create(
        edition=edition,
        kind=Kind.PUBLISH,
        requested_by=user,
        comment=comment,
        run_after=run_after,
    )
    return _enqueue(job, publish_task, run_after=run_after)


def cancel_scheduled_publication(*, edition: Edition, reason: str) -> None:
    """Cancel the edition's queued publications (the unschedule step): the worker skips them."""
    for job in edition.tasks.filter(kind=Kind.PUBLISH, state=State.QUEUED):
        job.state, job.reason, job.finished_at = State.CANCELLED, reason, timezone.now()
        job.save(update_fields=["state", "reason", "finished_at"])


def latest_tasks(edition: Edition) -> list[EditionTask]:
    """The latest task of each kind, rendering first: what the edition's page shows."""
    latest: dict[str, EditionTask] = {}
    for job in edition.tasks.select_related("requested_by").order_by("-created_at", "-pk"):
        latest.setdefault(job.kind, job)
    return [latest[kind] for kind in Kind.values if kind in latest]


def render_in_process(edition: Edition) -> None:
    """Render a submitted edition's files in this process, not waiting for a worker: what the
    `edition submit` command and bootstrap --demo do. The queued work, when a worker takes it,
    finds it done."""
    for job in edition.tasks.filter(kind=Kind.RENDER, state=State.QUEUED).order_by("pk"):
        _run(job.pk, _render)


# The tasks the worker runs


@task()
def render_files_task(*, job_id: int) -> str:
    """產生公告檔案 for the submission that queued it."""
    return _run(job_id, _render)


@task()
def publish_task(*, job_id: int) -> str:
    """公告, as the approver who asked, now or at the scheduled moment."""
    return _run(job_id, _publish)


def _render(job: EditionTask) -> str | None:
    written = services.render_edition(edition=job.edition, source=job.source_sha256)
    if written is None:
        return gettext("版本已撤回送審或已重新送審，這次的檔案不再需要產生。")
    return None


def _publish(job: EditionTask) -> str | None:
    edition = job.edition
    if job.run_after is not None:
        if edition.status != Edition.Status.APPROVED or edition.scheduled_for != job.run_after:
            return gettext("預定公告已取消或版本已公告，不需執行。")
        if timezone.now() < job.run_after:
            raise InvalidTransition(
                gettext("尚未到預定公告時間（{when}）。").format(
                    when=roc_datetime_short(job.run_after)
                )
            )
    services.publish_edition(edition=edition, user=job.requested_by, comment=job.comment)
    return None


def _run(job_id: int, work: Callable[[EditionTask], str | None]) -> str:
    """Claim the job, do the work, record the outcome; a refusal is a failure with its reason."""
    with transaction.atomic():
        job = (
            EditionTask.objects.select_for_update(of=("self",))
            .select_related("edition__bulletin", "requested_by")
            .filter(pk=job_id, state=State.QUEUED)
            .first()
        )
        if job is None:  # cancelled, or already taken
            return "skipped"
        job.state, job.started_at = State.RUNNING, timezone.now()
        job.save(update_fields=["state", "started_at"])
    try:
        skipped = work(job)
    except EditionError as error:
        _fail(job, str(error))
        return "failed"
    except Exception as error:
        logger.exception("edition task %s (%s) failed", job.pk, job.kind)
        reason = site_language(
            "處理時發生未預期的錯誤（{error}），請聯絡系統管理者。", error=type(error).__name__
        )
        _fail(job, reason)
        raise  # the backend keeps the traceback for the operators
    if skipped:
        _finish(job, State.CANCELLED, skipped)
        return "cancelled"
    _finish(job, State.DONE, "")
    return "done"


def _fail(job: EditionTask, reason: str) -> None:
    """Record the failure; a failed publication is mailed to those involved (the edition page
    shows it too, but nobody may be looking at it when a scheduled one fails)."""
    _finish(job, State.FAILED, reason)
    if job.kind == Kind.PUBLISH:
        edition = job.edition
        emit(
            EditionEvent(
                PUBLICATION_FAILED,
                edition,
                actor=job.requested_by,
                source=edition.status,
                target=edition.status,
                comment=reason,
            )
        )


def _finish(job: EditionTask, state: str, reason: str) -> None:
    job.state, job.reason, job.finished_at = state, reason, timezone.now()
    job.save(update_fields=["state", "reason", "finished_at"])


def _enqueue(
    job: EditionTask, work: Any, *, run_after: datetime.datetime | None = None
) -> EditionTask:
    chosen = work.using(run_after=run_after) if run_after is not None else work
    result = chosen.enqueue(job_id=job.pk)
    job.task_id = str(result.id)
    job.save(update_fields=["task_id"])
    # An immediate backend has run the work already and written its outcome.
    job.refresh_from_db()
    return job
