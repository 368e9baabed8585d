"""What changed in the catalogue since the last public edition, shown to editors without making
an edition: the edition page's diff, computed from the catalogue as it is now."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue.history import attribute
from catalogue.models import Programme, Target
from publishing.models import Edition

pytestmark = pytest.mark.django_db


def _url(bulletin: Any) -> str:
    return reverse("admin:catalogue_changes", args=[bulletin.pk])


def _rename(programme: Programme, name: str, user: Any) -> None:
    attribute(programme, user=user, reason="測試修改")
    programme.name = name
    programme.save()


def _retext(target: Target, user: Any) -> None:
    attribute(target, user=user, reason="修改目標")
    target.text += "。"
    target.save()


def test_editor_sees_what_changed_since_the_edition_in_force(
    client: Any, editor: Any, published_edition: Any
) -> None:
    bulletin = published_edition.bulletin
    programme = Programme.objects.get(bulletin=bulletin, serial=1)
    old_name = programme.name
    _rename(programme, old_name + "（修正）", editor)
    client.force_login(editor)
    page = client.get(_url(bulletin))
    assert page.status_code == 200
    diff = page.context["diff"]
    assert diff["summary"] == {"added": 0, "removed": 0, "changed": 1, "moved": 0}
    (change,) = diff["changes"]
    assert change["path"].startswith("1 ")
    # Marked as the edition page marks it, naming who wrote the revision.
    assert "<ins>（修正）</ins>" in page.text
    assert editor.username in page.text
    assert published_edition.roc_date in page.text


def test_nothing_is_saved(client: Any, editor: Any, published_edition: Any) -> None:
    before = list(Edition.objects.values_list("pk", "status", "updated_at"))
    client.force_login(editor)
    client.get(_url(published_edition.bulletin))
    assert list(Edition.objects.values_list("pk", "status", "updated_at")) == before


def test_without_any_public_edition_it_says_so(
    client: Any, editor: Any, demo_bulletin: Any
) -> None:
    client.force_login(editor)
    page = client.get(_url(demo_bulletin))
    assert page.status_code == 200 and page.context["diff"]["first_edition"]
    assert "尚無公告版本" in page.text


def test_approvers_may_read_it_too(client: Any, approver: Any, demo_bulletin: Any) -> None:
    client.force_login(approver)
    assert client.get(_url(demo_bulletin)).status_code == 200


def test_staff_without_a_role_may_not(
    client: Any, staff_without_role: Any, demo_bulletin: Any
) -> None:
    client.force_login(staff_without_role)
    assert client.get(_url(demo_bulletin)).status_code == 403


def test_someone_without_admin_access_is_sent_to_the_login(
    client: Any, outsider: Any, demo_bulletin: Any
) -> None:
    client.force_login(outsider)
    response = client.get(_url(demo_bulletin))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_an_unknown_bulletin_is_not_found(client: Any, editor: Any, db: None) -> None:
    client.force_login(editor)
    assert client.get(reverse("admin:catalogue_changes", args=[999])).status_code == 404


def test_the_bulletin_page_links_to_it(client: Any, editor: Any, demo_bulletin: Any) -> None:
    client.force_login(editor)
    page = client.get(reverse("admin:catalogue_bulletin_change", args=[demo_bulletin.pk]))
    assert _url(demo_bulletin) in page.text


def test_the_page_costs_the_same_queries_with_more_changes(
    client: Any,
    editor: Any,
    second_editor: Any,
    published_edition: Any,
    django_assert_max_num_queries: Any,
) -> None:
    bulletin = published_edition.bulletin
    # One change of each kind first: the revisions are read with one query per kind of row.
    _rename(Programme.objects.get(bulletin=bulletin, serial=1), "第一次修改", editor)
    _retext(Target.objects.filter(scope__programme__bulletin=bulletin).last(), editor)
    client.force_login(editor)
    with CaptureQueriesContext(connection) as first:
        client.get(_url(bulletin))
    for number, programme in enumerate(Programme.objects.filter(bulletin=bulletin)):
        _rename(programme, f"{programme.name}（{number}）", second_editor)
    for target in Target.objects.filter(scope__programme__bulletin=bulletin)[:5]:
        _retext(target, second_editor)
    with django_assert_max_num_queries(len(first)):
        page = client.get(_url(bulletin))
    assert page.context["diff"]["summary"]["changed"] > 5
