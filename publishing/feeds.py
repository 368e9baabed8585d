"""An Atom feed of a bulletin's editions: published, superseded and withdrawn.

Entry ids are tag URIs (RFC 4151) from settings.FEED_TAG_AUTHORITY and the edition's bulletin
and date, never from the Host header, so they stay the same whatever address the feed was
read at. An entry's `updated` is its publication time: when a newer edition supersedes it,
feed readers do not show it again as new; a withdrawal is news, and updates it. Each entry
links its files as enclosures (type and length), at absolute addresses (the public site's,
settings.PUBLIC_SITE_URL, when set, else the request's).

Every text of the feed is plain text: Django's Atom writer declares the summary as HTML
(`type="html"`), so that a change note or a withdrawal reason holding markup would be run by
a feed reader; `TextAtom1Feed` declares it `type="text"`, and the XML writer escapes it.
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.utils.feedgenerator import Atom1Feed, Enclosure
from django.utils.translation import gettext as _

from catalogue.models import Bulletin

from .diff import summary_text
from .links import bulletin_slug, is_default, public_url
from .models import Edition
from .selectors import files_for_download, public_filename


class TextAtom1Feed(Atom1Feed):
    """Atom 1.0 whose entry summaries are text, never HTML."""

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"] is not None:
            handler.addQuickElement("summary", item["description"], {"type": "text"})


def tag_uri(specific: str) -> str:
    """tag:wda.gov.tw,2025:edition/policy-industries/2025-12-30 — the same for ever."""
    return f"tag:{settings.FEED_TAG_AUTHORITY}:{specific}"


@dataclass(frozen=True)
class FeedSource:
    """The bulletin a feed is of, and the address its enclosures' links start with."""

    slug: str
    base: str
    title: str = ""


def absolute_url(request: HttpRequest, path: str) -> str:
    """The public site's configured address of path, or the request's when none is configured."""
    if settings.PUBLIC_SITE_URL:
        return settings.PUBLIC_SITE_URL.rstrip("/") + path
    return request.build_absolute_uri("/").rstrip("/") + path


class EditionFeed(Feed):
    feed_type = TextAtom1Feed
    language = "zh-Hant-TW"

    def get_object(self, request: HttpRequest, slug: str | None = None) -> FeedSource:  # type: ignore[override]
        # The Feed instance serves every request (and thread): what a request needs travels
        # in the object, never on self.
        slug = bulletin_slug(slug)
        base = absolute_url(request, "")
        if is_default(slug):
            return FeedSource(slug, base)
        title = Bulletin.objects.filter(slug=slug).values_list("title", flat=True).first()
        return FeedSource(slug, base, title or "")

    def title(self, source: FeedSource) -> str:
        if source.title:
            return _("%(title)s：公告版本") % {"title": source.title}
        return _("政府推動之「政策性產業」彙整表：公告版本")

    def subtitle(self) -> str:
        return _("勞動部勞動力發展署公告之彙整表，每個公告、取代或撤回的版本。")

    def link(self, source: FeedSource) -> str:
        return public_url("editions", source.slug)

    def feed_guid(self, source: FeedSource) -> str:
        return tag_uri(f"editions/{source.slug}")

    def author_name(self) -> str:
        return _("勞動部勞動力發展署")

    def items(self, source: FeedSource) -> list[Edition]:
        editions = list(
            Edition.objects.public()
            .filter(bulletin__slug=source.slug)
            .select_related("bulletin")
            .prefetch_related("files")
            .newest_first()[:50]
        )
        for edition in editions:
            edition.feed_base = source.base  # type: ignore[attr-defined]
        return editions

    def item_guid(self, item: Edition) -> str:
        return tag_uri(f"edition/{item.bulletin.slug}/{item.date.isoformat()}")

    def item_guid_is_permalink(self, item: Edition) -> bool:
        return False

    def item_enclosures(self, item: Edition) -> list[Enclosure]:
        files = files_for_download(item)
        return [
            Enclosure(
                url=item.feed_base  # type: ignore[attr-defined]
                + public_url(
                    "download", item.bulletin.slug, item.date, public_filename(item, f.format)
                ),
                length=str(f.size),
                mime_type=f.content_type,
            )
            for f in files
        ]

    def item_title(self, item: Edition) -> str:
        return _("%(date)s 版本（%(status)s）") % {
            "date": item.roc_date,
            "status": item.get_status_display(),
        }

    def item_description(self, item: Edition) -> str:
        parts = [item.change_note, summary_text(item.diff or {"first_edition": True})]
        if item.status == Edition.Status.WITHDRAWN:
            parts.append(_("撤回理由：%(reason)s") % {"reason": item.withdrawn_reason})
        return "\n".join(p for p in parts if p)

    def item_link(self, item: Edition) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Edition) -> Any:
        return item.published_at

    def item_updateddate(self, item: Edition) -> Any:
        if item.status == Edition.Status.WITHDRAWN:
            return item.updated_at  # the withdrawal: the last write a public edition takes
        return item.published_at
