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

A job survives its worker: claiming it takes a lease of TASKS_LEASE_SECONDS, which a heartbeat
thread renews while the work runs. A worker killed mid-work (SIGKILL, OOM, machine lost) rolls
back the step's transaction with its connection and stops renewing; once the lease has run out
the job is abandoned, and `recover_abandoned` — which every worker runs at start and every half
lease (`manage.py worker`, bin/worker) — queues it again, or fails it with its reason after
TASKS_MAX_ATTEMPTS attempts. The steps are safe to take again: a publication that committed
leaves an edition no longer approved (the retry is cancelled, 版本已公告), and the files a
killed step had written without its rows are removed before the retry.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django_tasks import task

from catalogue.i18n import site_language
from catalogue.roc import roc_datetime_short

from . import files, lifecycle, services
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
    elif event.name == lifecycle.Action.PUBLISH:
        # Published by another way (`edition publish`, a new request): an abandoned attempt is
        # over, not 處理中 on a published edition.
        _cancel_abandoned(event.edition, site_language("版本已公告，不需再執行。"))


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
    _cancel_abandoned(edition, site_language("背景工作程序中斷，已由新的公告要求取代。"))
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


def progress(job: EditionTask) -> str:
    """What is really happening to the job, for its edition's page: which worker runs it since
    when, or that its worker stopped, or which attempt the retry will be."""
    attempt = {"attempt": job.attempts, "attempts": settings.TASKS_MAX_ATTEMPTS}
    if job.is_abandoned:
        return gettext(
            "背景工作程序 {worker} 已中斷（第 {attempt} 次，共 {attempts} 次）；"
            "將由其他背景工作程序接手。"
        ).format(worker=job.worker or "-", **attempt)
    if job.state == State.RUNNING:
        return gettext(
            "由 {worker} 自 {since} 起處理中（第 {attempt} 次，共 {attempts} 次）。"
        ).format(
            worker=job.worker, since=roc_datetime_short(job.started_at, seconds=True), **attempt
        )
    if job.is_retry:
        return gettext(
            "前一次的背景工作程序中斷，等待重試（第 {attempt} 次，共 {attempts} 次）。"
        ).format(attempt=job.attempts + 1, attempts=attempt["attempts"])
    return ""


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
    if edition.status == Edition.Status.PUBLISHED:  # an earlier attempt had committed
        return gettext("版本已公告，不需再執行。")
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
        now = timezone.now()
        job.state, job.started_at, job.worker = State.RUNNING, now, worker_name()
        job.attempts += 1
        job.lease_expires_at = now + _lease()
        job.save(update_fields=["state", "started_at", "worker", "attempts", "lease_expires_at"])
    logger.info(
        "edition task %s (%s) attempt %d of %d on %s",
        job.pk,
        job.kind,
        job.attempts,
        settings.TASKS_MAX_ATTEMPTS,
        job.worker,
    )
    try:
        with _heartbeat(job):
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
    if _finish(job, State.FAILED, reason) and job.kind == Kind.PUBLISH:
        _announce_failure(job, reason)


def _announce_failure(job: EditionTask, reason: str) -> None:
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


def _finish(job: EditionTask, state: str, reason: str) -> bool:
    """Record the outcome, if the job is still this attempt's: a worker that lost its lease
    (it stalled, and the job was retried elsewhere) leaves the outcome to the retry."""
    job.state, job.reason, job.finished_at = state, reason, timezone.now()
    updated = _this_attempt(job).update(state=state, reason=reason, finished_at=job.finished_at)
    if not updated:
        logger.warning("edition task %s: lease lost, outcome %s left to the retry", job.pk, state)
    return bool(updated)


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


# Leases: who runs a job, until when; what becomes of a job whose worker died


def worker_name() -> str:
    """host:pid, the worker as an operator finds it (ps, the machine's logs)."""
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def _lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.TASKS_LEASE_SECONDS)


def _this_attempt(job: EditionTask) -> Any:
    return EditionTask.objects.filter(
        pk=job.pk, state=State.RUNNING, attempts=job.attempts, worker=job.worker
    )


@contextlib.contextmanager
def _heartbeat(job: EditionTask) -> Iterator[None]:
    """Renew the job's lease every third of it while the work runs, from a thread with its own
    database connection: the work's transaction may hold the worker's for minutes."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(settings.TASKS_LEASE_SECONDS / 3):
                try:
                    renewed = _this_attempt(job).update(lease_expires_at=timezone.now() + _lease())
                except Exception:  # the database is busy or gone: the next beat tries again
                    logger.warning("edition task %s: lease not renewed", job.pk, exc_info=True)
                    continue
                if not renewed:
                    logger.warning("edition task %s: lease lost to a retry", job.pk)
                    return
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"lease-{job.pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def recover_abandoned() -> list[EditionTask]:
    """Queue again each job whose worker died, or fail it once it has had its attempts; what
    every worker runs at start and every half lease (manage.py worker). Two workers recovering
    at once do not both take a job: each takes it locked, and checks it is still abandoned."""
    recovered = []
    for pk in EditionTask.objects.abandoned().values_list("pk", flat=True):
        with transaction.atomic():
            job = (
                EditionTask.objects.select_for_update(of=("self",), skip_locked=True)
                .select_related("edition__bulletin", "requested_by")
                .abandoned()
                .filter(pk=pk)
                .first()
            )
            if job is not None:
                _recover(job)
                recovered.append(job)
    _close_stale_results()
    return recovered


def _recover(job: EditionTask) -> None:
    lost = job.worker or "?"
    _close_result(job.task_id, lost)
    edition = job.edition
    expected = Edition.Status.SUBMITTED if job.kind == Kind.RENDER else Edition.Status.APPROVED
    if edition.status != expected:
        # The step had committed before its worker died, or the edition moved on since.
        reason = site_language("版本已公告，不需再執行。")
        if job.kind == Kind.RENDER:
            reason = site_language("版本已撤回送審或已重新送審，這次的檔案不再需要產生。")
        _settle(job, State.CANCELLED, reason)
        logger.warning("edition task %s (%s) abandoned by %s: %s", job.pk, job.kind, lost, reason)
        return
    # What the killed attempt wrote to storage without its rows (storage is not transactional).
    files.delete_unreferenced(edition)
    if job.attempts >= settings.TASKS_MAX_ATTEMPTS:
        reason = site_language(
            "背景工作程序中斷（最後一次在 {worker}），已重試 {attempts} 次仍未完成；"
            "請聯絡系統管理者查看背景工作程序的紀錄。",
            worker=lost,
            attempts=job.attempts,
        )
        logger.error("edition task %s (%s) abandoned by %s: failed", job.pk, job.kind, lost)
        _settle(job, State.FAILED, reason)
        if job.kind == Kind.PUBLISH:
            _announce_failure(job, reason)
        return
    logger.warning(
        "edition task %s (%s) abandoned by %s after attempt %d of %d: queued again",
        job.pk,
        job.kind,
        lost,
        job.attempts,
        settings.TASKS_MAX_ATTEMPTS,
    )
    job.state, job.lease_expires_at = State.QUEUED, None
    job.save(update_fields=["state", "lease_expires_at"])
    _enqueue(job, render_files_task if job.kind == Kind.RENDER else publish_task)


def _settle(job: EditionTask, state: str, reason: str) -> None:
    job.state, job.reason, job.finished_at = state, reason, timezone.now()
    job.lease_expires_at = None
    job.save(update_fields=["state", "reason", "finished_at", "lease_expires_at"])


def _cancel_abandoned(edition: Edition, reason: str) -> None:
    for job in EditionTask.objects.abandoned().filter(edition=edition, kind=Kind.PUBLISH):
        _close_result(job.task_id, job.worker)
        _settle(job, State.CANCELLED, reason)
        logger.warning("edition task %s abandoned by %s: %s", job.pk, job.worker, reason)


class WorkerLost(Exception):
    """What the backend's result of an abandoned job records: its worker died."""


def _database_results() -> Any:
    """django-tasks-db's results, when it is the backend (the immediate one keeps none)."""
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

    if not task_backends[DEFAULT_TASK_BACKEND_ALIAS].supports_get_result:
        return None
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects


def _close_result(task_id: str, worker: str) -> None:
    """Mark the backend's result of an abandoned job failed, so that it does not stay RUNNING
    for ever beside the retry (the admin's task results, /healthz)."""
    results = _database_results()
    if results is None or not task_id:
        return
    for result in results.running().filter(pk=task_id):
        result.set_failed(WorkerLost(f"worker {worker} stopped renewing its lease"))


def stale_results() -> Any:
    """The backend's results RUNNING for longer than a lease whose job is not running on a
    live lease: their worker died (None without a database backend)."""
    results = _database_results()
    if results is None:
        return None
    live = EditionTask.objects.filter(state=State.RUNNING, lease_expires_at__gte=timezone.now())
    ids = [task_id for task_id in live.values_list("task_id", flat=True) if task_id]
    started = timezone.now() - _lease()
    return results.running().filter(started_at__lt=started).exclude(pk__in=ids)


def _close_stale_results() -> None:
    stale = stale_results()
    for result in stale if stale is not None else ():
        result.set_failed(WorkerLost("the worker that ran this task stopped"))


def catch_up() -> list[EditionTask]:
    """What a worker does as it starts: recover the abandoned jobs, and say which queued jobs
    are overdue (scheduled publications whose moment passed while no worker ran): the worker
    takes them first, as their backend tasks are due."""
    recovered = recover_abandoned()
    overdue = list(
        EditionTask.objects.filter(state=State.QUEUED, run_after__lt=timezone.now())
        .select_related("edition__bulletin")
        .order_by("run_after")
    )
    for job in overdue:
        logger.warning(
            "catching up: %s of edition %s (%s) was due at %s",
            job.get_kind_display(),
            job.edition_id,
            job.edition,
            job.run_after.isoformat(),
        )
    if recovered or overdue:
        logger.warning("worker start: %d abandoned, %d overdue", len(recovered), len(overdue))
    return overdue


def overdue_publications(now: datetime.datetime) -> Any:
    """Approved editions whose scheduled moment is longer ago than TASKS_MAX_QUEUE_AGE_SECONDS
    and whose publication no live worker runs: no worker took it."""
    late = now - datetime.timedelta(seconds=settings.TASKS_MAX_QUEUE_AGE_SECONDS)
    running = EditionTask.objects.filter(state=State.RUNNING, lease_expires_at__gte=now)
    return (
        Edition.objects.filter(status=Edition.Status.APPROVED, scheduled_for__lt=late)
        .exclude(pk__in=running.values("edition"))
        .select_related("bulletin")
        .defer("snapshot")
        .order_by("scheduled_for")
    )


def unrecovered(job: EditionTask, now: datetime.datetime) -> bool:
    """Abandoned for longer than a lease: a live worker recovers a job within half of one."""
    return job.lease_expires_at is None or job.lease_expires_at < now - _lease()


def health_report() -> tuple[dict[str, Any], list[str]]:
    """What /healthz adds about the editions' work (operations.health): jobs whose lease ran
    out, backend results left RUNNING, scheduled publications overdue; each listed only when
    there is one, and a problem an operator must act on when no worker recovers it in time."""
    now = timezone.now()
    details: dict[str, Any] = {}
    problems: list[str] = []
    expired = list(EditionTask.objects.abandoned(now).order_by("lease_expires_at"))
    if expired:
        details["expired_leases"] = [
            {
                "job": job.pk,
                "edition": job.edition_id,
                "kind": job.kind,
                "worker": job.worker,
                "attempts": job.attempts,
                "lease_expired_seconds": int((now - (job.lease_expires_at or now)).total_seconds()),
            }
            for job in expired
        ]
        if any(unrecovered(job, now) for job in expired):
            problems.append("a job's lease expired and no task worker recovered it")
    stale = stale_results()
    if stale is not None and (count := stale.count()):
        details["stale_backend_tasks"] = count
    if overdue := [
        {"edition": e.pk, "scheduled_for": e.scheduled_for.isoformat()}
        for e in overdue_publications(now)
    ]:
        details["overdue_publications"] = overdue
        problems.append("a scheduled publication is overdue")
    return details, problems


def troubles() -> list[tuple[Edition, str]]:
    """What the dashboard tells approvers of the same: each edition whose work needs someone."""
    now = timezone.now()
    found = []
    abandoned = EditionTask.objects.abandoned(now).select_related("edition__bulletin")
    for job in abandoned.defer("edition__snapshot").order_by("lease_expires_at"):
        if unrecovered(job, now):
            found.append((job.edition, progress(job) + gettext("沒有背景工作程序接手。")))
    for edition in overdue_publications(now):
        when = roc_datetime_short(edition.scheduled_for)
        found.append((edition, gettext("預定於 {when} 公告，尚未執行。").format(when=when)))
    return found
