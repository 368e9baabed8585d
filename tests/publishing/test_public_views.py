"""The public pages: the edition in force, the list of editions, one edition's page, no login."""

import datetime
import re
from typing import Any

import pytest
from django.urls import reverse

from publishing import services
from publishing.models import Edition

pytestmark = pytest.mark.django_db


def _next_edition(published_edition: Any, editor: Any, approver: Any, **changes: Any) -> Any:
    """Edit the catalogue, then publish a second edition a month later."""
    from catalogue.models import Scope

    scope = Scope.objects.get(title="半導體")
    scope.description = changes.get("description", "包括晶片設計及晶圓代工。")
    scope.save()
    edition = services.create_edition(
        bulletin=published_edition.bulletin,
        date=datetime.date(2026, 1, 30),
        user=editor,
        change_note="修正半導體範疇說明。",
    )
    edition = services.submit_edition(edition=edition, user=editor)
    edition = services.approve_edition(edition=edition, user=approver)
    return services.publish_edition(edition=edition, user=approver)


def test_home_shows_the_edition_in_force_without_login(client: Any, published_edition: Any) -> None:
    response = client.get(reverse("public:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-Hant-TW">' in html
    assert html.count("<h1") == 1
    assert "勞動部勞動力發展署公告政府推動之「政策性產業」彙整表" in html
    assert "中華民國114年12月30日" in html and "114.12.30" in html
    assert "114年12月30日公告版本。" in html
    assert "首次公告" in html


def test_home_links_every_download_with_size_and_sha256(
    client: Any, published_edition: Any
) -> None:
    html = client.get(reverse("public:home")).content.decode()
    for file in published_edition.files.all():
        assert f"/editions/2025-12-30/{published_edition.file_name(file.format)}" in html
        assert file.sha256 in html
    for name in ("PDF", "CSV", "XLSX", "ODS", "JSON"):
        assert name in html


def test_home_shows_the_whole_table_with_header_cells(client: Any, published_edition: Any) -> None:
    html = client.get(reverse("public:home")).content.decode()
    assert html.count('<th id="col-') == 5
    assert html.count('<th class="programme-name" id=') == 9  # one per programme
    assert html.count('<th class="scope" id=') == 20  # one per scope
    assert "IC設計產業維持全球前2名" in html
    assert "政府推動AI新十大建設推動方案 ➞ 三項關鍵技術推動重點" in html


def test_home_merges_the_shared_recognition_cell_of_programme_2(
    client: Any, published_edition: Any
) -> None:
    html = client.get(reverse("public:home")).content.decode()
    body = html.split('<tbody id="programme-', 2)[2]  # the second programme's tbody
    body = body.split("</tbody>")[0]
    assert body.count('<td class="recognition" rowspan="4"') == 1
    assert body.count('class="shares-recognition"') == 3


def test_home_without_published_edition_says_so(client: Any, approved_edition: Any) -> None:
    response = client.get(reverse("public:home"))
    assert response.status_code == 200
    assert "目前尚無公告版本" in response.content.decode()
    assert "IC設計" not in response.content.decode()


def test_edition_list_shows_public_editions_newest_first_and_marks_them(
    client: Any, published_edition: Any, editor: Any, approver: Any
) -> None:
    second = _next_edition(published_edition, editor, approver)
    services.withdraw_edition(edition=second, user=approver, comment="範疇說明有誤，撤回。")
    html = client.get(reverse("public:editions")).content.decode()
    first_at, second_at = html.index("114.12.30"), html.index("115.01.30")
    assert second_at < first_at
    assert "已撤回" in html and "範疇說明有誤，撤回。" in html
    assert "已被取代" in html


def test_edition_list_leaves_out_unpublished_editions(
    client: Any, published_edition: Any, editor: Any
) -> None:
    services.create_edition(
        bulletin=published_edition.bulletin, date=datetime.date(2026, 3, 1), user=editor
    )
    html = client.get(reverse("public:editions")).content.decode()
    assert "115.03.01" not in html
    assert "114.12.30" in html


def test_edition_page_shows_the_diff_against_the_previous_edition(
    client: Any, published_edition: Any, editor: Any, approver: Any
) -> None:
    second = _next_edition(published_edition, editor, approver)
    response = client.get(second.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "本版異動" in html
    assert "修改 1" in html
    assert "<del>" in html and "<ins>" in html
    assert reverse("public:edition", args=["2025-12-30"]) in html


def test_superseded_edition_page_stays_and_points_to_the_current_one(
    client: Any, published_edition: Any, editor: Any, approver: Any
) -> None:
    second = _next_edition(published_edition, editor, approver)
    html = client.get(published_edition.get_absolute_url()).content.decode()
    assert "此版本已被較新的版本取代" in html
    assert second.get_absolute_url() in html


def test_unpublished_edition_page_is_not_found(client: Any, approved_edition: Any) -> None:
    assert client.get(approved_edition.get_absolute_url()).status_code == 404


def test_unpublished_edition_page_is_not_found_for_staff_either(
    client: Any, approved_edition: Any, approver: Any
) -> None:
    client.force_login(approver)
    assert client.get(approved_edition.get_absolute_url()).status_code == 404


def test_edition_page_of_an_unknown_or_impossible_date_is_not_found(
    client: Any, published_edition: Any
) -> None:
    assert client.get("/editions/2024-01-01/").status_code == 404
    assert client.get("/editions/2025-13-45/").status_code == 404


def test_catalogue_texts_are_escaped_in_the_page(
    client: Any, editor: Any, approver: Any, demo_bulletin: Any
) -> None:
    from catalogue.models import Scope

    scope = Scope.objects.get(title="半導體")
    scope.description = '<script>alert(1)</script> #read("/etc/passwd") $x$ *b* [c]'
    scope.save()
    edition = services.create_edition(
        bulletin=demo_bulletin, date=datetime.date(2025, 12, 30), user=editor
    )
    edition = services.submit_edition(edition=edition, user=editor)
    edition = services.approve_edition(edition=edition, user=approver)
    services.publish_edition(edition=edition, user=approver)
    html = client.get(reverse("public:home")).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt; #read(&quot;/etc/passwd&quot;) $x$ *b* [c]" in html
    )


def test_public_pages_cost_the_same_queries_with_more_editions(
    client: Any,
    published_edition: Any,
    editor: Any,
    approver: Any,
    django_assert_max_num_queries: Any,
) -> None:
    _next_edition(published_edition, editor, approver)
    with django_assert_max_num_queries(4):
        client.get(reverse("public:editions"))
    with django_assert_max_num_queries(6):
        client.get(reverse("public:home"))


def test_public_pages_answer_only_safe_methods(client: Any, published_edition: Any) -> None:
    assert client.post(reverse("public:home")).status_code == 405
    assert re.search(r"GET", client.options(reverse("public:home")).get("Allow", "GET"))


def test_edition_url_is_the_permanent_page(published_edition: Any) -> None:
    assert published_edition.get_absolute_url() == "/editions/2025-12-30/"
    assert Edition.objects.public().count() == 1
