"""Agencies and bulletins in the admin."""

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ..models import Agency, Bulletin
from .base import CatalogueAdmin


@admin.register(Agency)
class AgencyAdmin(CatalogueAdmin):
    list_display = ("name", "short_name", "order", "scope_count")
    search_fields = ("name", "short_name")
    ordering = ("order", "name")
    fieldsets = ((None, {"fields": ("name", "short_name", "order")}),)

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return super().get_queryset(request).annotate(scope_total=Count("scopes"))

    @admin.display(description=_("產業範疇數"), ordering="scope_total")
    def scope_count(self, obj: Agency) -> int:
        return obj.scope_total


@admin.register(Bulletin)
class BulletinAdmin(CatalogueAdmin):
    list_display = ("title", "issuing_agency", "slug", "programme_count")
    list_select_related = ("issuing_agency",)
    search_fields = ("title", "slug", "issuing_agency__name")
    fieldsets = ((None, {"fields": ("title", "issuing_agency", "slug")}),)

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return super().get_queryset(request).annotate(programme_total=Count("programmes"))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        readonly = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and obj.has_public_edition:
            return (*readonly, "slug")  # in the public URLs and file names: see Bulletin.save
        return readonly

    @admin.display(description=_("政策性產業數"), ordering="programme_total")
    def programme_count(self, obj: Bulletin) -> int:
        return obj.programme_total
