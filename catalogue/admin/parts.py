"""The parts of a scope's recognition text (targets, strategies, sections), also listed on their
own for searching."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import Scope, Section, Strategy, Target
from ..numbers import plain_decimal
from .base import CatalogueAdmin


class ScopePartAdmin(CatalogueAdmin):
    list_select_related = ("scope", "scope__programme")
    list_filter = ("scope__programme__bulletin", "scope__programme", "scope__agencies")
    ordering = ("scope__programme__serial", "scope__order", "order")

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        if db_field.name == "scope":
            # A scope names itself by its programme's serial: one query for the whole list.
            kwargs["queryset"] = Scope.objects.select_related("programme")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("產業範疇"), ordering="scope__programme__serial")
    def scope_label(self, obj: Any) -> str:
        return str(obj.scope)


@admin.register(Target)
class TargetAdmin(ScopePartAdmin):
    list_display = ("scope_label", "order", "text", "figure", "deadline")
    list_display_links = ("text",)
    search_fields = ("text", "unit", "scope__title", "scope__programme__name")
    fieldsets = ((None, {"fields": ("scope", "order", "text", "value", "unit", "deadline_year")}),)

    @admin.display(description=_("數值"))
    def figure(self, obj: Target) -> str:
        if obj.value is None:
            return ""
        return f"{plain_decimal(obj.value)} {obj.unit}".strip()

    @admin.display(description=_("目標年（民國）"), ordering="deadline_year")
    def deadline(self, obj: Target) -> str:
        return gettext("%(year)s年") % {"year": obj.deadline_year} if obj.deadline_year else ""


class HeadedListAdmin(ScopePartAdmin):
    list_display = ("scope_label", "order", "heading", "item_count")
    list_display_links = ("heading",)
    search_fields = ("heading", "items", "scope__title", "scope__programme__name")
    fieldsets = ((None, {"fields": ("scope", "order", "heading", "items")}),)

    @admin.display(description=_("項目數"))
    def item_count(self, obj: Any) -> int:
        return len(obj.item_list)


@admin.register(Strategy)
class StrategyAdmin(HeadedListAdmin):
    pass


@admin.register(Section)
class SectionAdmin(HeadedListAdmin):
    pass
