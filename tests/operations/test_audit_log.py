"""One JSON line on the `audit` logger per login, failure, lock-out, change, import and step."""

import json

import pytest
from django.db import transaction
from django.urls import reverse

from catalogue.spreadsheet.formats import FORMATS
from catalogue.spreadsheet.resources import export_dataset
from catalogue.spreadsheet.services import import_bulletin
from publishing import services

pytestmark = pytest.mark.django_db


def audit_lines(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "audit"]


def events(caplog, name: str) -> list[dict]:
    return [line for line in audit_lines(caplog) if line["event"] == name]


@pytest.fixture
def audit(caplog):
    caplog.set_level("INFO", logger="audit")
    return caplog


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the block, then what its transaction would run on commit (the tests' never does)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _login(client, username, password):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password},
        REMOTE_ADDR="192.0.2.5",
    )


def test_a_login_is_logged_with_the_user_and_the_address(
    client, editor, password, audit, committed
):
    with committed():
        _login(client, editor.username, password)

    assert events(audit, "login") == [
        {"event": "login", "user": editor.username, "user_id": editor.pk, "ip": "192.0.2.5"}
    ]


def test_a_failed_login_is_logged_with_the_name_tried_and_never_the_password(
    client, editor, audit, committed
):
    with committed():
        _login(client, editor.username, "s3cret-guess")

    (line,) = events(audit, "login_failed")
    assert line["username"] == editor.username
    assert line["ip"] == "192.0.2.5"
    assert "s3cret-guess" not in audit.text
    assert events(audit, "login") == []


def test_the_fifth_failure_logs_the_lock_out(client, editor, audit, committed):
    with committed():
        for _ in range(4):
            _login(client, editor.username, "wrong")
    assert events(audit, "lockout") == []

    with committed():
        _login(client, editor.username, "wrong")

    (line,) = events(audit, "lockout")
    assert line["username"] == editor.username
    assert line["ip"] == "192.0.2.5"


def test_an_import_logs_itself_and_each_catalogue_change_with_the_editor(
    demo_bulletin, editor, audit, committed
):
    dataset = export_dataset(demo_bulletin)
    column = dataset.headers.index("產業範疇說明")
    row = list(dataset[0])
    row[column] = "包括晶片設計與晶圓代工。"
    dataset[0] = row
    audit.clear()

    with committed():
        import_bulletin(
            bulletin=demo_bulletin,
            content=FORMATS["csv"].export_data(dataset),
            file_name="edited.csv",
            user=editor,
            allow_delete=False,
        )

    (imported,) = events(audit, "import")
    assert imported["user"] == editor.username
    assert imported["bulletin_id"] == demo_bulletin.pk
    assert imported["file"] == "edited.csv"
    (change,) = events(audit, "catalogue_change")
    assert change["model"] == "catalogue.scope"
    assert change["change"] == "changed"
    assert change["user_id"] == editor.pk
    assert change["reason"] == "匯入 edited.csv"


def test_each_transition_and_the_publication_are_logged_with_their_ids(
    approved_edition, approver, audit, committed
):
    with committed():
        edition = services.publish_edition(edition=approved_edition, user=approver)

    (published,) = events(audit, "publication")
    assert published["edition_id"] == edition.pk
    assert published["user"] == approver.username
    assert published["from_status"] == "approved"
    assert published["snapshot_sha256"] == edition.snapshot_sha256


def test_submitting_is_logged_as_a_transition(draft_edition, editor, audit, committed):
    with committed():
        services.submit_edition(edition=draft_edition, user=editor)

    # The worker's rendering of the files follows as a line of its own.
    (line,) = [line for line in events(audit, "transition") if line["action"] == "submit"]
    assert (line["from_status"], line["to_status"]) == ("draft", "submitted")
    assert line["user_id"] == editor.pk


def test_a_step_rolled_back_is_not_logged(draft_edition, editor, audit, committed):
    with committed(), pytest.raises(RuntimeError), transaction.atomic():
        services.submit_edition(edition=draft_edition, user=editor)
        raise RuntimeError("the request failed after the step")

    assert events(audit, "transition") == []
