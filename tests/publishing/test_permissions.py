"""Who may do what, on every path: the edition admin's URLs, the `edition` command, the
catalogue's import and revert, and the accounts admin. Every refusal leaves the data as it was.

Roles are Django permissions held by the groups 編輯 and 核定; one permission given to one
person works the same way.
"""

import datetime
import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.roles import APPROVERS, EDITORS
from catalogue.history import revert_to
from catalogue.models import Scope
from catalogue.spreadsheet.importer import ImportRefused
from catalogue.spreadsheet.services import import_bulletin
from publishing import lifecycle, services
from publishing.exceptions import NotAllowed
from publishing.models import Edition

pytestmark = pytest.mark.django_db

Action = lifecycle.Action
Status = Edition.Status
PERSONAS = ("anonymous", "staff_without_role", "editor", "approver", "both_roles", "superuser")
# Where each step starts (the fixtures: prepared and submitted by `editor`, approved and
# published by `approver`), and who may take it there.
STEP_START = {
    Action.REFRESH: "draft_edition",
    Action.SUBMIT: "draft_edition",
    Action.RECALL: "submitted_edition",
    Action.REOPEN: "rejected_edition",
    Action.APPROVE: "submitted_edition",
    Action.REJECT: "submitted_edition",
    Action.PUBLISH: "approved_edition",
    Action.UNSCHEDULE: "scheduled_edition",
    Action.WITHDRAW: "published_edition",
}
EDITORS_ = {"editor", "both_roles", "superuser"}
APPROVERS_ = {"approver", "both_roles", "superuser"}
MAY = {
    Action.REFRESH: EDITORS_,
    Action.SUBMIT: EDITORS_,
    Action.RECALL: {"editor"},  # the submitter only
    Action.REOPEN: EDITORS_,
    Action.APPROVE: APPROVERS_,
    Action.REJECT: APPROVERS_,
    Action.PUBLISH: APPROVERS_,
    Action.UNSCHEDULE: APPROVERS_,
    Action.WITHDRAW: APPROVERS_,
}


@pytest.fixture
def anonymous():
    return None


@pytest.fixture
def rejected_edition(submitted_edition, approver):
    return services.reject_edition(edition=submitted_edition, user=approver, comment="請補充")


@pytest.fixture
def scheduled_edition(submitted_edition, approver, settings):
    """Approved for publication tomorrow (a worker publishes it then: the database backend)."""
    from django.utils import timezone
    from workers import DATABASE_TASKS

    settings.TASKS = DATABASE_TASKS
    when = timezone.now() + datetime.timedelta(days=1)
    return services.approve_edition(edition=submitted_edition, user=approver, scheduled_for=when)


def _last_step(edition: Edition) -> str:
    """The last step a person took (the worker renders the files right after a submission)."""
    return edition.transitions.exclude(action=Action.RENDER).last().action


def _login(client, request, persona):
    user = request.getfixturevalue(persona)
    if user is not None:
        client.force_login(user)
    return user


def _state(edition: Edition) -> tuple:
    stored = Edition.objects.get(pk=edition.pk)
    return (stored.status, stored.updated_at, stored.transitions.count(), stored.files.count())


# The edition admin, URL by URL


def _urls(edition: Edition) -> dict[str, str]:
    return {
        "changelist": reverse("admin:publishing_edition_changelist"),
        "add": reverse("admin:publishing_edition_add"),
        "change": reverse("admin:publishing_edition_change", args=[edition.pk]),
        "history": reverse("admin:publishing_edition_history", args=[edition.pk]),
        "edit": reverse("admin:publishing_edition_edit", args=[edition.pk]),
        "delete": reverse("admin:publishing_edition_delete", args=[edition.pk]),
    }


# GET answers on a draft: 200 open, 302 to the login page, 403 refused, "back" sent back to
# the edition page with the reason.
PAGE_MATRIX = {
    "anonymous": dict.fromkeys(
        ("changelist", "add", "change", "history", "edit", "delete"), "login"
    ),
    "staff_without_role": dict.fromkeys(
        ("changelist", "add", "change", "history", "edit", "delete"), 403
    ),
    "editor": {
        "changelist": 200,
        "add": 200,
        "change": 200,
        "history": 200,
        "edit": 200,
        "delete": 403,
    },
    "approver": {
        "changelist": 200,
        "add": 403,
        "change": 200,
        "history": 200,
        "edit": 403,
        "delete": 403,
    },
    "both_roles": {
        "changelist": 200,
        "add": 200,
        "change": 200,
        "history": 200,
        "edit": 200,
        "delete": 403,
    },
    "superuser": dict.fromkeys(("changelist", "add", "change", "history", "edit", "delete"), 200),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", ["changelist", "add", "change", "history", "edit", "delete"])
def test_every_edition_admin_page_answers_each_persona(
    request, client, draft_edition, persona, page
):
    _login(client, request, persona)
    response = client.get(_urls(draft_edition)[page])
    expected = PAGE_MATRIX[persona][page]
    if expected == "login":
        assert response.status_code == 302 and "/login/" in response.url
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_posting_to_the_edition_pages_without_the_right_changes_nothing(
    request, client, draft_edition, persona
):
    _login(client, request, persona)
    before = _state(draft_edition)
    urls = _urls(draft_edition)
    data = {"date": "2026-01-05", "change_note": "改", "version": "", "post": "yes"}
    for page in ("change", "delete"):
        assert client.post(urls[page], data).status_code in (302, 403)
    if persona not in EDITORS_:
        assert client.post(urls["edit"], data).status_code in (302, 403)
        assert client.post(
            urls["add"], {**data, "bulletin": draft_edition.bulletin_id}
        ).status_code in (302, 403)
    if persona != "superuser":
        assert _state(draft_edition) == before
        assert Edition.objects.count() == 1


STEP_CASES = [(action, persona) for action in STEP_START for persona in PERSONAS]


@pytest.mark.parametrize(("action", "persona"), STEP_CASES)
def test_every_step_in_the_admin_for_each_persona(request, client, action, persona):
    edition = request.getfixturevalue(STEP_START[action])
    _login(client, request, persona)
    url = reverse("admin:publishing_edition_transition", args=[edition.pk, action])
    before = _state(edition)
    page = client.get(url)
    response = client.post(url, {"comment": "理由", "version": edition.updated_at.isoformat()})
    if persona == "anonymous":
        assert page.status_code == response.status_code == 302 and "/login/" in response.url
    elif persona == "staff_without_role":
        assert page.status_code == response.status_code == 403
    elif persona in MAY[action]:
        assert page.status_code == 200
        assert response.status_code == 302
        stored = Edition.objects.get(pk=edition.pk)
        assert stored.status == (lifecycle.STEPS[action].target or edition.status)
        assert _last_step(stored) == action
        return
    else:
        assert page.status_code == response.status_code == 302  # back, with the reason
    assert _state(edition) == before


# The edition command, step by step


@pytest.mark.parametrize(("action", "persona"), [c for c in STEP_CASES if c[1] != "anonymous"])
def test_every_step_on_the_command_line_for_each_persona(request, action, persona):
    edition = request.getfixturevalue(STEP_START[action])
    user = request.getfixturevalue(persona)
    before = _state(edition)
    args = ("edition", action, str(edition.pk), "--user", user.username, "--reason", "理由")
    if persona in MAY[action]:
        call_command(*args, stdout=io.StringIO())
        assert _last_step(Edition.objects.get(pk=edition.pk)) == action
        return
    with pytest.raises(CommandError, match="只有|四眼"):
        call_command(*args, stdout=io.StringIO())
    assert _state(edition) == before


def test_recall_on_the_command_line_needs_a_reason(submitted_edition, editor):
    with pytest.raises(CommandError, match="--comment/--reason"):
        call_command("edition", "recall", str(submitted_edition.pk), "--user", editor.username)
    call_command(
        "edition",
        "recall",
        str(submitted_edition.pk),
        "--user",
        editor.username,
        "--reason",
        "日期有誤",
        stdout=io.StringIO(),
    )
    assert Edition.objects.get(pk=submitted_edition.pk).status == Status.DRAFT


# Roles are permissions


def test_one_permission_given_to_one_person_is_a_role(submitted_edition, staff_without_role):
    with pytest.raises(NotAllowed):
        services.approve_edition(edition=submitted_edition, user=staff_without_role)
    staff_without_role.user_permissions.add(
        Permission.objects.get(codename="approve_edition"),
        Permission.objects.get(codename="view_edition"),
    )
    staff = type(staff_without_role).objects.get(pk=staff_without_role.pk)  # fresh perm cache
    assert services.approve_edition(edition=submitted_edition, user=staff).status == Status.APPROVED


def test_the_groups_hold_the_edition_permissions_of_their_role():
    def codenames(name):
        group = Group.objects.get(name=name)
        return set(
            group.permissions.filter(content_type__app_label="publishing").values_list(
                "codename", flat=True
            )
        )

    assert codenames(EDITORS) == {"prepare_edition", "view_edition", "view_editiontransition"}
    assert codenames(APPROVERS) == {
        "approve_edition",
        "publish_edition",
        "withdraw_edition",
        "view_edition",
        "view_editiontransition",
    }


def test_no_role_group_holds_a_permission_on_accounts():
    for name in (EDITORS, APPROVERS):
        group = Group.objects.get(name=name)
        assert not group.permissions.filter(content_type__app_label="auth").exists()


@pytest.mark.parametrize("model", ["user", "group"])
def test_only_superusers_manage_users_and_groups(client, staff_without_role, superuser, model):
    staff_without_role.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="auth")
    )
    url = reverse(f"admin:auth_{model}_changelist")
    add = reverse(f"admin:auth_{model}_add")
    client.force_login(staff_without_role)
    assert client.get(url).status_code == 403
    assert client.post(add, {"name": "x", "username": "x"}).status_code == 403
    assert not Group.objects.filter(name="x").exists()
    client.force_login(superuser)
    assert client.get(url).status_code == 200


# Catalogue writes check the role in the service


def test_an_approver_cannot_import_a_bulletin_on_the_command_line(
    demo_bulletin, approver, tmp_path
):
    path = tmp_path / "bulletin.json"
    call_command("export_bulletin", "--format", "json", "-o", str(path), stdout=io.StringIO())
    path.write_text(path.read_text("utf-8").replace("成為全球AI影響力中心", "成為AI島"), "utf-8")
    revisions = Scope.history.count()
    with pytest.raises(CommandError, match="只有編輯可以匯入彙整表；未變更任何資料。"):
        call_command("import_bulletin", str(path), "--user", approver.username)
    assert not Scope.objects.filter(headline="成為AI島").exists()
    assert Scope.history.count() == revisions


def test_an_editor_without_delete_rights_cannot_import_with_deletions(demo_bulletin, editor):
    editor.groups.get(name=EDITORS).permissions.remove(
        Permission.objects.get(codename="delete_target")
    )
    with pytest.raises(ImportRefused, match="未變更任何資料"):
        import_bulletin(
            bulletin=demo_bulletin,
            content=b"{}",
            file_name="x.json",
            user=type(editor).objects.get(pk=editor.pk),
            allow_delete=True,
        )


def test_an_approver_cannot_revert_a_scope(demo_bulletin, editor, approver):
    scope = Scope.objects.order_by("pk").first()
    old_title = scope.title
    record = scope.history.earliest()
    scope.title = "改過的標題"
    scope.save()
    with pytest.raises(PermissionDenied, match="沒有還原這筆資料的權限"):
        revert_to(record, user=approver)
    assert Scope.objects.get(pk=scope.pk).title == "改過的標題"
    assert revert_to(record, user=editor).title == old_title


# The services themselves, for callers that are neither the admin nor the command


@pytest.mark.parametrize(("action", "persona"), STEP_CASES)
def test_every_step_service_for_each_persona(request, action, persona):
    from django.contrib.auth.models import AnonymousUser

    edition = request.getfixturevalue(STEP_START[action])
    user = request.getfixturevalue(persona) or AnonymousUser()
    before = _state(edition)
    if persona in MAY[action]:
        done = services.take_action(edition=edition, user=user, action=action, comment="理由")
        assert _last_step(done) == action
        return
    with pytest.raises(NotAllowed):
        services.take_action(edition=edition, user=user, action=action, comment="理由")
    assert _state(edition) == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_creating_an_edition_needs_the_prepare_permission(request, demo_bulletin, persona):
    from django.contrib.auth.models import AnonymousUser

    user = request.getfixturevalue(persona) or AnonymousUser()
    date = datetime.date(2025, 12, 30)
    if persona in EDITORS_:
        assert services.create_edition(bulletin=demo_bulletin, date=date, user=user).pk
        return
    with pytest.raises(NotAllowed, match="只有編輯可以建立版本"):
        services.create_edition(bulletin=demo_bulletin, date=date, user=user)
    assert not Edition.objects.exists()
