"""Public pages a shared cache may keep: no cookie, Cache-Control public, ETag, Last-Modified;
pages built from tables kept by snapshot SHA-256, lists that never read snapshots."""

import datetime
import hashlib
import io
import json
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from publishing import services
from publishing.models import Edition

pytestmark = pytest.mark.django_db

PUBLIC_URLS = (
    "/",
    "/editions/",
    "/editions/2025-12-30/",
    "/editions/feed.atom",
    "/editions/2025-12-30/manifest.json",
    "/editions/2025-12-30/snapshot.json",
    "/editions/2025-12-30/policy-industries-114-12-30.pdf",
    "/editions/2025-12-30/policy-industries-114-12-30.html",
)
PAGES = ("/", "/editions/", "/editions/2025-12-30/")


def _selects_big_columns(queries: list[dict[str, Any]]) -> list[str]:
    """The SQL of queries that read an edition's snapshot or diff."""
    return [q["sql"] for q in queries if '"snapshot"' in q["sql"] or '"diff"' in q["sql"]]


def _next_edition(first: Edition, editor: Any, approver: Any) -> Edition:
    draft = services.create_edition(
        bulletin=first.bulletin, date=datetime.date(2026, 3, 31), user=editor
    )
    submitted = services.submit_edition(edition=draft, user=editor)
    approved = services.approve_edition(edition=submitted, user=approver)
    return services.publish_edition(edition=approved, user=approver)


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_public_url_sets_no_cookie_and_may_be_kept_by_a_shared_cache(
    client: Any, published_edition: Any, url: str
) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert response.cookies == {}
    assert "public" in response["Cache-Control"]
    assert "max-age=" in response["Cache-Control"]
    assert "private" not in response["Cache-Control"]
    if url == "/editions/feed.atom":  # Django's feed: Last-Modified from its newest entry
        assert response.has_header("Last-Modified")
    else:
        assert response.has_header("ETag")


@pytest.mark.parametrize("url", PAGES)
def test_public_page_answers_304_to_its_etag_and_last_modified(
    client: Any, published_edition: Any, url: str
) -> None:
    first = client.get(url)
    assert first.has_header("Last-Modified")
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304


def test_page_etag_changes_with_the_language_and_with_a_new_edition(
    client: Any, published_edition: Any, editor: Any, approver: Any
) -> None:
    chinese = client.get("/")["ETag"]
    client.cookies["django_language"] = "en"
    english = client.get("/")["ETag"]
    assert english != chinese
    del client.cookies["django_language"]
    _next_edition(published_edition, editor, approver)
    assert client.get("/")["ETag"] != chinese


def test_pages_vary_with_the_language_cookie_but_files_do_not(
    client: Any, published_edition: Any
) -> None:
    assert "Cookie" in client.get("/")["Vary"]
    pdf = client.get("/editions/2025-12-30/policy-industries-114-12-30.pdf")
    assert "Cookie" not in pdf.get("Vary", "")
    assert "Cookie" not in client.get("/editions/2025-12-30/snapshot.json").get("Vary", "")


def test_a_signed_in_visitor_gets_the_same_public_page_without_a_csrf_token(
    client: Any, published_edition: Any, editor: Any
) -> None:
    """The page a shared cache keeps must hold nothing of one visitor's."""
    client.force_login(editor)
    response = client.get("/")
    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert "csrftoken" not in response.cookies


# The language links


def test_language_link_sets_the_cookie_and_goes_back(client: Any, published_edition: Any) -> None:
    response = client.get("/language/en/", {"next": "/editions/"})
    assert response.status_code == 302
    assert response["Location"] == "/editions/"
    assert response.cookies["django_language"].value == "en"
    assert "no-cache" in response["Cache-Control"]
    assert '<html lang="en">' in client.get("/editions/").content.decode()
    client.get("/language/zh-hant/", {"next": "/"})
    assert '<html lang="zh-Hant-TW">' in client.get("/").content.decode()


def test_language_link_never_sends_a_visitor_to_another_site(client: Any, db: None) -> None:
    response = client.get("/language/en/", {"next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_language_link_for_an_unknown_language_is_not_found(client: Any, db: None) -> None:
    response = client.get("/language/fr/", {"next": "/"})
    assert response.status_code == 404
    assert response.cookies.get("django_language") is None


# Served from what publication rendered, not re-rendered per request


def test_home_reads_no_snapshot_once_its_table_is_kept(client: Any, published_edition: Any) -> None:
    first = client.get("/").content
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/").content
    assert again == first
    assert _selects_big_columns(queries.captured_queries) == []


def test_edition_page_reads_no_snapshot_or_diff_once_kept(
    client: Any, published_edition: Any, editor: Any, approver: Any
) -> None:
    _next_edition(published_edition, editor, approver)
    first = client.get("/editions/2026-03-31/").content.decode()
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/editions/2026-03-31/").content.decode()
    assert again == first
    assert "與前一版本相比" in again or "修改的文字中" in again
    assert _selects_big_columns(queries.captured_queries) == []


def test_unchanged_page_is_sent_again_without_rendering_a_template(
    client: Any, published_edition: Any
) -> None:
    for url in PAGES:
        first = client.get(url)
        again = client.get(url)
        assert [t.name for t in first.templates][:1] != []
        assert again.templates == []
        assert again.content == first.content
        assert again["Content-Type"] == first["Content-Type"]


def test_kept_page_follows_a_withdrawal(client: Any, published_edition: Any, approver: Any) -> None:
    before = client.get("/editions/2025-12-30/")
    services.withdraw_edition(edition=published_edition, user=approver, comment="資料有誤。")
    after = client.get("/editions/2025-12-30/", HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert "此版本已撤回。" in after.content.decode()
    assert "目前尚無公告版本。" in client.get("/").content.decode()


def test_kept_table_is_the_one_the_template_renders(client: Any, published_edition: Any) -> None:
    """The kept fragment is the table publication's HTML file carries, plus the page's row links.

    The links (to the row, a copy button, the scope's page) need the site, so the file has none.
    """
    page = client.get("/").content.decode()
    assert page.count('<span class="row-links">') == 9 + 20
    page = re.sub(r'<span class="row-links">.*?</span>', "", page)
    page = re.sub(r"\n\s*</th>", "</th>", page)
    html = published_edition.files.get(format="html").file.read().decode()
    html = re.sub(r"\n\s*</th>", "</th>", html)
    start = html.index('<div class="bulletin-table">')
    end = html.index("</table>\n</div>", start) + len("</table>\n</div>")
    assert html[start:end] in page


def test_table_is_kept_per_language(client: Any, published_edition: Any) -> None:
    chinese = client.get("/").content.decode()
    client.cookies["django_language"] = "en"
    english = client.get("/").content.decode()
    assert "認定方式" in chinese
    assert "Recognition criteria" in english
    assert "Recognition criteria" not in chinese


def test_edition_list_and_command_read_no_snapshot(
    client: Any, published_edition: Any, editor: Any, approver: Any
) -> None:
    _next_edition(published_edition, editor, approver)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/editions/").content.decode()
        call_command("edition", "list", stdout=io.StringIO())
    assert "115.03.31" in page
    assert _selects_big_columns(queries.captured_queries) == []


# What a citizen checks


def test_snapshot_json_hashes_to_the_editions_sha256(client: Any, published_edition: Any) -> None:
    body = client.get("/editions/2025-12-30/snapshot.json").content
    assert hashlib.sha256(body).hexdigest() == published_edition.snapshot_sha256
    snapshot = json.loads(body)
    again = json.dumps(snapshot, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert hashlib.sha256(again.encode()).hexdigest() == published_edition.snapshot_sha256


def test_manifest_chains_to_the_previous_edition(
    client: Any, published_edition: Any, editor: Any, approver: Any
) -> None:
    second = _next_edition(published_edition, editor, approver)
    manifest = client.get("/editions/2026-03-31/manifest.json").json()
    assert manifest["snapshot_sha256"] == second.snapshot_sha256
    assert manifest["previous_sha256"] == published_edition.snapshot_sha256
    assert manifest["previous_manifest_url"].endswith("/editions/2025-12-30/manifest.json")
    first = client.get("/editions/2025-12-30/manifest.json").json()
    assert first["previous_sha256"] is None
    files = {f["format"]: f for f in manifest["files"]}
    pdf = second.files.get(format="pdf")
    assert files["pdf"]["sha256"] == pdf.sha256
    assert files["pdf"]["size"] == pdf.size


def test_snapshot_and_manifest_of_an_unpublished_edition_are_not_found(
    client: Any, approved_edition: Any
) -> None:
    assert client.get("/editions/2025-12-30/snapshot.json").status_code == 404
    assert client.get("/editions/2025-12-30/manifest.json").status_code == 404


def test_edition_page_links_the_verification_files(client: Any, published_edition: Any) -> None:
    page = client.get(reverse("public:edition", args=["2025-12-30"])).content.decode()
    assert 'href="/editions/2025-12-30/snapshot.json"' in page
    assert 'href="/editions/2025-12-30/manifest.json"' in page
    assert published_edition.snapshot_sha256 in page
