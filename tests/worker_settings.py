"""Settings of the real worker processes that tests/publishing/test_worker_processes.py starts:
the test settings, with the test's database, files, seal and a short lease."""

import json
import os
from pathlib import Path

from config.settings.test import *  # noqa: F403

DATABASES = json.loads(os.environ["WORKER_DATABASES"])
MEDIA_ROOT = Path(os.environ["WORKER_MEDIA_ROOT"])
PDF_SEAL_DEMO_DIR = Path(os.environ["WORKER_SEAL_DIR"])
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
TASKS_LEASE_SECONDS = int(os.environ["TASKS_LEASE_SECONDS"])
TASKS_MAX_ATTEMPTS = int(os.environ["TASKS_MAX_ATTEMPTS"])
# The mail a worker sends, where the test reads it.
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["WORKER_GATE"]
