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


# One normaliser: the admin's search boxes fold as the public look-up does.

VARIANT_QUERIES = [
    ("臺灣", "台灣"),  # the variant pair of catalogue.folding.VARIANTS
    ("ＡＩ", "AI"),  # full-width and half-width
    ("ai", "AI"),  # lower and upper case
    ("ＡＩ應用", "ai應用"),
]


@pytest.fixture
def variant_catalogue(demo_bulletin):
    """The demo bulletin with variant spellings written into scopes, their parts and a
    programme's name (queryset updates: the spellings, not their revisions, are the point)."""
    from catalogue.models import Strategy, Target

    scopes = list(Scope.objects.order_by("pk"))
    Scope.objects.filter(pk=scopes[0].pk).update(headline="推動ＡＩ應用")
    Scope.objects.filter(pk=scopes[1].pk).update(note="AI應用與臺灣品牌")
    Target.objects.filter(pk=scopes[2].targets.order_by("pk").first().pk).update(text="ai應用")
    Strategy.objects.filter(pk=scopes[3].strategies.order_by("pk").first().pk).update(
        items="培育臺灣ＡＩ人才"
    )
    Programme.objects.filter(pk=scopes[4].programme_id).update(name="台灣Ai計畫")
    return demo_bulletin


def _admin_found(model, user, query):
    model_admin, request, queryset = _search(model, user, query)
    found, _ = model_admin.get_search_results(request, queryset, query)
    return set(found.values_list("pk", flat=True))


def _public_found(bulletin, query):
    from publishing import search
    from publishing.snapshot import build_snapshot

    index = search.build_index(build_snapshot(bulletin), "variant-catalogue")
    results = search.search(index, search.query_terms(query), limit=len(index.entries))
    scopes = {s.scope["id"] for p in results.programmes for s in p.scopes}
    return scopes, {p.programme["id"] for p in results.programmes}


@pytest.mark.parametrize(("query", "variant"), VARIANT_QUERIES)
def test_the_scope_search_finds_the_scopes_the_public_look_up_finds_for_every_spelling(
    variant_catalogue, superuser, query, variant
):
    public, _ = _public_found(variant_catalogue, query)
    assert public
    assert _admin_found(Scope, superuser, query) == public
    assert _admin_found(Scope, superuser, variant) == public


@pytest.mark.parametrize(("query", "variant"), VARIANT_QUERIES)
def test_the_programme_search_finds_the_programmes_the_public_look_up_finds(
    variant_catalogue, superuser, query, variant
):
    _, public = _public_found(variant_catalogue, query)
    assert public
    assert _admin_found(Programme, superuser, query) == public
    assert _admin_found(Programme, superuser, variant) == public


def test_an_editor_searching_either_spelling_of_taiwan_finds_the_same_scopes(
    demo_bulletin, superuser
):
    assert _admin_found(Scope, superuser, "台灣") == _admin_found(Scope, superuser, "臺灣")
    assert _admin_found(Scope, superuser, "台灣")


@pytest.mark.parametrize(
    ("model_name", "text"),
    [("target", "ＡＩ應用"), ("strategy", "ＡＩ應用"), ("section", "ＡＩ應用"), ("agency", "臺灣")],
)
def test_the_other_lists_search_through_the_same_normaliser(
    demo_bulletin, superuser, model_name, text
):
    from django.apps import apps

    model = apps.get_model("catalogue", model_name)
    field = {"target": "text", "strategy": "heading", "section": "heading", "agency": "name"}
    row = model.objects.order_by("pk").first()
    model.objects.filter(pk=row.pk).update(**{field[model_name]: text})
    for query in {"ＡＩ應用": ("ai應用", "AI應用"), "臺灣": ("台灣", "臺灣")}[text]:
        assert row.pk in _admin_found(model, superuser, query)
