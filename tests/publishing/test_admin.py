"""Editions in the admin: the list, the edition page, and one confirmation page per step."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import APPROVERS, EDITORS
from catalogue.models import Agency, Bulletin, Programme
from publishing import services
from publishing.models import Edition

pytestmark = pytest.mark.django_db
Status = Edition.Status
CHANGELIST = "admin:publishing_edition_changelist"


def _page(edition: Edition) -> str:
    return reverse("admin:publishing_edition_change", args=[edition.pk])


def _edit(edition: Edition) -> str:
    return reverse("admin:publishing_edition_edit", args=[edition.pk])


def _preview(edition: Edition) -> str:
    return reverse("admin:publishing_edition_preview", args=[edition.pk])


def _step(edition: Edition, action: str) -> str:
    return reverse("admin:publishing_edition_transition", args=[edition.pk, action])


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _drafts(first: int, last: int, editor) -> None:
    """Drafts of bulletins numbered first..last-1, each its own bulletin."""
    agency, _ = Agency.objects.get_or_create(name="勞動部勞動力發展署")
    for n in range(first, last):
        bulletin = Bulletin.objects.create(title=f"彙整表{n}", slug=f"b{n}", issuing_agency=agency)
        services.create_edition(bulletin=bulletin, date=datetime.date(2025, 12, 30), user=editor)


def test_the_list_shows_status_and_roc_dates(client, published_edition, approver):
    client.force_login(approver)
    page = client.get(reverse(CHANGELIST))
    assert page.status_code == 200
    text = page.content.decode()
    assert "114.12.30" in text and "已公告" in text and "editor1" in text


def test_the_list_costs_the_same_queries_for_more_editions(client, editor, approver):
    client.force_login(approver)
    _drafts(0, 1, editor)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse(CHANGELIST))
    _drafts(1, 6, editor)
    with CaptureQueriesContext(connection) as six:
        page = client.get(reverse(CHANGELIST))
    assert page.content.decode().count("114.12.30") == 6
    assert len(six) == len(one)


def test_people_without_a_role_cannot_open_the_list(client, outsider):
    client.force_login(outsider)
    assert client.get(reverse(CHANGELIST)).status_code == 302


def test_the_page_offers_exactly_the_steps_the_user_may_take(
    client, submitted_edition, editor, approver
):
    client.force_login(approver)
    text = client.get(_page(submitted_edition)).content.decode()
    assert _step(submitted_edition, "approve") in text
    assert _step(submitted_edition, "reject") in text
    assert _step(submitted_edition, "publish") not in text
    assert _step(submitted_edition, "submit") not in text
    client.force_login(editor)
    text = client.get(_page(submitted_edition)).content.decode()
    assert _step(submitted_edition, "recall") in text
    assert text.count("/step/") == 2  # the recall link, in the tools and in the list
    assert _edit(submitted_edition) not in text


def test_the_page_shows_the_audit_trail_and_links_to_the_preview(
    client, submitted_edition, approver
):
    client.force_login(approver)
    text = client.get(_page(submitted_edition)).content.decode()
    assert "版本紀錄" in text and "送審" in text and "editor1" in text
    assert "首次公告" in text
    assert _preview(submitted_edition) in text
    # The table is on its page of its own, not inline.
    assert "成為全球半導體全供應鏈主導者" not in text


def test_the_preview_page_shows_the_whole_table(client, submitted_edition, approver):
    client.force_login(approver)
    text = client.get(_preview(submitted_edition)).content.decode()
    assert "五大信賴產業推動方案" in text and "成為全球半導體全供應鏈主導者" in text
    assert _page(submitted_edition) in text  # the way back


def test_the_preview_page_is_refused_without_the_view_permission(
    client, submitted_edition, staff_without_role
):
    client.force_login(staff_without_role)
    assert client.get(_preview(submitted_edition)).status_code == 403


def test_the_page_marks_changed_text(client, published_edition, demo_bulletin, editor, approver):
    Programme.objects.filter(serial=4).update(name="新南向政策推動計畫（修訂）")
    draft = services.create_edition(
        bulletin=demo_bulletin, date=datetime.date(2026, 3, 31), user=editor
    )
    draft = services.submit_edition(edition=draft, user=editor)
    client.force_login(approver)
    text = client.get(_page(draft)).content.decode()
    assert "新南向政策推動計畫<ins>（修訂）</ins>" in text
    assert "新增 0、刪除 0、修改 1、移動 0" in text


def test_a_step_asks_for_confirmation_then_takes_it(client, submitted_edition, approver):
    client.force_login(approver)
    confirm = client.get(_step(submitted_edition, "approve"))
    assert confirm.status_code == 200
    assert "確定要核定" in confirm.content.decode()
    assert Edition.objects.get(pk=submitted_edition.pk).status == Status.SUBMITTED
    done = client.post(_step(submitted_edition, "approve"), {"comment": "無誤"})
    assert done.status_code == 302 and done.url == _page(submitted_edition)
    assert Edition.objects.get(pk=submitted_edition.pk).status == Status.APPROVED
    assert "版本 114.12.30 已核定。" in _messages(done)


def test_rejecting_in_the_admin_needs_a_reason(client, submitted_edition, approver):
    client.force_login(approver)
    page = client.post(_step(submitted_edition, "reject"), {"comment": ""})
    assert page.status_code == 200
    assert "這個欄位是必須的" in page.content.decode()
    assert Edition.objects.get(pk=submitted_edition.pk).status == Status.SUBMITTED
    client.post(_step(submitted_edition, "reject"), {"comment": "請補充說明"})
    assert Edition.objects.get(pk=submitted_edition.pk).status == Status.REJECTED


def test_a_refused_step_is_explained_in_chinese(client, draft_edition, django_user_model):
    both = django_user_model.objects.create_user("both", is_staff=True)
    both.groups.add(*Group.objects.filter(name__in=[EDITORS, APPROVERS]))
    services.submit_edition(edition=draft_edition, user=both)
    client.force_login(both)
    assert _step(draft_edition, "approve") not in client.get(_page(draft_edition)).content.decode()
    refused = client.post(_step(draft_edition, "approve"), {"comment": ""})
    assert refused.status_code == 302
    assert any("四眼原則" in m for m in _messages(refused))
    assert Edition.objects.get(pk=draft_edition.pk).status == Status.SUBMITTED


def test_an_editor_adds_an_edition_in_the_admin(client, demo_bulletin, editor):
    client.force_login(editor)
    response = client.post(
        reverse("admin:publishing_edition_add"),
        {"bulletin": demo_bulletin.pk, "date": "2025-12-30", "change_note": "新版本"},
    )
    assert response.status_code == 302
    edition = Edition.objects.get()
    assert (edition.prepared_by, edition.status, edition.change_note) == (
        editor,
        Status.DRAFT,
        "新版本",
    )
    assert edition.transitions.get().action == "create"


@pytest.mark.parametrize("typed", ["114.12.30", "1141230", "114-12-30", "2025-12-30"])
def test_the_add_form_takes_the_date_as_its_help_text_shows_it(
    client, demo_bulletin, editor, typed
):
    client.force_login(editor)
    page = client.get(reverse("admin:publishing_edition_add")).content.decode()
    assert "115.12.01" in page  # the example in the help text
    response = client.post(
        reverse("admin:publishing_edition_add"),
        {"bulletin": demo_bulletin.pk, "date": typed, "change_note": ""},
    )
    assert response.status_code == 302
    assert Edition.objects.get().date == datetime.date(2025, 12, 30)


def test_the_edit_form_shows_the_roc_date_and_names_a_wrong_one(client, draft_edition, editor):
    client.force_login(editor)
    page = client.get(_edit(draft_edition)).content.decode()
    assert 'value="114.12.30"' in page
    response = client.post(
        _edit(draft_edition),
        {"date": "115.02.30", "change_note": "", "version": draft_edition.updated_at.isoformat()},
    )
    assert response.status_code == 200
    assert "日期無效：115 年 2 月沒有 30 日。" in response.content.decode()
    assert Edition.objects.get(pk=draft_edition.pk).date == datetime.date(2025, 12, 30)


def test_the_add_form_refuses_a_second_unpublished_edition(client, draft_edition, editor):
    client.force_login(editor)
    response = client.post(
        reverse("admin:publishing_edition_add"),
        {"bulletin": draft_edition.bulletin_id, "date": "2026-03-31", "change_note": ""},
    )
    assert response.status_code == 200
    assert "已有一個尚未公告的版本" in response.content.decode()
    assert Edition.objects.count() == 1


def test_approvers_cannot_add_editions(client, approver):
    client.force_login(approver)
    assert client.get(reverse("admin:publishing_edition_add")).status_code == 403


def test_an_editor_changes_a_draft_in_its_edit_view(client, draft_edition, second_editor):
    client.force_login(second_editor)
    page = client.get(_edit(draft_edition))
    assert page.status_code == 200
    version = draft_edition.updated_at.isoformat()
    assert version in page.content.decode()
    response = client.post(
        _edit(draft_edition),
        {"date": "2025-12-31", "change_note": "修正後的說明", "version": version},
    )
    assert response.status_code == 302 and response.url == _page(draft_edition)
    stored = Edition.objects.get(pk=draft_edition.pk)
    assert (stored.date, stored.change_note) == (datetime.date(2025, 12, 31), "修正後的說明")
    assert stored.transitions.last().action == "edit"


def test_a_save_against_a_newer_version_is_refused_and_the_input_kept(
    client, draft_edition, editor, second_editor
):
    client.force_login(second_editor)
    read_at = draft_edition.updated_at.isoformat()
    services.update_edition(edition=draft_edition, user=editor, change_note="先存的說明")
    response = client.post(
        _edit(draft_edition),
        {"date": "2025-12-30", "change_note": "後存的說明", "version": read_at},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "在您開啟後已由 editor1 於" in text and "變更，未執行任何操作" in text
    assert "後存的說明" in text
    assert Edition.objects.get(pk=draft_edition.pk).change_note == "先存的說明"


@pytest.mark.parametrize("start", ["submitted_edition", "approved_edition"])
def test_an_editor_cannot_change_a_submitted_editions_date_or_note(request, client, start, editor):
    edition = request.getfixturevalue(start)
    client.force_login(editor)
    data = {"date": "2026-01-05", "change_note": "改", "version": edition.updated_at.isoformat()}
    assert b'name="change_note"' not in client.get(_page(edition)).content
    assert client.post(_page(edition), data).status_code == 403
    refused = client.post(_edit(edition), data)
    assert refused.status_code == 302
    assert any("不能修改" in m for m in _messages(refused))
    stored = Edition.objects.get(pk=edition.pk)
    assert (stored.date, stored.change_note, stored.status) == (
        edition.date,
        edition.change_note,
        edition.status,
    )


def test_approvers_see_a_submitted_edition_read_only(client, submitted_edition, approver):
    client.force_login(approver)
    page = client.get(_page(submitted_edition))
    assert b'name="change_note"' not in page.content
    assert client.post(_page(submitted_edition), {"change_note": "x"}).status_code == 403


def test_the_page_and_its_preview_cost_a_few_queries(
    client, published_edition, approver, django_assert_max_num_queries
):
    client.force_login(approver)
    client.get(_page(published_edition))  # content types and session, as a second visit
    with django_assert_max_num_queries(12):
        assert client.get(_page(published_edition)).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(_preview(published_edition)).status_code == 200
