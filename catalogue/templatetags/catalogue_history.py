"""Template filters for the catalogue's revision history: ROC dates and revision types."""

import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from ..roc import roc_date_short

register = template.Library()


@register.filter
def roc_datetime(value: datetime.datetime | None) -> str:
    """114.12.30 14:05 — a moment in the agency's calendar and time zone."""
    if value is None:
        return ""
    moment = timezone.localtime(value)
    return f"{roc_date_short(moment.date())} {moment:%H:%M}"


@register.filter
def revision_type(record: Any) -> str:
    """新增, 修改 or 刪除: what a revision did to its object."""
    labels = {"+": _("新增"), "~": _("修改"), "-": _("刪除")}
    return labels.get(record.history_type, record.history_type)


@register.filter
def revision_user(record: Any) -> str:
    """Who wrote a revision; 系統 when nobody was signed in (a command or a migration)."""
    user = record.history_user
    if user is None:
        return _("系統")
    full_name = user.get_full_name()
    return f"{user.get_username()}（{full_name}）" if full_name else user.get_username()
