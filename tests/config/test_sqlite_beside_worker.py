"""SQLite, the embedded default, shared by the server, its worker and the `edition` commands.

Each runs in its own process on one database file, as under `make run`: a process writing as
the admin does (read, then write, in one transaction), a real `db_worker` taking the rendering
and the mail, and `manage.py edition create/submit/approve/publish`. With SQLite's default
(deferred transactions, rollback journal) one of them failed with "database is locked".
"""

import os
import subprocess
import sys
import time
from pathlib import Path

from processes import ROOT, manage

# As the admin writes, only far more often: read the edition list, then change a row, in one
# transaction, ten times a second.
ADMIN_LIKE_WRITER = """
import pathlib, time
from django.contrib.auth import get_user_model
from django.db import transaction
from publishing.models import Edition, NotificationSetting
admin = get_user_model().objects.get(username="admin")
stop = pathlib.Path({stop!r})
n = 0
while not stop.exists():
    with transaction.atomic():
        list(Edition.objects.values_list("pk", "status"))
        time.sleep(0.02)
        enabled = {{"email_enabled": n % 2 == 0}}
        NotificationSetting.objects.update_or_create(user=admin, defaults=enabled)
    n += 1
    time.sleep(0.1)
print("writes", n)
"""


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "PORT": "19100",
    }


def _step(env: dict[str, str], *args: str) -> str:
    """Run an edition step; approval waits for the worker's files, as an approver would."""
    for _ in range(60):
        result = manage(env, "edition", *args)
        if result.returncode == 0:
            return result.stdout
        assert "locked" not in result.stderr, result.stderr
        if "請等候" not in result.stderr:
            raise AssertionError(result.stderr)
        time.sleep(1)
    raise AssertionError(f"{args} never succeeded")


def test_server_worker_and_commands_share_one_sqlite_file_without_locking(tmp_path):
    env = _env(tmp_path)
    assert manage(env, "bootstrap", "--demo").returncode == 0
    stop = tmp_path / "stop"
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--interval", "0.1", "--no-reload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    writer = subprocess.Popen(
        [sys.executable, "manage.py", "shell", "-c", ADMIN_LIKE_WRITER.format(stop=str(stop))],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for day in ("2027-01-04", "2027-01-05"):
            created = _step(
                env, "create", "--bulletin", "policy-industries", "--date", day, "--user", "editor"
            )
            pk = created.split()[-1]
            _step(env, "submit", pk, "--user", "editor")
            _step(env, "approve", pk, "--user", "approver")
            _step(env, "publish", pk, "--user", "approver")
    finally:
        stop.touch()
        writer_out, _ = writer.communicate(timeout=60)
        worker.terminate()
        worker_out, _ = worker.communicate(timeout=60)
    assert writer.returncode == 0, writer_out
    assert "locked" not in writer_out
    assert "locked" not in worker_out, worker_out
    assert "state=FAILED" not in worker_out, worker_out
    # The mail the worker sent went to EMAIL_FILE_PATH, its links to the address served.
    mail = "".join(path.read_text() for path in (tmp_path / "mail").iterdir())
    assert "http://127.0.0.1:19100/admin/publishing/edition/" in mail
    assert "127.0.0.1:8000" not in mail
