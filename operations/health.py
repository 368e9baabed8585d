"""/healthz for a load balancer: 200 when this server can do its work, 503 when it cannot.

The answer is JSON, sets no cookie and must not be cached: a proxy that kept a healthy answer
would keep sending visitors to a dead server. Each check says "ok", "error" (with the reason)
or "not_configured"; only "error" makes the whole answer unhealthy.
"""

import logging
import uuid
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
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


# There is no background task worker yet; once there is one, its check goes here and reads
# when the worker was last seen.
CHECKS: dict[str, Callable[[], None] | None] = {
    "database": check_database,
    "storage": check_storage,
    "task_worker": None,
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
            check()
        except Exception as error:  # noqa: BLE001 - any failure means unhealthy, with its reason
            logger.error("health check %s failed: %s", name, error)
            results[name] = {"status": "error", "error": f"{type(error).__name__}: {error}"}
        else:
            results[name] = {"status": "ok"}
    healthy = all(result["status"] != "error" for result in results.values())
    body = {"status": "ok" if healthy else "error", "checks": results}
    return JsonResponse(body, status=200 if healthy else 503)
