"""Template helpers of the public pages: the table's layout, its wording and the diff's marks."""

from typing import Any

from django import template
from django.template.defaultfilters import filesizeformat
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as N_

from publishing import diff as diffing
from publishing.rendering import table as layout
from publishing.rendering.wording import labels

register = template.Library()

KIND_LABELS = {
    "programme": N_("政策性產業"),
    "scope": N_("產業範疇"),
    "target": N_("推動目標"),
    "strategy": N_("推動策略"),
    "section": N_("段落"),
}


@register.simple_tag
def bulletin_table(snapshot: dict[str, Any]) -> list[layout.ProgrammeRows]:
    """{% bulletin_table snapshot as programmes %}: the table's rows, programme by programme."""
    return layout.table(snapshot)


@register.simple_tag
def table_labels() -> dict[str, Any]:
    return labels()


@register.filter
def diff_segments(segments: list[list[str]]) -> SafeString:
    """Changed text with <del> and <ins>; every text is escaped."""
    return diffing.render_segments(segments)


@register.filter
def action_label(action: str) -> str:
    return gettext(diffing.ACTION_LABELS.get(action, action))


@register.filter
def kind_label(kind: str) -> str:
    return gettext(KIND_LABELS.get(kind, kind))


@register.filter
def translated(msgid: str) -> str:
    """A label stored in the data as a Chinese msgid, in the active language."""
    return gettext(msgid)


@register.filter
def file_size(size: int) -> str:
    return filesizeformat(size)


@register.simple_tag
def public_url(name: str, slug: str | None = None, *args: Any) -> str:
    """{% public_url "editions" bulletin_slug %}: a bulletin's page (the default bulletin's)."""
    from publishing.links import public_url as url

    return url(name, slug, *args)
