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
            "task_worker": {"status": "not_configured"},
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
