"""Who may open and change what in the catalogue's admin, page by page, for every persona.

The answers come from Django permissions held by the groups 編輯 (editors: add, change and
view everything; delete programmes and the rows under them) and 核定 (approvers: view only).
Every refused change leaves the catalogue as it was.
"""

from typing import Any

import pytest
from django.urls import reverse

from catalogue.models import Agency, Bulletin, Programme, Scope, Section, Strategy, Target

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "staff_without_role", "editor", "approver", "both_roles", "superuser")
MODELS = {
    "agency": Agency,
    "bulletin": Bulletin,
    "programme": Programme,
    "scope": Scope,
    "target": Target,
    "strategy": Strategy,
    "section": Section,
}
# Editors may not delete agencies and bulletins: other rows depend on them.
EDITOR_DELETES = {"programme", "scope", "target", "strategy", "section"}
PAGES = ("changelist", "add", "change", "history", "compare", "revision", "delete")


def _login(client: Any, request: Any, persona: str) -> None:
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))


def _urls(model_name: str) -> dict[str, str]:
    model = MODELS[model_name]
    obj = model.objects.order_by("pk").first()
    obj.save()  # a second revision, so that there are two to compare
    older, newer = obj.history.order_by("history_id")[:2]
    prefix = f"admin:catalogue_{model_name}"
    return {
        "changelist": reverse(f"{prefix}_changelist"),
        "add": reverse(f"{prefix}_add"),
        "change": reverse(f"{prefix}_change", args=[obj.pk]),
        "history": reverse(f"{prefix}_history", args=[obj.pk]),
        "compare": reverse(f"{prefix}_history_compare", args=[obj.pk])
        + f"?old={older.history_id}&new={newer.history_id}",
        "revision": reverse(f"{prefix}_simple_history", args=[obj.pk, older.history_id]),
        "delete": reverse(f"{prefix}_delete", args=[obj.pk]),
    }


def _expected(persona: str, model_name: str, page: str) -> Any:
    if persona == "anonymous":
        return "login"
    if persona == "staff_without_role":
        return 403
    if persona == "superuser":
        return 200
    edits = persona in ("editor", "both_roles")
    if page in ("changelist", "change", "history", "compare", "revision"):
        return 200  # both roles read the whole catalogue and its past (the revert is a POST)
    if page == "add":
        return 200 if edits else 403
    return 200 if edits and model_name in EDITOR_DELETES else 403


def _answer(response: Any) -> Any:
    if response.status_code == 302 and "/login/" in response["Location"]:
        return "login"
    return response.status_code


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("model_name", MODELS)
def test_every_catalogue_admin_page_answers_each_persona(
    request, client, demo_bulletin, persona, model_name
):
    _login(client, request, persona)
    answers = {page: _answer(client.get(url)) for page, url in _urls(model_name).items()}
    assert answers == {page: _expected(persona, model_name, page) for page in PAGES}


def _catalogue_state() -> tuple:
    return tuple(
        (name, model.objects.count(), model.history.count()) for name, model in MODELS.items()
    )


@pytest.mark.parametrize("persona", ["anonymous", "staff_without_role", "approver"])
@pytest.mark.parametrize("model_name", MODELS)
def test_posting_to_a_catalogue_page_without_the_right_changes_nothing(
    request, client, demo_bulletin, persona, model_name
):
    _login(client, request, persona)
    urls = _urls(model_name)
    before = _catalogue_state()
    for page in ("add", "change", "revision", "delete"):
        response = client.post(urls[page], {"post": "yes", "name": "改寫", "read_version": 1})
        assert _answer(response) in ("login", 403), page
    assert _catalogue_state() == before


SPREADSHEET_PAGES = {
    "export": "admin:catalogue_programme_spreadsheet_export",
    "import": "admin:catalogue_programme_spreadsheet_import",
}
SPREADSHEET_MATRIX = {
    "anonymous": {"export": "login", "import": "login"},
    "staff_without_role": {"export": 403, "import": 403},
    "editor": {"export": 200, "import": 200},
    "approver": {"export": 200, "import": 403},
    "both_roles": {"export": 200, "import": 200},
    "superuser": {"export": 200, "import": 200},
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_spreadsheet_pages_answer_each_persona(request, client, demo_bulletin, persona):
    _login(client, request, persona)
    answers = {page: _answer(client.get(reverse(name))) for page, name in SPREADSHEET_PAGES.items()}
    assert answers == SPREADSHEET_MATRIX[persona]
