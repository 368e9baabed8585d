"""Admin pages cost the same number of SQL queries for one row as for the whole bulletin."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue.demo import load_bulletin, read_demo_data
from catalogue.history import attribute, delete_with_history
from catalogue.models import Agency, Bulletin, Programme, Scope, Section, Strategy, Target

pytestmark = pytest.mark.django_db

# A ceiling well above what the pages need today, so that a page whose cost grows with its
# rows fails here rather than in production.
MOST_QUERIES_FOR_ANY_PAGE = 25


@pytest.fixture
def small_bulletin(db) -> Bulletin:
    """One programme with one scope, one agency and one of each part."""
    agency = Agency.objects.create(name="勞動部", short_name="勞動部")
    bulletin = Bulletin.objects.create(title="小彙整表", slug="small", issuing_agency=agency)
    programme = Programme.objects.create(
        bulletin=bulletin, serial=1, name="小方案", period_start=114, period_end=115
    )
    scope = Scope.objects.create(programme=programme, order=1, title="小", description="包括小")
    scope.set_agencies([agency])
    Target.objects.create(scope=scope, order=1, text="目標", value=Decimal(1), unit="億元")
    Strategy.objects.create(scope=scope, order=1, heading="策略", items="一\n二")
    Section.objects.create(scope=scope, order=1, heading="段落", items="一")
    return bulletin


def _cost(client, url: str) -> int:
    client.get(url)  # warm caches (content types, session) as a second visit would
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _assert_cost_does_not_grow(client, django_assert_max_num_queries, small_url, big_url):
    small = _cost(client, small_url)
    assert small <= MOST_QUERIES_FOR_ANY_PAGE
    with django_assert_max_num_queries(small):
        assert client.get(big_url).status_code == 200


@pytest.mark.parametrize(
    "model", ["programme", "scope", "target", "strategy", "section", "agency", "bulletin"]
)
def test_changelist_costs_the_same_for_one_row_as_for_the_demo(
    client, editor, small_bulletin, django_assert_max_num_queries, model
):
    client.force_login(editor)
    url = reverse(f"admin:catalogue_{model}_changelist")
    small = _cost(client, url)
    assert small <= MOST_QUERIES_FOR_ANY_PAGE
    load_bulletin(read_demo_data(), user=None)
    with django_assert_max_num_queries(small):
        assert client.get(url).status_code == 200


def test_programme_search_costs_the_same_for_one_programme_as_for_nine(
    client, editor, small_bulletin, django_assert_max_num_queries
):
    client.force_login(editor)
    url = reverse("admin:catalogue_programme_changelist") + "?q=包括"
    small = _cost(client, url)
    load_bulletin(read_demo_data(), user=None)
    with django_assert_max_num_queries(small):
        response = client.get(url)
    assert len(response.context["cl"].result_list) > 1


def test_programme_change_page_costs_the_same_for_one_scope_as_for_five(
    client, editor, demo_bulletin, django_assert_max_num_queries
):
    client.force_login(editor)
    one = Programme.objects.get(bulletin=demo_bulletin, serial=4)
    five = Programme.objects.get(bulletin=demo_bulletin, serial=1)
    _assert_cost_does_not_grow(
        client,
        django_assert_max_num_queries,
        reverse("admin:catalogue_programme_change", args=[one.pk]),
        reverse("admin:catalogue_programme_change", args=[five.pk]),
    )


@pytest.mark.parametrize("persona", ["editor", "approver"])
def test_scope_change_page_costs_the_same_for_few_parts_as_for_many(
    request, client, demo_bulletin, django_assert_max_num_queries, persona
):
    client.force_login(request.getfixturevalue(persona))
    few = Scope.objects.get(programme__bulletin=demo_bulletin, programme__serial=4, order=1)
    many = Scope.objects.get(programme__bulletin=demo_bulletin, programme__serial=1, order=1)
    _assert_cost_does_not_grow(
        client,
        django_assert_max_num_queries,
        reverse("admin:catalogue_scope_change", args=[few.pk]),
        reverse("admin:catalogue_scope_change", args=[many.pk]),
    )


def test_programme_history_costs_the_same_for_few_revisions_as_for_many(
    client, editor, demo_bulletin, django_assert_max_num_queries
):
    client.force_login(editor)
    quiet = Programme.objects.get(bulletin=demo_bulletin, serial=4)
    busy = Programme.objects.get(bulletin=demo_bulletin, serial=1)
    for scope in busy.scopes.all():
        attribute(scope, user=editor, reason="修正")
        scope.headline += "（修正）"
        scope.save()
        for target in scope.targets.all():
            attribute(target, user=editor, reason="修正")
            target.text += "（修正）"
            target.save()
        delete_with_history(scope.sections.all(), user=editor, reason="刪除")
    _assert_cost_does_not_grow(
        client,
        django_assert_max_num_queries,
        reverse("admin:catalogue_programme_history", args=[quiet.pk]),
        reverse("admin:catalogue_programme_history", args=[busy.pk]),
    )


def test_scope_history_costs_the_same_for_few_revisions_as_for_many(
    client, editor, demo_bulletin, django_assert_max_num_queries
):
    client.force_login(editor)
    quiet = Scope.objects.get(programme__bulletin=demo_bulletin, programme__serial=4, order=1)
    busy = Scope.objects.get(programme__bulletin=demo_bulletin, programme__serial=1, order=1)
    agencies = list(Agency.objects.all()[:4])
    for count in range(1, 5):
        attribute(busy, user=editor, reason=f"第 {count} 次修改")
        busy.set_agencies(agencies[:count])  # one revision per change, on purpose
    _assert_cost_does_not_grow(
        client,
        django_assert_max_num_queries,
        reverse("admin:catalogue_scope_history", args=[quiet.pk]),
        reverse("admin:catalogue_scope_history", args=[busy.pk]),
    )
