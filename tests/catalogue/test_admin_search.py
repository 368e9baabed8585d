"""The programme and scope lists' search: Django's search_fields semantics (every word in some
field, quoted phrases), each related table searched on its own, the matches found once."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from catalogue.models import Programme, Scope

pytestmark = pytest.mark.django_db

QUERIES = [
    "半導體",  # a scope title
    "晶圓",  # a scope's text
    "晶圓 設計",  # two words: both must be found, in any fields
    '"IC設計"',  # a quoted phrase
    "國科會",  # an agency's short name
    "經濟部 淨零",  # an agency and a word of the texts
    "2.66",  # a target's figure in its text
    "區域",  # a section heading or item
    "沒有這個字",
]
LISTS = [Programme, Scope]


def _search(model, user, query):
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/", {"q": query})
    request.user = user
    return model_admin, request, model.objects.all()


@pytest.mark.parametrize("model", LISTS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("query", QUERIES)
def test_the_search_finds_what_djangos_own_search_finds(demo_bulletin, superuser, model, query):
    model_admin, request, queryset = _search(model, superuser, query)
    ours, duplicates = model_admin.get_search_results(request, queryset, query)
    django, _ = admin.ModelAdmin.get_search_results(model_admin, request, queryset, query)
    assert not duplicates
    assert sorted(ours.values_list("pk", flat=True)) == sorted(
        set(django.values_list("pk", flat=True))
    )


def test_the_scope_search_finds_a_scope_by_its_programmes_name(demo_bulletin, superuser):
    scope = Scope.objects.select_related("programme").first()
    model_admin, request, queryset = _search(Scope, superuser, scope.programme.name)
    found, _ = model_admin.get_search_results(request, queryset, scope.programme.name)
    assert scope in found


@pytest.mark.parametrize("model", LISTS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("query", ["晶圓", "晶圓 設計"])
def test_the_search_costs_the_same_two_queries_whatever_the_number_of_words(
    demo_bulletin, superuser, django_assert_num_queries, model, query
):
    # One finds the matching rows, one reads them: the changelist's count and its page then
    # read them by pk, without searching the texts again.
    model_admin, request, queryset = _search(model, superuser, query)
    with django_assert_num_queries(2):
        found, _ = model_admin.get_search_results(request, queryset, query)
        assert list(found)


@pytest.mark.parametrize("model", LISTS, ids=lambda m: m.__name__)
def test_the_search_page_counts_and_lists_what_it_found(admin_client, demo_bulletin, model):
    url = f"/admin/catalogue/{model._meta.model_name}/"
    response = admin_client.get(url, {"q": "半導體"})
    expected = admin.ModelAdmin.get_search_results(
        admin.site._registry[model], None, model.objects.all(), "半導體"
    )[0]
    assert response.context["cl"].result_count == expected.distinct().count() > 0
    listed = {row.pk for row in response.context["cl"].result_list}
    assert listed == set(expected.distinct().values_list("pk", flat=True))
