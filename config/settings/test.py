"""Settings for the test suite: fast hashing, files in a temporary folder."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="policy-industries-test-media-"))
LOGGING = {"version": 1, "disable_existing_loggers": False}
# A test certificate, made once per test session (tests/conftest.py), so publishing seals.
PDF_SEAL_DEMO_DIR = Path(tempfile.mkdtemp(prefix="policy-industries-test-seal-"))
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PUBLIC_SITE_URL = BACKOFFICE_URL = "http://testserver"
# In the test process itself: the fonts stay loaded between the many small PDFs of the suite
# (tests/publishing/test_pdf_child_process.py covers the child process).
PUBLISHING_PDF_CHILD_PROCESS_SCOPES = None
# Background work runs at once, in the caller's transaction, so that a test reads the outcome
# right after the step; the tests of the worker itself switch to the database backend.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
