"""Dates and moments in admin lists the agency's way (115.12.01 14:05), for admins we did not
write (django-axes' login records): Django would show 2026年12月2日 11:09.

Our own admins name their ROC columns themselves (publishing.admin.EditionAdmin); this mixin
turns every model date or date-time column of a list into one through catalogue.roc.
"""

from collections.abc import Callable, Sequence
from typing import Any

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import HttpRequest

from .roc import roc_display


class RocDatesAdminMixin:
    """For a ModelAdmin: its list's date columns in the ROC calendar; no year/month drill-down
    (date_hierarchy), whose links would name western years."""

    date_hierarchy = None

    def get_list_display(self, request: HttpRequest) -> Sequence[Any]:
        columns = super().get_list_display(request)  # type: ignore[misc]
        return [roc_column(self.model, name) for name in columns]  # type: ignore[attr-defined]


def roc_column(model: type[models.Model], name: Any) -> Any:
    """name itself, or for a date field of model a column showing it through roc_display."""
    if not isinstance(name, str):
        return name
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    if not isinstance(field, models.DateField):  # DateTimeField is a DateField
        return name
    return _column(name, field.verbose_name)


def _column(name: str, label: Any) -> Callable[[Any], str]:
    @admin.display(description=label, ordering=name)
    def column(obj: Any) -> str:
        return roc_display(getattr(obj, name)) or "-"

    column.__name__ = f"{name}_roc"
    return column
