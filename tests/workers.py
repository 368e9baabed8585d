"""Running django-tasks-db's own worker in tests, against the test database.

`run_worker_thread` runs the real `db_worker` loop (its Worker class, in batch mode) in a thread
with its own database connection: the test must be transactional so that the worker sees what
the test committed. `run_due_tasks` runs, in the test's own transaction, the worker's claim and
run_task on every task due now: what a worker does each time it wakes, minus the polling loop.
"""

import threading
from typing import Any

from django.db import connection
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _worker() -> Worker:
    return Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )


def run_worker_thread() -> None:
    """Run a db_worker until no task is due, in a thread of its own; re-raise what it raised."""
    errors: list[BaseException] = []

    def work() -> None:
        try:
            _worker().run()
        except BaseException as error:  # noqa: BLE001 - handed to the test below
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def run_due_tasks() -> list[Any]:
    """Claim and run each task due now, as a worker does; the results, in order."""
    worker = _worker()
    done = []
    for result in DBTaskResult.objects.ready().filter(backend_name="default"):
        result.claim(worker.worker_id)
        worker.run_task(result)
        result.refresh_from_db()
        done.append(result)
    return done
