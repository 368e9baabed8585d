"""Settings for the test suite: fast hashing, files in a temporary folder."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="policy-industries-test-media-"))
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Background work runs at once, in the caller's transaction, so that a test reads the outcome
# right after the step; the tests of the worker itself switch to the database backend.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
