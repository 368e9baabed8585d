"""A real `manage.py worker` process whose publication stops midway until the test says so.

The publish step waits once it has written the published files, its transaction still open:
the test kills the process there (SIGKILL), or lets it go on by creating WORKER_GATE/release.
"""

import os
import sys
import time
from pathlib import Path

import django

os.environ["DJANGO_SETTINGS_MODULE"] = "worker_settings"
django.setup()

from django.core.management import call_command  # noqa: E402

from publishing import files  # noqa: E402

gate = Path(os.environ["WORKER_GATE"])
written_then = files.replace_with_published


def wait_at_the_gate(*args, **kwargs):
    written = written_then(*args, **kwargs)
    (gate / f"reached-{os.getpid()}").touch()
    while not (gate / "release").exists():
        time.sleep(0.05)
    return written


files.replace_with_published = wait_at_the_gate
call_command("worker", "--interval", "0.2", "--no-reload", "--no-startup-delay", *sys.argv[1:])
