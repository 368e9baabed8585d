"""The admin's front page: each person's own work, what four eyes forbids them and why, what
happened lately, the catalogue in the bulletin's order, in a number of queries that does not
grow with the data."""

import datetime
from typing import Any

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue.history import attribute
from catalogue.models import Bulletin, Programme
from publishing import services
from publishing.dashboard import dashboard_for

pytestmark = pytest.mark.django_db


def _front_page(client: Any, user: Any) -> Any:
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return response


def _rename(programme: Programme, name: str, user: Any) -> None:
    attribute(programme, user=user, reason="測試修改")
    programme.name = name
    programme.save()


def _edition_page(edition: Any) -> str:
    return reverse("admin:publishing_edition_change", args=[edition.pk])


def test_editor_sees_their_draft(client: Any, editor: Any, draft_edition: Any) -> None:
    page = _front_page(client, editor)
    assert page.context["dashboard"].drafts == [draft_edition]
    assert _edition_page(draft_edition) in page.text


def test_another_editors_draft_is_not_listed_as_mine(
    client: Any, second_editor: Any, draft_edition: Any
) -> None:
    assert _front_page(client, second_editor).context["dashboard"].drafts == []


def test_editor_sees_their_rejected_edition_with_the_reason(
    client: Any, editor: Any, approver: Any, submitted_edition: Any
) -> None:
    services.reject_edition(edition=submitted_edition, user=approver, comment="第3項目標年有誤")
    page = _front_page(client, editor)
    (rejected,) = page.context["dashboard"].rejected
    assert rejected.edition == submitted_edition
    assert rejected.reason == "第3項目標年有誤"
    assert "第3項目標年有誤" in page.text


def test_approver_sees_the_submitted_edition_awaiting_their_decision(
    client: Any, approver: Any, submitted_edition: Any
) -> None:
    page = _front_page(client, approver)
    (item,) = page.context["dashboard"].awaiting
    assert item.edition == submitted_edition and item.allowed
    assert _edition_page(submitted_edition) in page.text


def test_an_edition_four_eyes_forbids_is_marked_with_the_reason(
    client: Any, demo_bulletin: Any, both_roles: Any
) -> None:
    edition = services.create_edition(
        bulletin=demo_bulletin, date=datetime.date(2025, 12, 30), user=both_roles
    )
    services.submit_edition(edition=edition, user=both_roles)
    page = _front_page(client, both_roles)
    (item,) = page.context["dashboard"].awaiting
    assert not item.allowed
    assert "四眼原則" in item.reason
    assert "您不能核定" in page.text


def test_approved_edition_waits_for_publication(
    client: Any, approver: Any, second_approver: Any, approved_edition: Any
) -> None:
    (mine,) = dashboard_for(approver).approved
    (theirs,) = dashboard_for(second_approver).approved
    assert mine.edition == approved_edition
    # The approver may publish what they approved; four eyes is about the content's authors.
    assert mine.allowed and theirs.allowed
    assert mine.scheduled_for is getattr(approved_edition, "scheduled_for", None)


def test_both_see_the_edition_in_force_and_recent_activity(
    client: Any, editor: Any, approver: Any, published_edition: Any
) -> None:
    for person in (editor, approver):
        board = dashboard_for(person)
        assert board.in_force == [published_edition]
        assert board.activity[0].what == "公告"
        assert len(board.activity) == 10  # the demo's catalogue revisions fill the rest


def test_catalogue_changes_not_yet_in_any_edition_are_counted(
    client: Any, editor: Any, published_edition: Any
) -> None:
    (item,) = dashboard_for(editor).changes
    assert item.count == 0 and item.base == published_edition
    programme = Programme.objects.get(bulletin=published_edition.bulletin, serial=1)
    _rename(programme, "改名後的產業", editor)
    page = _front_page(client, editor)
    (item,) = page.context["dashboard"].changes
    assert item.count == 1
    assert reverse("admin:catalogue_changes", args=[published_edition.bulletin_id]) in page.text


def test_changes_taken_into_a_draft_no_longer_count(editor: Any, published_edition: Any) -> None:
    programme = Programme.objects.get(bulletin=published_edition.bulletin, serial=1)
    _rename(programme, "改名後的產業", editor)
    draft = services.create_edition(
        bulletin=published_edition.bulletin, date=datetime.date(2026, 1, 30), user=editor
    )
    (item,) = dashboard_for(editor).changes
    assert item.base == draft and item.count == 0


def test_staff_without_a_role_sees_no_dashboard_data(
    client: Any, staff_without_role: Any, submitted_edition: Any
) -> None:
    page = _front_page(client, staff_without_role)
    board = page.context["dashboard"]
    assert not board.is_member
    assert (board.drafts, board.awaiting, board.in_force, board.activity) == ([], [], [], [])
    assert submitted_edition.bulletin.title not in page.text
    assert "dashboard-awaiting" not in page.text


def test_editor_sees_no_approvers_panels_and_approver_no_editors(
    client: Any, editor: Any, approver: Any, submitted_edition: Any
) -> None:
    editor_page = _front_page(client, editor).text
    approver_page = _front_page(client, approver).text
    assert "dashboard-drafts" in editor_page and "dashboard-awaiting" not in editor_page
    assert "dashboard-awaiting" in approver_page and "dashboard-drafts" not in approver_page


def test_the_app_list_follows_the_bulletin(superuser: Any) -> None:
    request = RequestFactory().get("/admin/")
    request.user = superuser
    apps = admin.site.get_app_list(request)
    assert [app["app_label"] for app in apps][:2] == ["catalogue", "publishing"]
    names = [model["object_name"] for model in apps[0]["models"]]
    assert names == ["Bulletin", "Programme", "Scope", "Target", "Strategy", "Section", "Agency"]


def test_the_app_list_stays_below_the_dashboard(client: Any, editor: Any) -> None:
    page = _front_page(client, editor).text
    assert page.index("dashboard-drafts") < page.index("app-catalogue")


@pytest.mark.parametrize("persona", ["editor", "approver"])
def test_the_front_page_costs_the_same_queries_with_more_data(
    client: Any,
    request: Any,
    persona: str,
    editor: Any,
    second_editor: Any,
    approver: Any,
    published_edition: Any,
    django_assert_max_num_queries: Any,
) -> None:
    bulletin = published_edition.bulletin
    under_review = services.create_edition(
        bulletin=bulletin, date=datetime.date(2026, 1, 30), user=editor
    )
    under_review = services.submit_edition(edition=under_review, user=editor)
    client.force_login(request.getfixturevalue(persona))
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("admin:index"))
    # More revisions, a longer audit trail, another bulletin with its own catalogue.
    for number, programme in enumerate(Programme.objects.filter(bulletin=bulletin)):
        _rename(programme, f"{programme.name}（{number}）", second_editor)
    under_review = services.recall_edition(edition=under_review, user=editor, comment="補正")
    under_review = services.refresh_edition(edition=under_review, user=editor)
    services.submit_edition(edition=under_review, user=editor)
    other = Bulletin.objects.create(
        title="另一份彙整表", slug="another", issuing_agency=bulletin.issuing_agency
    )
    Programme.objects.create(
        bulletin=other, serial=1, name="另一個產業", period_start=2025, period_end=2030
    )
    with django_assert_max_num_queries(len(first)):
        page = client.get(reverse("admin:index"))
    assert len(page.context["dashboard"].activity) == 10


def test_an_editor_and_approvers_page_costs_a_bounded_number_of_queries(
    client: Any, both_roles: Any, published_edition: Any, django_assert_max_num_queries: Any
) -> None:
    client.force_login(both_roles)
    with django_assert_max_num_queries(40):
        client.get(reverse("admin:index"))
