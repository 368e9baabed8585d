"""Form fields shared by every form of the back office.

Dates: one field and one widget read and show dates the agency's way (catalogue.roc), so the
admin's model forms (through `DATE_OVERRIDES` in `formfield_overrides`), the edition forms and
the history filters all take 115.12.01, 1151201 and 2026-12-01 and show 115.12.01. The widget
adds the browser's own date picker beside the text box; catalogue/roc_date.js (a static file:
the Content-Security-Policy allows no inline script) copies the picked day into the box.
"""

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .roc import RocDateError, parse_roc_date, roc_date_short

DATE_HELP = _("民國日期，例如 115.12.01 或 1151201；也可按右側的日曆選擇。")


class RocDateInput(forms.TextInput):
    """A text box for 115.12.01 with a native date picker beside it."""

    template_name = "catalogue/widgets/roc_date.html"

    class Media:
        js = ("catalogue/roc_date.js",)
        css = {"all": ("catalogue/roc_date.css",)}

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        defaults = {"size": "10", "autocomplete": "off", "placeholder": _("例：115.12.01")}
        super().__init__({**defaults, "class": "roc-date-text", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, datetime.date):
            return roc_date_short(value)
        return super().format_value(value)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["picker_value"] = _picker_value(value)
        context["widget"]["picker_label"] = gettext("以日曆選擇日期")
        return context


class RocDateField(forms.DateField):
    """A date typed the agency's way; the error names what is wrong (115.02.30: no 30th)."""

    widget = RocDateInput

    def to_python(self, value: Any) -> datetime.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        try:
            return parse_roc_date(str(value))
        except RocDateError as error:
            raise ValidationError(str(error), code="invalid") from None


# For ModelAdmin.formfield_overrides: every model DateField in the admin is a RocDateField.
DATE_OVERRIDES: dict[type[models.Field], dict[str, Any]] = {
    models.DateField: {"form_class": RocDateField, "widget": RocDateInput},
}


def _picker_value(value: Any) -> str:
    """The day for the date picker (YYYY-MM-DD, as browsers want it), or "" when unreadable."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    try:
        return parse_roc_date(str(value or "")).isoformat()
    except RocDateError:
        return ""
