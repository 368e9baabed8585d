"""/healthz for a load balancer: 200 when this server can do its work, 503 when it cannot.

The answer is JSON, sets no cookie and must not be cached: a proxy that kept a healthy answer
would keep sending visitors to a dead server. Each check says "ok", "error" (with the reason)
or "not_configured"; only "error" makes the whole answer unhealthy. A check may add details
(the task worker's backend and the age of the oldest work waiting for it).

Apps that hand work to the worker add what they know of it through `report_work` (publishing:
jobs whose lease expired, scheduled publications overdue); this module imports none of them.
A failed check keeps its details beside the error, so an operator reads what to act on.
"""

import logging
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

# Where the storage check writes its probe; one file per check, removed at once.
PROBE_FOLDER = "healthz"

# What an app reports on its background work: details to show, problems an operator must act on.
WorkReport = Callable[[], tuple[dict[str, Any], list[str]]]
WORK_REPORTS: list[WorkReport] = []


class Unhealthy(Exception):
    """A failed check that still reports its details."""

    def __init__(self, message: str, details: dict[str, Any]) -> None:
        super().__init__(message)
        self.details = details


def report_work(report: WorkReport) -> None:
    """Add an app's report on its work to the task worker's check (once, at start-up)."""
    if report not in WORK_REPORTS:
        WORK_REPORTS.append(report)


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_storage() -> None:
    name = default_storage.save(f"{PROBE_FOLDER}/{uuid.uuid4().hex}", ContentFile(b"ok"))
    try:
        with default_storage.open(name, "rb") as probe:
            if probe.read() != b"ok":
                raise OSError("the probe read back differs from what was written")
    finally:
        default_storage.delete(name)


def check_task_worker() -> dict[str, Any]:
    """The task backend, and how long the oldest work due now has waited for a worker.

    Work waits in the database (django-tasks-db) until a `db_worker` takes it: work due longer
    ago than TASKS_MAX_QUEUE_AGE_SECONDS means no worker is running, or none keeps up.
    """
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    details: dict[str, Any] = {"backend": type(backend).__name__}
    if not backend.supports_get_result:
        return details  # runs work at once in the caller (tests): nothing waits
    from django_tasks_db.models import DBTaskResult

    oldest = DBTaskResult.objects.ready().order_by("enqueued_at").values("enqueued_at", "run_after")
    oldest = oldest.first()
    waited = 0
    if oldest is not None:
        due = oldest["enqueued_at"]
        if oldest["run_after"] and oldest["run_after"].year < 9999:
            due = max(due, oldest["run_after"])
        waited = max(0, int((timezone.now() - due).total_seconds()))
    details["oldest_queued_seconds"] = waited
    problems = []
    if waited > settings.TASKS_MAX_QUEUE_AGE_SECONDS:
        problems.append(
            f"work has waited {waited} s for a task worker (manage.py db_worker); "
            f"limit {settings.TASKS_MAX_QUEUE_AGE_SECONDS} s"
        )
    for report in WORK_REPORTS:
        more, found = report()
        details.update(more)
        problems.extend(found)
    if problems:
        raise Unhealthy("; ".join(problems), details)
    return details


CHECKS: dict[str, Callable[[], dict[str, Any] | None] | None] = {
    "database": check_database,
    "storage": check_storage,
    "task_worker": check_task_worker,
}


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    results: dict[str, dict[str, Any]] = {}
    for name, check in CHECKS.items():
        if check is None:
            results[name] = {"status": "not_configured"}
            continue
        try:
            details = check() or {}
        except Unhealthy as error:
            logger.error("health check %s failed: %s", name, error)
            results[name] = {"status": "error", "error": str(error), **error.details}
        except Exception as error:  # noqa: BLE001 - any failure means unhealthy, with its reason
            logger.error("health check %s failed: %s", name, error)
            results[name] = {"status": "error", "error": f"{type(error).__name__}: {error}"}
        else:
            results[name] = {"status": "ok", **details}
    healthy = all(result["status"] != "error" for result in results.values())
    body = {"status": "ok" if healthy else "error", "checks": results}
    return JsonResponse(body, status=200 if healthy else 503)
