"""/healthz tells a load balancer whether this server can work: database, storage, worker."""

import json

import pytest
from django.core.files.storage import default_storage
from django.db import connection

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_with_each_check_when_database_and_storage_work(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {
        "status": "ok",
        "checks": {
            "database": {"status": "ok"},
            "storage": {"status": "ok"},
            "task_worker": {"status": "ok", "backend": "ImmediateBackend"},
        },
    }


def test_healthz_sets_no_cookie_and_may_not_be_cached(client):
    response = client.get("/healthz")

    assert response.cookies == {}
    assert "no-cache" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]


def test_healthz_leaves_no_probe_file_behind(client):
    client.get("/healthz")

    assert not default_storage.exists("healthz") or default_storage.listdir("healthz")[1] == []


def test_healthz_answers_503_naming_the_storage_when_files_cannot_be_written(
    client, settings, tmp_path
):
    # A file where the storage's folder should be: no folder can be made there, even by root.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(blocker / "media")},
        },
    }

    response = client.get("/healthz")

    body = json.loads(response.content)
    assert response.status_code == 503
    assert body["status"] == "error"
    assert body["checks"]["storage"]["status"] == "error"
    assert body["checks"]["database"] == {"status": "ok"}


def test_healthz_answers_503_naming_the_database_when_it_cannot_be_reached(client, monkeypatch):
    # The connection's own cursor fails as it does when the server is gone; only the database
    # check goes through it.
    def unreachable(*args, **kwargs):
        raise connection.Database.OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", unreachable)

    response = client.get("/healthz")

    body = json.loads(response.content)
    assert response.status_code == 503
    assert body["checks"]["database"]["status"] == "error"
    assert "connection refused" in body["checks"]["database"]["error"]


def test_healthz_refuses_writes(client):
    assert client.post("/healthz").status_code == 405


def test_healthz_answers_over_plain_http_where_every_other_page_redirects_to_https(
    client, settings
):
    # Load balancers ask the app server itself, over HTTP, behind the TLS proxy.
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301


DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_healthz_reports_how_long_the_oldest_work_has_waited_for_a_worker(client, settings):
    import time_machine
    from django.utils import timezone

    from publishing.tasks import publish_task

    settings.TASKS = DATABASE_TASKS
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        publish_task.enqueue(job_id=0)
        traveller.shift(30)
        worker = json.loads(client.get("/healthz").content)["checks"]["task_worker"]
        assert worker == {
            "status": "ok",
            "backend": "DatabaseBackend",
            "oldest_queued_seconds": 30,
        }
        traveller.shift(settings.TASKS_MAX_QUEUE_AGE_SECONDS)
        response = client.get("/healthz")
    assert response.status_code == 503
    worker = json.loads(response.content)["checks"]["task_worker"]
    assert worker["status"] == "error"
    assert "db_worker" in worker["error"]


def test_healthz_does_not_count_a_scheduled_publication_as_waiting(client, settings):
    import datetime

    from django.utils import timezone

    from publishing.tasks import publish_task

    settings.TASKS = DATABASE_TASKS
    later = timezone.now() + datetime.timedelta(days=2)
    publish_task.using(run_after=later).enqueue(job_id=0)
    worker = json.loads(client.get("/healthz").content)["checks"]["task_worker"]
    assert worker["status"] == "ok"
    assert worker["oldest_queued_seconds"] == 0
