"""Template filters for the catalogue's revision history: ROC dates and revision types."""

import datetime
from typing import Any

from django import template
from django.utils.translation import gettext as _

from accounts.people import user_label

from ..roc import roc_display

register = template.Library()


@register.filter
def roc_datetime(value: datetime.date | datetime.datetime | None, precision: str = "") -> str:
    """114.12.30 14:05 — a moment in the agency's calendar and time zone; |roc_datetime:"seconds"
    adds the seconds (an audit trail). A date alone shows as 114.12.30."""
    return roc_display(value, seconds=precision == "seconds")


@register.filter
def revision_type(record: Any) -> str:
    """新增, 修改 or 刪除: what a revision did to its object."""
    labels = {"+": _("新增"), "~": _("修改"), "-": _("刪除")}
    return labels.get(record.history_type, record.history_type)


@register.filter
def revision_user(record: Any) -> str:
    """Who wrote a revision; 系統 when nobody was signed in (a command or a migration)."""
    return user_label(record.history_user)
