"""The Atom feed of editions: public editions only, newest first, withdrawn ones with reason."""

import datetime
from typing import Any
from xml.etree import ElementTree

import pytest

from publishing import services

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def _entries(client: Any) -> list[Any]:
    response = client.get("/editions/feed.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ElementTree.fromstring(response.content).findall(f"{ATOM}entry")


def test_feed_lists_the_published_edition(client: Any, published_edition: Any) -> None:
    (entry,) = _entries(client)
    assert "114.12.30" in entry.findtext(f"{ATOM}title")
    assert entry.find(f"{ATOM}link").get("href").endswith("/editions/2025-12-30/")
    assert "114年12月30日公告版本。" in entry.findtext(f"{ATOM}summary")


def test_feed_leaves_out_editions_in_review(
    client: Any, published_edition: Any, editor: Any
) -> None:
    services.create_edition(
        bulletin=published_edition.bulletin, date=datetime.date(2026, 2, 1), user=editor
    )
    assert len(_entries(client)) == 1


def test_feed_shows_a_withdrawn_edition_with_its_reason(
    client: Any, published_edition: Any, approver: Any
) -> None:
    services.withdraw_edition(edition=published_edition, user=approver, comment="資料有誤。")
    (entry,) = _entries(client)
    assert "已撤回" in entry.findtext(f"{ATOM}title")
    assert "資料有誤。" in entry.findtext(f"{ATOM}summary")


def test_feed_is_empty_before_anything_is_published(client: Any, approved_edition: Any) -> None:
    assert _entries(client) == []


PAYLOAD = (
    '<script>alert(1)</script><a href="javascript:alert(2)">點我</a>'
    '<img src="x" onerror="alert(3)">&amp;'
)


def test_feed_texts_are_plain_text_so_planted_markup_never_becomes_markup(
    client: Any, demo_bulletin: Any, editor: Any, approver: Any, second_approver: Any
) -> None:
    import feedparser

    edition = services.create_edition(
        bulletin=demo_bulletin, date=datetime.date(2025, 12, 30), user=editor, change_note=PAYLOAD
    )
    edition = services.submit_edition(edition=edition, user=editor)
    edition = services.approve_edition(edition=edition, user=approver)
    edition = services.publish_edition(edition=edition, user=approver)
    services.withdraw_edition(edition=edition, user=second_approver, comment=PAYLOAD)
    content = client.get("/editions/feed.atom").content

    # The XML holds the payload as characters, not as elements or attributes ...
    tree = ElementTree.fromstring(content)
    names = {element.tag.split("}")[-1] for element in tree.iter()}
    attributes = {name for element in tree.iter() for name in element.attrib}
    values = [value for element in tree.iter() for value in element.attrib.values()]
    assert not names & {"script", "a", "img"}
    assert "onerror" not in attributes and not any(v.startswith("javascript:") for v in values)
    # ... and declares it text, so that a feed reader shows it instead of rendering it.
    (entry,) = feedparser.parse(content).entries
    assert entry.summary_detail.type == "text/plain"
    assert entry.title_detail.type == "text/plain"
    assert entry.summary.count(PAYLOAD) == 2  # the change note and the withdrawal reason


def test_django_atom_writer_would_have_declared_the_summary_html(
    client: Any, published_edition: Any
) -> None:
    # The forbidden path beside the allowed one: Django's own writer says type="html", which
    # is why the feed uses its own; this fails if Django ever changes, and then ours can go.
    from django.utils.feedgenerator import Atom1Feed

    feed = Atom1Feed(title="t", link="/", description="d")
    feed.add_item(title="t", link="/x", description="<b>x</b>")
    assert 'type="html"' in feed.writeString("utf-8")
    assert b'<summary type="text">' in client.get("/editions/feed.atom").content


# Ids, dates and enclosures as feed readers use them


def test_entry_ids_are_tag_uris_whatever_host_the_feed_was_read_at(
    client: Any, published_edition: Any, settings: Any
) -> None:
    import feedparser

    settings.ALLOWED_HOSTS = ["testserver", "mirror.example"]
    first = feedparser.parse(client.get("/editions/feed.atom").content)
    other = feedparser.parse(client.get("/editions/feed.atom", HTTP_HOST="mirror.example").content)
    (entry,) = first.entries
    assert entry.id == "tag:wda.gov.tw,2025:edition/policy-industries/2025-12-30"
    assert other.entries[0].id == entry.id
    assert first.feed.id == other.feed.id == "tag:wda.gov.tw,2025:editions/policy-industries"


def test_a_superseded_edition_keeps_its_publication_time_as_updated(
    client: Any, published_edition: Any, editor: Any, approver: Any
) -> None:
    import feedparser
    import time_machine
    from bulletins import publish

    published_at = published_edition.published_at
    # Five minutes on: the second publication must not fall in the same second as the first.
    with time_machine.travel(published_at + datetime.timedelta(minutes=5)):
        publish(published_edition.bulletin, datetime.date(2026, 1, 30), editor, approver)
    published_edition.refresh_from_db()
    assert published_edition.status == "superseded"
    assert published_edition.updated_at > published_at  # the row changed ...
    entries = feedparser.parse(client.get("/editions/feed.atom").content).entries
    old = next(e for e in entries if e.id.endswith("/2025-12-30"))
    new = next(e for e in entries if e.id.endswith("/2026-01-30"))
    # ... but a reader sees no news of it: its updated is when it was published.
    assert datetime.datetime(*old.updated_parsed[:6], tzinfo=datetime.UTC) == published_at.replace(
        microsecond=0
    )
    assert new.updated_parsed > old.updated_parsed


def test_entries_link_their_files_as_enclosures_with_type_and_length(
    client: Any, published_edition: Any, settings: Any
) -> None:
    import feedparser

    settings.PUBLIC_SITE_URL = "https://industries.wda.gov.tw"
    (entry,) = feedparser.parse(client.get("/editions/feed.atom").content).entries
    enclosures = {link.href: link for link in entry.links if link.rel == "enclosure"}
    for file in published_edition.files.all():
        url = f"https://industries.wda.gov.tw/editions/2025-12-30/{published_edition.file_name(file.format)}"
        assert enclosures[url].type == file.content_type
        assert int(enclosures[url].length) == file.size
    assert len(enclosures) == published_edition.files.count()


def test_each_bulletin_has_its_own_feed(
    client: Any, published_edition: Any, editor: Any, approver: Any
) -> None:
    import feedparser
    from bulletins import SECOND_SLUG, SECOND_TITLE, publish, second_bulletin

    publish(second_bulletin(), datetime.date(2026, 1, 15), editor, approver)
    feed = feedparser.parse(client.get(f"/b/{SECOND_SLUG}/editions/feed.atom").content)
    assert SECOND_TITLE in feed.feed.title
    (entry,) = feed.entries
    assert entry.id == f"tag:wda.gov.tw,2025:edition/{SECOND_SLUG}/2026-01-15"
    assert entry.link.endswith(f"/b/{SECOND_SLUG}/editions/2026-01-15/")
    assert len(_entries(client)) == 1  # the default bulletin's feed is unchanged


def test_enclosures_start_with_the_public_address_never_the_back_office(
    client: Any, published_edition: Any, settings: Any
) -> None:
    import feedparser

    settings.PUBLIC_SITE_URL = "http://127.0.0.1:19100"
    settings.BACKOFFICE_URL = "https://backoffice.invalid"
    (entry,) = feedparser.parse(client.get("/editions/feed.atom").content).entries
    hrefs = [link.href for link in entry.links if link.rel == "enclosure"]
    assert len(hrefs) == published_edition.files.count() > 0
    assert all(href.startswith("http://127.0.0.1:19100/editions/2025-12-30/") for href in hrefs)
