"""Four eyes over content: whoever wrote a catalogue revision that an edition carries may not
approve or publish it, even if someone else prepared and submitted the edition."""

import datetime

import pytest

from catalogue.history import attribute
from catalogue.models import Scope, Target
from publishing import services
from publishing.exceptions import FourEyesViolation
from publishing.models import Edition
from publishing.rules import rules_for

pytestmark = pytest.mark.django_db

Status = Edition.Status
LATER = datetime.date(2026, 3, 31)


def _edit_scope(user, title: str = "【半導體】（修訂）") -> Scope:
    scope = Scope.objects.order_by("pk").first()
    scope.title = title
    attribute(scope, user=user, reason="修訂")
    scope.save()
    return scope


def _prepare(bulletin, editor, date=LATER) -> Edition:
    edition = services.create_edition(bulletin=bulletin, date=date, user=editor)
    return services.submit_edition(edition=edition, user=editor)


def test_a_user_with_both_roles_who_edited_a_scope_cannot_approve_the_edition(
    published_edition, demo_bulletin, editor, both_roles, approver
):
    scope = _edit_scope(both_roles)
    submitted = _prepare(demo_bulletin, editor)
    with pytest.raises(FourEyesViolation, match="含有您修改過的目錄內容") as refused:
        services.approve_edition(edition=submitted, user=both_roles)
    assert scope.title in str(refused.value)
    assert Edition.objects.get(pk=submitted.pk).status == Status.SUBMITTED
    assert not submitted.transitions.filter(action="approve").exists()
    assert services.approve_edition(edition=submitted, user=approver).status == Status.APPROVED


def test_a_user_with_both_roles_who_edited_a_scope_cannot_publish_the_edition(
    published_edition, demo_bulletin, editor, both_roles, approver
):
    _edit_scope(both_roles)
    approved = services.approve_edition(edition=_prepare(demo_bulletin, editor), user=approver)
    files = list(approved.files.values_list("pk", "sha256"))
    with pytest.raises(FourEyesViolation, match="含有您修改過的目錄內容"):
        services.publish_edition(edition=approved, user=both_roles)
    stored = Edition.objects.get(pk=approved.pk)
    assert stored.status == Status.APPROVED
    assert (
        list(stored.files.values_list("pk", "sha256")) == files
    )  # the approved ones, as they were


def test_a_user_who_renamed_an_agency_cannot_approve_the_edition_that_shows_it(
    published_edition, demo_bulletin, editor, both_roles, approver
):
    scope = Scope.objects.order_by("pk").first()
    agency = scope.agencies.order_by("pk").first()
    agency.name = f"{agency.name}（更名）"
    attribute(agency, user=both_roles, reason="更名")
    agency.save()
    submitted = _prepare(demo_bulletin, editor)
    with pytest.raises(FourEyesViolation, match="含有您修改過的目錄內容") as refused:
        services.approve_edition(edition=submitted, user=both_roles)
    assert scope.title in str(refused.value)
    assert Edition.objects.get(pk=submitted.pk).status == Status.SUBMITTED
    assert services.approve_edition(edition=submitted, user=approver).status == Status.APPROVED


def test_a_superuser_who_edited_a_target_cannot_approve_the_first_edition(
    demo_bulletin, editor, superuser
):
    target = Target.objects.order_by("pk").first()
    target.text = target.text + "（修訂）"
    attribute(target, user=superuser, reason="修訂")
    target.save()
    submitted = _prepare(demo_bulletin, editor, date=datetime.date(2025, 12, 30))
    with pytest.raises(FourEyesViolation, match="含有您修改過的目錄內容"):
        services.approve_edition(edition=submitted, user=superuser)
    assert rules_for(submitted).allowed_actions(superuser) == [services.Action.REJECT]


def test_revisions_before_the_previous_edition_do_not_count(
    demo_bulletin, editor, both_roles, approver, second_approver
):
    _edit_scope(both_roles)
    first = _prepare(demo_bulletin, editor, date=datetime.date(2025, 12, 30))
    first = services.approve_edition(edition=first, user=approver)
    services.publish_edition(edition=first, user=approver)
    second = _prepare(demo_bulletin, editor)
    assert services.approve_edition(edition=second, user=both_roles).status == Status.APPROVED


def test_revisions_after_the_snapshot_do_not_count(
    published_edition, demo_bulletin, editor, both_roles
):
    submitted = _prepare(demo_bulletin, editor)
    _edit_scope(both_roles)  # goes into the next edition, not this one
    assert services.approve_edition(edition=submitted, user=both_roles).status == Status.APPROVED


def test_the_diff_rows_name_the_revisions_behind_them(
    published_edition, demo_bulletin, editor, second_editor
):
    scope = _edit_scope(second_editor)
    submitted = _prepare(demo_bulletin, editor)
    (change,) = submitted.diff["changes"]
    assert (change["kind"], change["id"]) == ("scope", scope.pk)
    (revision,) = change["revisions"]
    latest = scope.history.latest()
    assert (revision["id"], revision["user_id"], revision["user"]) == (
        latest.history_id,
        second_editor.pk,
        "editor2",
    )


def test_the_edition_page_names_who_wrote_each_changed_row(
    client, published_edition, demo_bulletin, editor, second_editor, approver
):
    from django.urls import reverse

    scope = _edit_scope(second_editor)
    draft = services.create_edition(bulletin=demo_bulletin, date=LATER, user=editor)
    client.force_login(approver)
    page = client.get(reverse("admin:publishing_edition_change", args=[draft.pk]))
    assert f"#{scope.history.latest().history_id} editor2" in page.content.decode()
