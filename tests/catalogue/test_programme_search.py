"""The programme list's search: Django's search_fields semantics, each related table on its own."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from catalogue.models import Programme

pytestmark = pytest.mark.django_db

QUERIES = [
    "半導體",  # a scope title
    "晶圓 設計",  # two words: both must be found, in any fields
    '"IC設計"',  # a quoted phrase
    "國科會",  # an agency's short name
    "經濟部 淨零",  # an agency and a word of another programme's text
    "2.66",  # a target's figure in its text
    "區域",  # a section heading or item
    "沒有這個字",
]


@pytest.mark.parametrize("query", QUERIES)
def test_the_search_finds_what_djangos_own_search_finds(demo_bulletin, superuser, query):
    model_admin = admin.site._registry[Programme]
    request = RequestFactory().get("/", {"q": query})
    request.user = superuser
    queryset = Programme.objects.all()
    ours, _ = model_admin.get_search_results(request, queryset, query)
    django, _ = admin.ModelAdmin.get_search_results(model_admin, request, queryset, query)
    assert set(ours.values_list("pk", flat=True)) == set(django.values_list("pk", flat=True))


@pytest.mark.parametrize("query", ["晶圓", "晶圓 設計 策略"])
def test_the_search_costs_the_same_two_queries_whatever_the_number_of_words(
    demo_bulletin, superuser, django_assert_num_queries, query
):
    # One finds the matching programmes, one reads them: the changelist's count and its
    # page then read them by pk, without searching the texts again.
    model_admin = admin.site._registry[Programme]
    request = RequestFactory().get("/")
    request.user = superuser
    with django_assert_num_queries(2):
        found, _ = model_admin.get_search_results(request, Programme.objects.all(), query)
        list(found)


def test_the_search_page_counts_and_lists_what_it_found(admin_client, demo_bulletin):
    response = admin_client.get("/admin/catalogue/programme/", {"q": "半導體"})
    expected = admin.ModelAdmin.get_search_results(
        admin.site._registry[Programme], None, Programme.objects.all(), "半導體"
    )[0]
    assert response.context["cl"].result_count == expected.distinct().count() > 0
    listed = {programme.pk for programme in response.context["cl"].result_list}
    assert listed == set(expected.values_list("pk", flat=True))
