"""/healthz for a load balancer: 200 when this server can do its work, 503 when it cannot.

The answer is JSON, sets no cookie and must not be cached: a proxy that kept a healthy answer
would keep sending visitors to a dead server. Each check says "ok", "error" (with the reason)
or "not_configured"; only "error" makes the whole answer unhealthy. A check may add details
(the task worker's backend and the age of the oldest work waiting for it).
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
    if waited > settings.TASKS_MAX_QUEUE_AGE_SECONDS:
        raise RuntimeError(
            f"work has waited {waited} s for a task worker (manage.py db_worker); "
            f"limit {settings.TASKS_MAX_QUEUE_AGE_SECONDS} s"
        )
    return details


CHECKS: dict[str, Callable[[], dict[str, Any] | None] | None] = {
    "database": check_database,
    "storage": check_storage,
    "task_worker": check_task_worker,
}


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    results: dict[str, dict[str, str]] = {}
    for name, check in CHECKS.items():
        if check is None:
            results[name] = {"status": "not_configured"}
            continue
        try:
            details = check() or {}
        except Exception as error:  # noqa: BLE001 - any failure means unhealthy, with its reason
            logger.error("health check %s failed: %s", name, error)
            results[name] = {"status": "error", "error": f"{type(error).__name__}: {error}"}
        else:
            results[name] = {"status": "ok", **details}
    healthy = all(result["status"] != "error" for result in results.values())
    body = {"status": "ok" if healthy else "error", "checks": results}
    return JsonResponse(body, status=200 if healthy else 503)
