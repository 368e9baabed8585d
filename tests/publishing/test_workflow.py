"""Every step for every role, allowed and refused; four eyes; reasons; the audit trail."""

import datetime
from typing import Any

import pytest
from django.contrib.auth.models import Group

from accounts.roles import APPROVERS, EDITORS
from publishing import services
from publishing.exceptions import (
    Conflict,
    FourEyesViolation,
    InvalidTransition,
    NotAllowed,
    ReasonRequired,
)
from publishing.models import Edition, EditionTransition
from publishing.rules import rules_for

pytestmark = pytest.mark.django_db

Action = EditionTransition.Action
Status = Edition.Status

# Where each step starts, and who may take it (everyone else is refused).
STEPS = {
    Action.REFRESH: ("draft_edition", Status.DRAFT),
    Action.SUBMIT: ("draft_edition", Status.SUBMITTED),
    Action.RECALL: ("submitted_edition", Status.DRAFT),
    Action.REOPEN: ("rejected_edition", Status.DRAFT),
    Action.APPROVE: ("submitted_edition", Status.APPROVED),
    Action.REJECT: ("submitted_edition", Status.REJECTED),
    Action.PUBLISH: ("approved_edition", Status.PUBLISHED),
    Action.WITHDRAW: ("published_edition", Status.WITHDRAWN),
}
EDITOR_STEPS = (Action.REFRESH, Action.SUBMIT, Action.REOPEN)
PERSONAS = ("editor", "second_editor", "approver", "second_approver", "outsider", "superuser")
# The fixture editions are prepared and submitted by `editor`, approved by `approver`.
ALLOWED = {
    action: (
        {"editor", "second_editor", "superuser"}
        if action in EDITOR_STEPS
        else {"approver", "second_approver", "superuser"}
    )
    for action in STEPS
}
# Only the person who submitted recalls (撤回送審); an approver rejects instead.
ALLOWED[Action.RECALL] = {"editor"}
CASES = [(action, persona) for action in STEPS for persona in PERSONAS]


@pytest.fixture
def rejected_edition(submitted_edition: Edition, second_approver: Any) -> Edition:
    return services.reject_edition(
        edition=submitted_edition, user=second_approver, comment="請補上本版異動說明。"
    )


@pytest.fixture
def dual_role(django_user_model: Any, db: None) -> Any:
    """A person who is both editor and approver."""
    user = django_user_model.objects.create_user("both", is_staff=True)
    user.groups.add(*Group.objects.filter(name__in=[EDITORS, APPROVERS]))
    return user


def _take(request: Any, action: str, persona: str) -> tuple[Edition, Any]:
    start, _ = STEPS[action]
    edition = request.getfixturevalue(start)
    user = request.getfixturevalue(persona)
    return edition, user


@pytest.mark.parametrize(("action", "persona"), [c for c in CASES if c[1] in ALLOWED[c[0]]])
def test_a_step_is_allowed_for_its_role(request, action, persona):
    edition, user = _take(request, action, persona)
    before = edition.status
    result = services.take_action(edition=edition, user=user, action=action, comment="理由")
    assert result.status == STEPS[action][1]
    stored = Edition.objects.get(pk=edition.pk)
    assert stored.status == STEPS[action][1]
    last = stored.transitions.filter(action=action).last()
    assert (last.actor, last.from_status, last.to_status) == (user, before, stored.status)


@pytest.mark.parametrize(("action", "persona"), [c for c in CASES if c[1] not in ALLOWED[c[0]]])
def test_a_step_is_refused_for_other_roles(request, action, persona):
    edition, user = _take(request, action, persona)
    before, trail = edition.status, edition.transitions.count()
    with pytest.raises(NotAllowed) as refused:
        services.take_action(edition=edition, user=user, action=action, comment="理由")
    assert "只有" in str(refused.value)
    assert Edition.objects.get(pk=edition.pk).status == before
    assert edition.transitions.count() == trail


WRONG_STATES = [
    (action, start)
    for action in STEPS
    for start in (
        "draft_edition",
        "submitted_edition",
        "approved_edition",
        "rejected_edition",
        "published_edition",
    )
    if start != STEPS[action][0]
]


@pytest.mark.parametrize(("action", "start"), WRONG_STATES)
def test_a_step_is_refused_from_a_status_it_does_not_start_from(request, superuser, action, start):
    edition = request.getfixturevalue(start)
    with pytest.raises(InvalidTransition, match="這個版本目前為"):
        services.take_action(edition=edition, user=superuser, action=action, comment="理由")
    assert Edition.objects.get(pk=edition.pk).status == edition.status


def test_nothing_may_be_done_to_a_superseded_or_withdrawn_edition(
    published_edition, approver, superuser
):
    withdrawn = services.withdraw_edition(edition=published_edition, user=approver, comment="錯誤")
    assert rules_for(withdrawn).allowed_actions(superuser) == []


def test_approver_cannot_approve_an_edition_they_prepared(demo_bulletin, dual_role, approver):
    edition = services.create_edition(
        bulletin=demo_bulletin, date=datetime.date(2025, 12, 30), user=dual_role
    )
    edition = services.submit_edition(edition=edition, user=dual_role)
    with pytest.raises(FourEyesViolation, match="四眼原則"):
        services.approve_edition(edition=edition, user=dual_role)
    assert services.approve_edition(edition=edition, user=approver).status == Status.APPROVED


def test_superuser_cannot_approve_an_edition_they_prepared(demo_bulletin, superuser):
    edition = services.create_edition(
        bulletin=demo_bulletin, date=datetime.date(2025, 12, 30), user=superuser
    )
    edition = services.submit_edition(edition=edition, user=superuser)
    with pytest.raises(FourEyesViolation):
        services.approve_edition(edition=edition, user=superuser)


def test_approver_cannot_publish_an_edition_they_submitted(draft_edition, dual_role, approver):
    submitted = services.submit_edition(edition=draft_edition, user=dual_role)
    approved = services.approve_edition(edition=submitted, user=approver)
    files = list(approved.files.values_list("pk", "sha256"))
    with pytest.raises(FourEyesViolation):
        services.publish_edition(edition=approved, user=dual_role)
    assert Edition.objects.get(pk=approved.pk).status == Status.APPROVED
    assert list(approved.files.values_list("pk", "sha256")) == files  # as approved


@pytest.mark.parametrize("start", ["submitted_edition", "approved_edition", "rejected_edition"])
def test_nobody_changes_an_edition_after_submission_except_by_a_step(
    request, start, editor, superuser
):
    edition = request.getfixturevalue(start)
    before = (edition.status, edition.change_note, edition.date, edition.transitions.count())
    for user in (editor, superuser):
        with pytest.raises(InvalidTransition, match="不能修改"):
            services.update_edition(edition=edition, user=user, change_note="改過的說明")
    stored = Edition.objects.get(pk=edition.pk)
    assert (stored.status, stored.change_note, stored.date, stored.transitions.count()) == before


def test_the_submitter_recalls_a_submitted_edition_with_a_reason_and_edits_it(
    submitted_edition, editor
):
    with pytest.raises(ReasonRequired):
        services.recall_edition(edition=submitted_edition, user=editor, comment=" ")
    draft = services.recall_edition(edition=submitted_edition, user=editor, comment="日期有誤")
    assert draft.status == Status.DRAFT
    last = draft.transitions.last()
    assert (last.action, last.actor, last.from_status, last.to_status, last.comment) == (
        Action.RECALL,
        editor,
        Status.SUBMITTED,
        Status.DRAFT,
        "日期有誤",
    )
    changed = services.update_edition(edition=draft, user=editor, date=datetime.date(2025, 12, 31))
    assert changed.date == datetime.date(2025, 12, 31)


def test_someone_who_recalled_an_edition_cannot_approve_it(draft_edition, dual_role, editor):
    submitted = services.submit_edition(edition=draft_edition, user=dual_role)
    services.recall_edition(edition=submitted, user=dual_role, comment="補充")
    again = services.submit_edition(edition=Edition.objects.get(pk=submitted.pk), user=editor)
    with pytest.raises(FourEyesViolation):
        services.approve_edition(edition=again, user=dual_role)


def test_an_approver_rejects_what_an_editor_cannot_recall(
    submitted_edition, second_editor, approver
):
    with pytest.raises(NotAllowed, match="只有送審的人"):
        services.recall_edition(edition=submitted_edition, user=second_editor, comment="x")
    assert Edition.objects.get(pk=submitted_edition.pk).status == Status.SUBMITTED
    rejected = services.reject_edition(edition=submitted_edition, user=approver, comment="請修正")
    assert rejected.status == Status.REJECTED


def test_approvers_cannot_change_an_edition(submitted_edition, approver):
    with pytest.raises(NotAllowed):
        services.update_edition(edition=submitted_edition, user=approver, change_note="改")


@pytest.mark.parametrize("action", [Action.REJECT, Action.WITHDRAW])
def test_rejecting_and_withdrawing_need_a_reason(request, approver, second_approver, action):
    edition = request.getfixturevalue(STEPS[action][0])
    with pytest.raises(ReasonRequired, match="必須填寫理由"):
        services.take_action(edition=edition, user=second_approver, action=action, comment="  ")
    assert Edition.objects.get(pk=edition.pk).status == edition.status


def test_a_withdrawn_edition_keeps_its_reason(published_edition, second_approver):
    withdrawn = services.withdraw_edition(
        edition=published_edition, user=second_approver, comment="內容有誤，將另行公告。"
    )
    assert withdrawn.withdrawn_reason == "內容有誤，將另行公告。"
    assert Edition.objects.public().filter(pk=withdrawn.pk).exists()


def test_a_rejected_edition_is_reopened_refreshed_and_submitted_again(rejected_edition, editor):
    draft = services.reopen_edition(edition=rejected_edition, user=editor)
    draft = services.refresh_edition(edition=draft, user=editor)
    assert services.submit_edition(edition=draft, user=editor).status == Status.SUBMITTED


def test_a_stale_page_gets_a_clear_message_and_nothing_is_done_twice(
    submitted_edition, approver, second_approver
):
    seen_by_second = Edition.objects.get(pk=submitted_edition.pk)
    services.approve_edition(edition=submitted_edition, user=approver)
    with pytest.raises(Conflict, match="剛由 approver1 變更為「已核定」"):
        services.approve_edition(edition=seen_by_second, user=second_approver)
    assert submitted_edition.transitions.filter(action=Action.APPROVE).count() == 1


def test_every_step_writes_one_line_of_the_audit_trail(published_edition, editor, approver):
    trail = list(
        published_edition.transitions.values_list(
            "action", "actor__username", "from_status", "to_status"
        )
    )
    assert trail == [
        ("create", editor.username, "", "draft"),
        ("submit", editor.username, "draft", "submitted"),
        ("render", None, "submitted", "submitted"),  # the worker, right after submission
        ("approve", approver.username, "submitted", "approved"),
        ("publish", approver.username, "approved", "published"),
    ]


def test_allowed_actions_are_exactly_the_steps_the_user_may_take(
    submitted_edition, editor, approver, outsider
):
    assert rules_for(submitted_edition).allowed_actions(approver) == [
        Action.APPROVE,
        Action.REJECT,
    ]
    assert rules_for(submitted_edition).allowed_actions(editor) == [Action.RECALL]
    assert rules_for(submitted_edition).allowed_actions(outsider) == []
