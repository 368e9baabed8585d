"""A scope's own page: its text in the edition in force and its history across public editions."""

import datetime
from typing import Any

import pytest
from django.urls import reverse

from catalogue.models import Scope
from publishing import search, services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_kept_index() -> Any:
    search.forget_indexes()
    yield
    search.forget_indexes()


def _publish(bulletin: Any, date: datetime.date, editor: Any, approver: Any) -> Any:
    edition = services.create_edition(bulletin=bulletin, date=date, user=editor)
    edition = services.submit_edition(edition=edition, user=editor)
    edition = services.approve_edition(edition=edition, user=approver)
    return services.publish_edition(edition=edition, user=approver)


def test_scope_page_shows_the_text_in_force_and_when_it_was_added(
    client: Any, published_edition: Any
) -> None:
    scope = Scope.objects.get(title="半導體")
    response = client.get(reverse("public:scope", args=[scope.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1 and "【半導體】" in html
    assert "五大信賴產業推動方案" in html
    assert "光電半導體" in html  # its description as published
    assert "中華民國114年12月30日（114.12.30）" in html and "新增" in html
    assert f'href="/editions/2025-12-30/#scope-{scope.pk}"' in html


def test_scope_page_marks_a_change_with_the_one_character_diff(
    client: Any, published_edition: Any, editor: Any, approver: Any
) -> None:
    scope = Scope.objects.get(title="半導體")
    old = scope.description
    scope.description = old.replace("光電半導體", "矽光子")
    scope.save()
    _publish(published_edition.bulletin, datetime.date(2026, 1, 30), editor, approver)
    html = client.get(reverse("public:scope", args=[scope.pk])).content.decode()
    assert "115.01.30" in html and "修改" in html
    assert "<del>光電半導體</del>" in html and "<ins>矽光子</ins>" in html
    # Newest first: the change comes before the first publication.
    assert html.index("115.01.30") < html.index("114.12.30）</a>")


def test_scope_page_of_a_removed_scope_says_when_it_was_removed(
    client: Any, published_edition: Any, editor: Any, approver: Any
) -> None:
    scope = Scope.objects.get(title="安控")
    scope_id = scope.pk
    scope.delete()
    _publish(published_edition.bulletin, datetime.date(2026, 1, 30), editor, approver)
    response = client.get(reverse("public:scope", args=[scope_id]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "不在現行版本" in html and "刪除" in html and "115.01.30" in html
    assert "【安控】" in html  # its last published text


def test_a_scope_in_no_public_edition_is_not_found(
    client: Any, published_edition: Any, editor: Any
) -> None:
    scope = Scope.objects.get(title="半導體")
    new = Scope.objects.create(programme=scope.programme, order=99, description="尚未公告")
    assert client.get(reverse("public:scope", args=[new.pk])).status_code == 404
    assert client.get(reverse("public:scope", args=[999999])).status_code == 404


def test_scope_page_shows_nothing_of_an_unpublished_edition(
    client: Any, published_edition: Any, editor: Any
) -> None:
    scope = Scope.objects.get(title="半導體")
    scope.description = "草稿中的說明"
    scope.save()
    services.create_edition(
        bulletin=published_edition.bulletin, date=datetime.date(2026, 1, 30), user=editor
    )
    html = client.get(reverse("public:scope", args=[scope.pk])).content.decode()
    assert "草稿中的說明" not in html and "115.01.30" not in html


def test_scope_page_is_cacheable(client: Any, published_edition: Any) -> None:
    scope = Scope.objects.get(title="半導體")
    response = client.get(reverse("public:scope", args=[scope.pk]))
    assert "public" in response["Cache-Control"] and response.has_header("ETag")
    assert not response.cookies
