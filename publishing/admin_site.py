"""The back office's admin site: a dashboard on its front page, the catalogue in bulletin order.

Installed in place of django.contrib.admin (INSTALLED_APPS lists BackOfficeAdminConfig), so
`admin.site` and every @admin.register reach this site. This module is imported while the apps
load: it may not import models at the top; the views live in publishing.admin_views.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest
from django.urls import URLPattern, URLResolver, path

# Apps and models as the agency reads them: the catalogue in the order of the bulletin's table
# (彙整表 → 政策性產業 → 產業範疇 → its parts, then the agencies), then its editions. Anything
# not listed follows, alphabetically as Django sorts it.
APP_ORDER = ("catalogue", "publishing", "operations")
MODEL_ORDER = {
    "catalogue": ("Bulletin", "Programme", "Scope", "Target", "Strategy", "Section", "Agency"),
    "publishing": ("Edition",),
}


class BackOfficeSite(AdminSite):
    index_template = "admin/dashboard.html"

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        from .dashboard import dashboard_for

        context = {**(extra_context or {}), "dashboard": dashboard_for(request.user)}
        return super().index(request, context)

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[dict]:
        apps = super().get_app_list(request, app_label)
        for app in apps:
            order = MODEL_ORDER.get(app["app_label"], ())
            app["models"].sort(key=lambda model: _place(order, model["object_name"]))
        return sorted(apps, key=lambda app: _place(APP_ORDER, app["app_label"]))

    def get_urls(self) -> list[URLPattern | URLResolver]:
        from . import admin_views

        mine = [
            path(
                "notifications/",
                self.admin_view(admin_views.notification_settings),
                name="notification_settings",
            ),
            path(
                "changes/<int:bulletin_id>/",
                self.admin_view(admin_views.catalogue_changes),
                name="catalogue_changes",
            ),
        ]
        return [*mine, *super().get_urls()]


def _place(order: tuple[str, ...], name: str) -> tuple[int, int]:
    return (0, order.index(name)) if name in order else (1, 0)


class BackOfficeAdminConfig(AdminConfig):
    default_site = "publishing.admin_site.BackOfficeSite"
