"""The public look-up: one normaliser for text and query, results grouped and marked safely."""

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue.models import Scope
from publishing import search, services
from publishing.search import MAX_QUERY_LENGTH, normalise, query_terms

SEARCH = reverse("public:search")


@pytest.fixture(autouse=True)
def no_kept_index() -> Any:
    search.forget_indexes()
    yield
    search.forget_indexes()


def _index(text: str) -> search.Index:
    snapshot = {
        "programmes": [
            {
                "id": 1,
                "serial": 1,
                "name": "台灣AI行動計畫",
                "period_display": "114-117",
                "scopes": [
                    {
                        "id": 11,
                        "title": "",
                        "description": text,
                        "agencies": [{"id": 5, "name": "數位發展部"}],
                        "headline": "",
                        "targets": [],
                        "strategies": [],
                        "sections": [],
                        "note": "",
                    }
                ],
            }
        ]
    }
    return search.build_index(snapshot, "sha")


# The normaliser


def test_tai_and_its_traditional_variant_find_each_other() -> None:
    assert normalise("臺灣").text == normalise("台灣").text
    assert search.search(_index("推動臺灣品牌"), query_terms("台灣")).count == 1
    assert search.search(_index("推動台灣品牌"), query_terms("臺灣")).count == 1


def test_full_width_and_half_width_forms_are_one() -> None:
    assert normalise("ＡＩ２０３０").text == "ai2030"
    assert search.search(_index("AI 2030年"), query_terms("ＡＩ")).count == 1


def test_case_does_not_matter() -> None:
    assert search.search(_index("Generative AI"), query_terms("generative ai")).count == 1


def test_every_output_character_knows_its_original_position() -> None:
    folded = normalise("㈱臺ß")
    assert folded.text == "(株)台ss"
    assert list(folded.origins) == [0, 0, 0, 1, 2, 2]


def test_a_match_found_in_the_normal_form_is_marked_in_the_original_text() -> None:
    index = _index("設立ＡＩ研發中心於臺北")
    results = search.search(index, query_terms("ai 台北"))
    hit = results.programmes[0].scopes[0].title_html
    assert str(hit) == "設立<mark>ＡＩ</mark>研發中心於<mark>臺北</mark>"


def test_every_word_of_the_query_must_occur() -> None:
    index = _index("晶片設計")
    assert search.search(index, query_terms("晶片 設計")).count == 1
    assert search.search(index, query_terms("晶片 封裝")).count == 0


def test_hostile_text_is_escaped_around_the_marks() -> None:
    index = _index('<script>alert("台灣")</script><img src=x onerror=alert(1)>')
    html = str(search.search(index, query_terms("台灣")).programmes[0].scopes[0].title_html)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&quot;<mark>台灣</mark>&quot;)&lt;/script&gt;" in html


def test_a_long_text_is_cut_around_its_match() -> None:
    index = _index("甲" * 300 + "半導體" + "乙" * 300)
    html = str(search.search(index, query_terms("半導體")).programmes[0].scopes[0].title_html)
    assert html.startswith("…") and html.endswith("…")
    assert "<mark>半導體</mark>" in html
    assert len(html) < 200


# The page


def test_search_finds_a_scope_and_groups_it_under_its_programme(
    client: Any, published_edition: Any
) -> None:
    response = client.get(SEARCH, {"q": "半導體"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<mark>半導體</mark>" in html
    scope = Scope.objects.get(title="半導體")
    assert f'href="/editions/2025-12-30/#scope-{scope.pk}"' in html
    assert f'href="/editions/2025-12-30/#programme-{scope.programme_id}"' in html
    assert f'href="/scopes/{scope.pk}/"' in html
    assert 'id="results-heading"' in html and "找到" in html


def test_search_matches_targets_and_agencies(client: Any, published_edition: Any) -> None:
    html = client.get(SEARCH, {"q": "來臺設立研發中心"}).content.decode()
    assert "<mark>來台設立研發中心</mark>" in html
    html = client.get(SEARCH, {"q": "數位發展部"}).content.decode()
    assert "<mark>數位發展部</mark>" in html


def test_the_query_is_escaped_on_the_page(client: Any, published_edition: Any) -> None:
    html = client.get(SEARCH, {"q": "<script>x</script>"}).content.decode()
    assert "<script>x" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html


def test_no_result_says_so_and_suggests_what_to_try(client: Any, published_edition: Any) -> None:
    response = client.get(SEARCH, {"q": "不存在的產業名稱"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "沒有符合的產業範疇" in html
    assert "較少的字" in html
    assert "all=1" in html  # switch to every edition
    assert "政策性產業一覽" in html


def test_an_empty_query_shows_the_form_and_the_programmes(
    client: Any, published_edition: Any
) -> None:
    response = client.get(SEARCH)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="search"' in html and '<label for="search-q">' in html
    assert "政策性產業一覽" in html
    assert "找到" not in html


def test_a_too_long_query_is_refused_with_a_message(client: Any, published_edition: Any) -> None:
    response = client.get(SEARCH, {"q": "半" * (MAX_QUERY_LENGTH + 1)})
    assert response.status_code == 400
    html = response.content.decode()
    assert f"最多 {MAX_QUERY_LENGTH} 個字" in html
    assert "<mark>" not in html


def test_a_query_of_the_longest_length_is_answered(client: Any, published_edition: Any) -> None:
    response = client.get(SEARCH, {"q": "半" * MAX_QUERY_LENGTH})
    assert response.status_code == 200


def test_search_is_get_only(client: Any, published_edition: Any) -> None:
    assert client.post(SEARCH, {"q": "半導體"}).status_code == 405


def test_search_page_is_cacheable_and_sets_no_cookie(client: Any, published_edition: Any) -> None:
    response = client.get(SEARCH, {"q": "半導體"})
    assert "public" in response["Cache-Control"]
    assert response.has_header("ETag")
    assert not response.cookies
    again = client.get(SEARCH, {"q": "半導體"}, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    other = client.get(SEARCH, {"q": "人工智能"})
    assert other["ETag"] != response["ETag"]


def _second_edition(published_edition: Any, editor: Any, approver: Any) -> Any:
    scope = Scope.objects.get(title="半導體")
    scope.description = "包括晶片設計、晶圓代工及先進封裝。"
    scope.save()
    edition = services.create_edition(
        bulletin=published_edition.bulletin, date=datetime.date(2026, 1, 30), user=editor
    )
    edition = services.submit_edition(edition=edition, user=editor)
    edition = services.approve_edition(edition=edition, user=approver)
    return services.publish_edition(edition=edition, user=approver)


def test_search_reads_the_edition_in_force_not_the_live_catalogue(
    client: Any, published_edition: Any
) -> None:
    scope = Scope.objects.get(title="半導體")
    scope.description = "尚未公告的新說明"
    scope.save()
    html = client.get(SEARCH, {"q": "尚未公告的新說明"}).content.decode()
    assert "沒有符合的產業範疇" in html


def test_the_all_editions_switch_searches_superseded_editions_too(
    client: Any, published_edition: Any, editor: Any, approver: Any
) -> None:
    _second_edition(published_edition, editor, approver)
    # Only the first edition's 半導體 scope named 光電半導體.
    old_text = "光電半導體"
    in_force = client.get(SEARCH, {"q": old_text}).content.decode()
    assert "沒有符合的產業範疇" in in_force
    every = client.get(SEARCH, {"q": old_text, "all": "1"}).content.decode()
    assert "<mark>光電半導體</mark>" in every
    assert "/editions/2025-12-30/#scope-" in every
    assert "已被取代" in every or "superseded" in every


def test_search_costs_the_same_queries_for_one_result_or_many(
    client: Any, published_edition: Any, editor: Any, approver: Any
) -> None:
    _second_edition(published_edition, editor, approver)
    client.get(SEARCH, {"q": "x", "all": "1"})  # the indexes are built
    counts = []
    for query in ("半導體", "產業", "不存在的詞"):
        with CaptureQueriesContext(connection) as queries:
            client.get(SEARCH, {"q": query, "all": "1"})
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2]
    # Cold: the snapshots not kept yet are read in one query, however many editions.
    search.forget_indexes()
    with CaptureQueriesContext(connection) as cold:
        client.get(SEARCH, {"q": "產業", "all": "1"})
    assert len(cold) == counts[0] + 1


def test_every_public_page_has_the_search_box(client: Any, published_edition: Any) -> None:
    for path in ("/", "/editions/", published_edition.get_absolute_url()):
        html = client.get(path).content.decode()
        assert 'role="search"' in html
        assert '<label for="site-search-q">' in html
        assert 'maxlength="100"' in html
