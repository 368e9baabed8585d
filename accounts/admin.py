"""Users and groups in the admin: only superusers manage them, whatever permissions a staff
member holds, so nobody can grant themselves a role.

django.contrib.auth registers its own admins for User and Group first (it comes before this
app in INSTALLED_APPS); these replace them.
"""

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from catalogue.roc import roc_display


class SuperuserOnlyAdminMixin:
    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)


class AccountAdmin(SuperuserOnlyAdminMixin, UserAdmin):
    # The sign-in and joining moments are shown the agency's way and not typed in: Django would
    # show them as 2026年12月2日 and edit them with a western calendar.
    fieldsets = tuple(
        (name, {**options, "fields": ("last_login_roc", "date_joined_roc")})
        if "date_joined" in options["fields"]
        else (name, options)
        for name, options in UserAdmin.fieldsets or ()
    )
    readonly_fields = ("last_login_roc", "date_joined_roc")

    @admin.display(description=_("上次登入"))
    def last_login_roc(self, user: Any) -> str:
        return roc_display(user.last_login) or "-"

    @admin.display(description=_("加入日期"))
    def date_joined_roc(self, user: Any) -> str:
        return roc_display(user.date_joined)


class RoleGroupAdmin(SuperuserOnlyAdminMixin, GroupAdmin):
    pass


for model, model_admin in ((get_user_model(), AccountAdmin), (Group, RoleGroupAdmin)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
