"""What every catalogue admin and inline shares: the change reason and the version on the form,
one revision per changed object, deletions recorded with who and why."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ..admin_history.admin import CatalogueHistoryAdmin
from ..history import attribute, delete_with_history, record_revision
from ..i18n import site_language
from .forms import (
    REASON_FIELD,
    SMALL_TEXT,
    VERSION_FIELD,
    ChangeReasonForm,
    OrderedInlineFormSet,
    VersionedModelForm,
)
from .search import FoldedSearchMixin

DEFAULT_REASON_ADD = _("後台新增")
DEFAULT_REASON_CHANGE = _("後台編輯")
DEFAULT_REASON_DELETE = _("後台刪除")


class CatalogueAdmin(FoldedSearchMixin, CatalogueHistoryAdmin):
    """Every catalogue admin: the change reason, one revision per changed object, the search
    through the public look-up's normaliser."""

    form = ChangeReasonForm
    formfield_overrides = SMALL_TEXT
    # The models' get_absolute_url leads back to the admin; a "view on site" link would too.
    view_on_site = False

    class Media:
        css = {"all": ("catalogue/admin.css",)}

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        fieldsets = list(super().get_fieldsets(request, obj))
        fieldsets = [
            (
                name,
                {
                    **options,
                    "fields": [
                        f for f in options["fields"] if f not in (REASON_FIELD, VERSION_FIELD)
                    ],
                },
            )
            for name, options in fieldsets
        ]
        can_save = (
            self.has_add_permission(request)
            if obj is None
            else self.has_change_permission(request, obj)
        )
        if can_save:
            fieldsets.append((_("修訂紀錄"), {"fields": [REASON_FIELD, VERSION_FIELD]}))
        return fieldsets

    def change_reason(self, form: forms.Form, change: bool) -> str:
        typed = (getattr(form, "cleaned_data", None) or {}).get(REASON_FIELD, "").strip()
        return typed or site_language(DEFAULT_REASON_CHANGE if change else DEFAULT_REASON_ADD)

    def save_model(self, request: HttpRequest, obj: Any, form: forms.Form, change: bool) -> None:
        # The revision is written in save_related, once the many-to-many fields are saved too.
        attribute(obj, user=request.user, reason=self.change_reason(form, change))
        obj.skip_history_when_saving = True
        obj.save()

    def save_related(
        self, request: HttpRequest, form: forms.Form, formsets: list[Any], change: bool
    ) -> None:
        obj = form.instance
        try:
            form.save_m2m()
        finally:
            del obj.skip_history_when_saving
        if not change or set(form.changed_data) - {REASON_FIELD}:
            record_revision(obj, created=not change)
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(
        self, request: HttpRequest, form: forms.Form, formset: Any, change: bool
    ) -> None:
        reason = self.change_reason(form, change)
        instances = formset.save(commit=False)  # only the changed rows
        delete_with_history(formset.deleted_objects, user=request.user, reason=reason)
        if isinstance(formset, OrderedInlineFormSet):
            formset.free_changed_orders()
        for instance in instances:
            attribute(instance, user=request.user, reason=reason)
            instance.save()
        formset.save_m2m()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        delete_with_history([obj], user=request.user, reason=site_language(DEFAULT_REASON_DELETE))

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        delete_with_history(
            queryset, user=request.user, reason=site_language(DEFAULT_REASON_DELETE)
        )


class OrderedInline(admin.TabularInline):
    """Rows of a parent with their order and, for someone who may save, their version."""

    form = VersionedModelForm
    formset = OrderedInlineFormSet
    ordering = ("order",)
    extra = 0
    formfield_overrides = SMALL_TEXT
    view_on_site = False

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = [f for f in super().get_fields(request, obj) if f != VERSION_FIELD]
        if self.has_change_permission(request, obj) or self.has_add_permission(request, obj):
            # Every row carries its version: a row changed since the page was read is refused.
            fields.append(VERSION_FIELD)
        return fields
