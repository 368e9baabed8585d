"""Real worker processes killed with SIGKILL in the middle of a publication: another worker
takes the job up once the lease has run out, and publishes the edition exactly once; a job
that keeps dying ends failed with its reason, and the mail goes out.

The workers are processes of their own (tests/worker_process.py), so they need a database the
test shares with them: PostgreSQL (SQLite's test database lives in the test's memory;
tests/publishing/test_task_leases.py covers SQLite with what a killed worker leaves behind).
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from workers import DATABASE_TASKS

from publishing import services
from publishing.models import Edition, EditionFile, EditionTask, edition_file_path

State = EditionTask.State
LEASE = 2
ROOT = Path(django_settings.BASE_DIR)

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="worker processes share PostgreSQL only"
    ),
]


@pytest.fixture
def gate(tmp_path, settings):
    settings.TASKS_LEASE_SECONDS = LEASE
    return tmp_path


def _start(gate: Path, attempts: int) -> subprocess.Popen:
    keys = ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT")
    env = {
        **os.environ,
        "PYTHONPATH": f"{ROOT / 'tests'}{os.pathsep}{ROOT}",
        "WORKER_DATABASES": json.dumps({"default": {k: connection.settings_dict[k] for k in keys}}),
        "WORKER_MEDIA_ROOT": str(django_settings.MEDIA_ROOT),
        "WORKER_SEAL_DIR": str(django_settings.PDF_SEAL_DEMO_DIR),
        "WORKER_GATE": str(gate),
        "TASKS_LEASE_SECONDS": str(LEASE),
        "TASKS_MAX_ATTEMPTS": str(attempts),
    }
    log = (gate / f"worker-{time.monotonic_ns()}.log").open("w")
    return subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "worker_process.py")],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _wait(condition, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds} s for {what}")
        time.sleep(0.1)


def _kill_at_the_gate(gate: Path, attempts: int) -> None:
    worker = _start(gate, attempts)
    try:
        _wait(lambda: (gate / f"reached-{worker.pid}").exists(), "the publication to start")
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()


def _stop(worker: subprocess.Popen) -> None:
    worker.send_signal(signal.SIGTERM)
    worker.wait(timeout=30)


def _job(edition: Edition, approver, settings) -> EditionTask:
    settings.TASKS = DATABASE_TASKS
    services.publish_edition(edition=edition, user=approver, background=True)
    return edition.tasks.get(kind=EditionTask.Kind.PUBLISH)


def _unreferenced(edition: Edition) -> set[str]:
    folder = edition_file_path(EditionFile(edition=edition), "")
    storage = EditionFile._meta.get_field("file").storage
    kept = set(edition.files.values_list("file", flat=True))
    return {folder + name for name in storage.listdir(folder)[1]} - kept


def _finished(job: EditionTask) -> bool:
    job.refresh_from_db()
    return job.state in (State.DONE, State.FAILED, State.CANCELLED)


def test_a_worker_killed_mid_publication_is_replaced_and_the_edition_published_once(
    gate, approved_edition, approver, client, settings
):
    approved_pdf = approved_edition.files.get(format="pdf").file.name
    job = _job(approved_edition, approver, settings)

    _kill_at_the_gate(gate, attempts=3)

    job.refresh_from_db()
    assert (job.state, job.attempts) == (State.RUNNING, 1)
    assert Edition.objects.get(pk=approved_edition.pk).status == Edition.Status.APPROVED
    time.sleep(2 * LEASE + 1)  # the lease runs out, and no worker is left to recover it
    health = client.get("/healthz")
    assert health.status_code == 503
    assert json.loads(health.content)["checks"]["task_worker"]["expired_leases"][0]["job"] == job.pk

    (gate / "release").touch()
    worker = _start(gate, attempts=3)
    try:
        _wait(lambda: _finished(job), "the second worker")
    finally:
        _stop(worker)

    assert (job.state, job.attempts) == (State.DONE, 2)
    edition = Edition.objects.get(pk=approved_edition.pk)
    assert edition.status == Edition.Status.PUBLISHED
    assert edition.transitions.filter(action="publish").count() == 1
    # Nothing of the killed attempt is left; the approved PDF stays beside the sealed one.
    assert _unreferenced(edition) <= {approved_pdf}
    assert client.get("/healthz").status_code == 200


def test_a_publication_whose_workers_keep_dying_fails_with_its_reason_and_a_mail(
    gate, approved_edition, approver, settings
):
    approver.email = "approver1@example.invalid"
    approver.save()
    job = _job(approved_edition, approver, settings)

    _kill_at_the_gate(gate, attempts=2)
    time.sleep(LEASE + 0.5)
    _kill_at_the_gate(gate, attempts=2)  # its recovery queued the job again, then it died too
    worker = _start(gate, attempts=2)
    try:
        _wait(lambda: _finished(job), "the job to fail")
        _wait(lambda: _mails(gate), "the mail")
    finally:
        _stop(worker)

    assert job.state == State.FAILED
    assert "已重試 2 次仍未完成" in job.reason
    assert Edition.objects.get(pk=approved_edition.pk).status == Edition.Status.APPROVED
    assert any(approver.email in mail and "已重試 2 次仍未完成" in mail for mail in _mails(gate))


def _mails(gate: Path) -> list[str]:
    """The mails the workers wrote (the file backend: one file per connection, 8-bit text)."""
    return [
        path.read_text(encoding="utf-8")
        for path in gate.glob("*.log")
        if not path.name.startswith("worker-")
    ]


def test_a_publication_longer_than_the_lease_keeps_it_and_is_done_once(
    gate, approved_edition, approver, settings
):
    job = _job(approved_edition, approver, settings)
    worker = _start(gate, attempts=3)
    try:
        _wait(lambda: (gate / f"reached-{worker.pid}").exists(), "the publication to start")
        time.sleep(3 * LEASE)  # the heartbeat renews the lease while the step runs
        job.refresh_from_db()
        assert (job.state, job.attempts, job.is_abandoned) == (State.RUNNING, 1, False)
        (gate / "release").touch()
        _wait(lambda: _finished(job), "the publication")
    finally:
        _stop(worker)

    assert (job.state, job.attempts) == (State.DONE, 1)
    assert Edition.objects.get(pk=approved_edition.pk).status == Edition.Status.PUBLISHED
