"""An Atom feed of the public bulletin's editions: published, superseded and withdrawn.

Every text of the feed is plain text: Django's Atom writer declares the summary as HTML
(`type="html"`), so that a change note or a withdrawal reason holding markup would be run by
a feed reader; `TextAtom1Feed` declares it `type="text"`, and the XML writer escapes it.
"""

from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from .diff import summary_text
from .models import Edition


class TextAtom1Feed(Atom1Feed):
    """Atom 1.0 whose entry summaries are text, never HTML."""

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"] is not None:
            handler.addQuickElement("summary", item["description"], {"type": "text"})


class EditionFeed(Feed):
    feed_type = TextAtom1Feed
    language = "zh-Hant-TW"

    def title(self) -> str:
        return _("政府推動之「政策性產業」彙整表：公告版本")

    def subtitle(self) -> str:
        return _("勞動部勞動力發展署公告之彙整表，每個公告、取代或撤回的版本。")

    def link(self) -> str:
        return reverse("public:editions")

    def author_name(self) -> str:
        return _("勞動部勞動力發展署")

    def items(self) -> QuerySet[Edition]:
        return (
            Edition.objects.public()
            .filter(bulletin__slug=settings.PUBLIC_BULLETIN_SLUG)
            .select_related("bulletin")
            .newest_first()[:50]
        )

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
        return item.updated_at
