"""Programmes and their scopes in the admin, a scope's targets, strategies and sections inline."""

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import Count, Prefetch
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ..admin_history.timeline import Entry, programme_timeline, scope_timeline
from ..models import Agency, Programme, Scope, ScopeAgency, Section, Strategy, Target
from ..spreadsheet.admin import SpreadsheetAdminMixin
from .base import CatalogueAdmin, OrderedInline
from .forms import ScopeForm


def _agency_names(agencies: Any) -> str:
    return "、".join(agency.short_name or agency.name for agency in agencies)


class ScopeInline(OrderedInline):
    model = Scope
    fields = ("order", "title", "description", "headline", "agency_names")
    readonly_fields = ("agency_names",)
    show_change_link = True
    verbose_name = _("產業範疇")
    verbose_name_plural = _("產業範疇（部會與認定方式請點「變更」至各範疇頁面編輯）")

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return (
            super()
            .get_queryset(request)
            .select_related("programme")
            .prefetch_related("agency_links__agency")
        )

    @admin.display(description=_("部會/機關"))
    def agency_names(self, obj: Scope) -> str:
        return _agency_names(obj.ordered_agencies) if obj.pk else ""


@admin.register(Programme)
class ProgrammeAdmin(SpreadsheetAdminMixin, CatalogueAdmin):
    list_display = ("serial", "name", "period", "scope_count", "agency_names", "bulletin")
    list_display_links = ("serial", "name")
    list_select_related = ("bulletin",)
    list_filter = ("bulletin", "scopes__agencies", "open_end")
    search_fields = (
        "name",
        "scopes__title",
        "scopes__description",
        "scopes__headline",
        "scopes__note",
        "scopes__agencies__name",
        "scopes__agencies__short_name",
        "scopes__targets__text",
        "scopes__strategies__heading",
        "scopes__strategies__items",
        "scopes__sections__heading",
        "scopes__sections__items",
    )
    search_help_text = _("搜尋名稱、產業範疇、願景、推動目標、推動策略、段落與部會名稱。")
    ordering = ("bulletin", "serial")
    # Django's 100 rows cost most of the page's time once a bulletin is that long (each row's
    # checkbox is a rendered widget, each link resolves its URL to keep the search): 50 rows
    # halve it. The real bulletin (9 programmes, 20 scopes) fits on one page either way.
    list_per_page = 50
    fieldsets = (
        (None, {"fields": ("bulletin", "serial", "name")}),
        (
            _("實施期間（民國年）"),
            {
                "fields": (("period_start", "period_end", "open_end"),),
                "description": _("填寫結束年，或選擇「未定」或「迄今」，兩者擇一。"),
            },
        ),
    )
    inlines = (ScopeInline,)
    timeline_title = _("產業範疇、推動目標、推動策略與其他段落的變更")

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        # The list reads only each scope's agencies, in order: no scope texts, and the links
        # ordered by position alone (their Meta ordering would join scope, programme and
        # bulletin again to sort what is already grouped by scope).
        links = ScopeAgency.objects.order_by("position").select_related("agency")
        scopes = (
            Scope.objects.order_by("order")
            .only("pk", "programme_id")
            .prefetch_related(Prefetch("agency_links", queryset=links))
        )
        return (
            super()
            .get_queryset(request)
            .annotate(scope_total=Count("scopes", distinct=True))
            .prefetch_related(Prefetch("scopes", queryset=scopes, to_attr="ordered_scopes"))
        )

    @admin.display(description=_("實施期間（民國）"), ordering="period_start")
    def period(self, obj: Programme) -> str:
        return obj.period_display

    @admin.display(description=_("產業範疇數"), ordering="scope_total")
    def scope_count(self, obj: Programme) -> int:
        return obj.scope_total

    @admin.display(description=_("部會/機關"))
    def agency_names(self, obj: Programme) -> str:
        # In the order the scopes name them: the programme's first agency first.
        agencies: dict[int, Agency] = {}
        for scope in obj.ordered_scopes:
            for agency in scope.ordered_agencies:
                agencies.setdefault(agency.pk, agency)
        return _agency_names(agencies.values())

    def get_history_timeline(self, object_id: Any) -> list[Entry]:
        return programme_timeline(object_id)


class TargetInline(OrderedInline):
    model = Target
    fields = ("order", "text", "value", "unit", "deadline_year")


class StrategyInline(OrderedInline):
    model = Strategy
    fields = ("order", "heading", "items")


class SectionInline(OrderedInline):
    model = Section
    fields = ("order", "heading", "items")


@admin.register(Scope)
class ScopeAdmin(CatalogueAdmin):
    list_display = ("programme_serial", "order", "label", "programme", "agency_names", "headline")
    list_display_links = ("label",)
    list_select_related = ("programme", "programme__bulletin")
    list_filter = ("programme__bulletin", "programme", "agencies")
    search_fields = (
        "title",
        "description",
        "headline",
        "note",
        "programme__name",
        "agencies__name",
        "agencies__short_name",
        "targets__text",
        "strategies__heading",
        "strategies__items",
        "sections__heading",
        "sections__items",
    )
    search_help_text = _(
        "搜尋範疇名稱與說明、願景、推動目標、推動策略、段落、政策性產業與部會名稱。"
    )
    ordering = ("programme__bulletin", "programme__serial", "order")
    list_per_page = 50  # as ProgrammeAdmin's
    form = ScopeForm
    fieldsets = (
        (None, {"fields": ("programme", "order", "title", "description", "agency_list")}),
        (_("認定方式"), {"fields": ("headline", "note")}),
    )
    inlines = (TargetInline, StrategyInline, SectionInline)
    timeline_title = _("推動目標、推動策略與其他段落的變更")

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return (
            super()
            .get_queryset(request)
            .select_related("programme", "programme__bulletin")
            .prefetch_related("agency_links__agency")
        )

    @admin.display(description=_("序號"), ordering="programme__serial")
    def programme_serial(self, obj: Scope) -> int:
        return obj.programme.serial

    @admin.display(description=_("產業範疇"), ordering="title")
    def label(self, obj: Scope) -> str:
        return obj.display_title or obj.description[:30]

    @admin.display(description=_("部會/機關"))
    def agency_names(self, obj: Scope) -> str:
        return _agency_names(obj.ordered_agencies)

    def get_history_timeline(self, object_id: Any) -> list[Entry]:
        return scope_timeline(object_id)
