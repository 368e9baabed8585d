"""The scope list's search: Django's search_fields semantics, each related table on its own."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from catalogue.models import Scope

pytestmark = pytest.mark.django_db

QUERIES = [
    "晶圓",  # a scope's text
    "晶圓 設計",  # two words: both must be found, in any fields
    '"IC設計"',  # a quoted phrase
    "國科會",  # an agency's short name
    "經濟部 淨零",  # an agency and a word of the texts
    "2.66",  # a target's figure in its text
    "區域",  # a section heading or item
    "沒有這個字",
]


@pytest.mark.parametrize("query", QUERIES)
def test_the_search_finds_what_djangos_own_search_finds(demo_bulletin, superuser, query):
    model_admin = admin.site._registry[Scope]
    request = RequestFactory().get("/", {"q": query})
    request.user = superuser
    queryset = Scope.objects.all()
    ours, duplicates = model_admin.get_search_results(request, queryset, query)
    django, _ = admin.ModelAdmin.get_search_results(model_admin, request, queryset, query)
    assert not duplicates
    assert sorted(ours.values_list("pk", flat=True)) == sorted(
        set(django.values_list("pk", flat=True))
    )


def test_the_search_finds_a_scope_by_its_programmes_name(demo_bulletin, superuser):
    scope = Scope.objects.select_related("programme").first()
    model_admin = admin.site._registry[Scope]
    request = RequestFactory().get("/")
    request.user = superuser
    found, _ = model_admin.get_search_results(request, Scope.objects.all(), scope.programme.name)
    assert scope in found


@pytest.mark.parametrize("query", ["晶圓", "晶圓 設計"])
def test_the_search_costs_the_same_two_queries_whatever_the_number_of_words(
    demo_bulletin, superuser, django_assert_num_queries, query
):
    model_admin = admin.site._registry[Scope]
    request = RequestFactory().get("/")
    request.user = superuser
    with django_assert_num_queries(2):
        found, _ = model_admin.get_search_results(request, Scope.objects.all(), query)
        assert list(found)
