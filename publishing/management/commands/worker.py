"""manage.py worker: django-tasks-db's db_worker, with the recovery of abandoned work.

Same options as db_worker (bin/worker runs this). Before it takes any work, the worker
recovers the jobs whose worker died and says which scheduled publications are overdue
(publishing.tasks.catch_up); then, every half lease, a thread with its own database connection
recovers the jobs abandoned since. Every worker does it, so recovery needs no process of its
own, and the jobs are taken locked, so two workers recovering at once do not both retry one.

Why a command rather than a recurring task that re-enqueues itself: a chain of tasks breaks
the first time its own worker is killed (its result stays RUNNING, nobody enqueues the next),
and django-tasks has no hook at a worker's start; the command needs only db_worker's public
command class.
"""

import logging
import threading
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection
from django_tasks_db.management.commands import db_worker

from publishing import tasks

logger = logging.getLogger("publishing.tasks")


class Command(db_worker.Command):
    help = "背景工作程序：db_worker，並接手中斷的工作、補上逾時的預定公告。"

    def handle(self, *args: Any, **options: Any) -> None:
        # Logged by the settings' root logger (LOG_LEVEL): each recovery and catch-up is a line.
        tasks.catch_up()
        stop = threading.Event()
        thread = threading.Thread(target=recover_every_half_lease, args=(stop,), daemon=True)
        thread.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()


def recover_every_half_lease(stop: threading.Event) -> None:
    try:
        while not stop.wait(max(settings.TASKS_LEASE_SECONDS / 2, 1)):
            close_old_connections()
            try:
                tasks.recover_abandoned()
            except Exception:  # the database is busy or gone: the next round tries again
                logger.warning("recovery of abandoned work failed", exc_info=True)
    finally:
        connection.close()
