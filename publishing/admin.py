"""Editions in the admin: the list, one page per edition with its diff, preview and audit trail,
and one confirmation page per step. Every step goes through publishing.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import select_template
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalogue.roc import roc_datetime_short

from . import services
from .diff import render_segments, summary_text
from .exceptions import EditionError
from .models import Edition, EditionTransition

Action = EditionTransition.Action
# A shared table template from the public pages wins over the admin's simple preview.
PREVIEW_TEMPLATES = ("public/_table.html", "admin/publishing/edition/_preview.html")


class EditionForm(forms.ModelForm):
    """Bulletin, date and change note; the person asking is set by EditionAdmin.get_form."""

    user: Any = None

    class Meta:
        model = Edition
        fields = ("bulletin", "date", "change_note")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        try:
            if self.instance.pk is None:
                if not services.has_role(self.user, services.EDITOR):
                    raise EditionError(gettext("只有編輯可以建立版本。"))
            else:
                stored = Edition.objects.get(pk=self.instance.pk)
                services.check_allowed(edition=stored, user=self.user, action=Action.EDIT)
        except EditionError as error:
            raise ValidationError(str(error)) from error
        return cleaned

    def _post_clean(self) -> None:
        super()._post_clean()
        # The form leaves out the bulletin on change; check both unique constraints in full.
        try:
            self.instance.validate_constraints()
        except ValidationError as error:
            self._update_errors(error)


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("說明"), required=False, widget=forms.Textarea(attrs={"rows": 4, "cols": 60})
    )

    def __init__(self, *args: Any, reason_required: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if reason_required:
            self.fields["comment"].required = True
            self.fields["comment"].label = _("理由（必填）")


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    form = EditionForm
    list_display = ("roc_date_column", "bulletin", "status", "prepared_by", "published_at_roc")
    list_display_links = ("roc_date_column",)
    list_filter = ("status", "bulletin")
    list_select_related = ("bulletin", "prepared_by")
    search_fields = ("change_note",)
    change_form_template = "admin/publishing/edition/change_form.html"
    actions = None  # deleting in bulk would bypass the model's refusal

    @admin.display(description=_("版本日期"), ordering="date")
    def roc_date_column(self, edition: Edition) -> str:
        return edition.roc_date

    @admin.display(description=_("民國日期"))
    def roc_date_long(self, edition: Edition) -> str:
        return edition.roc_date_long

    # Moments in the agency's calendar (catalogue.roc), as every date the back office shows.
    @admin.display(description=_("公告時間"), ordering="published_at")
    def published_at_roc(self, edition: Edition) -> str:
        return roc_datetime_short(edition.published_at) if edition.published_at else "-"

    @admin.display(description=_("建立時間"), ordering="created_at")
    def created_at_roc(self, edition: Edition) -> str:
        return roc_datetime_short(edition.created_at)

    @admin.display(description=_("前一公告版本"))
    def previous_edition(self, edition: Edition) -> str:
        return edition.previous.roc_date if edition.previous else "-"

    def get_fields(self, request: HttpRequest, obj: Edition | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("bulletin", "date", "change_note")
        fields = (
            "bulletin",
            "date",
            "roc_date_long",
            "change_note",
            "status",
            "prepared_by",
            "created_at_roc",
            "published_at_roc",
            "snapshot_sha256",
            "previous_edition",
            "previous_sha256",
        )
        return fields + (("withdrawn_reason",) if obj.withdrawn_reason else ())

    def get_readonly_fields(
        self, request: HttpRequest, obj: Edition | None = None
    ) -> tuple[str, ...]:
        if obj is None:
            return ()
        return tuple(f for f in self.get_fields(request, obj) if f not in ("date", "change_note"))

    def get_form(self, request: HttpRequest, obj: Edition | None = None, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def has_change_permission(self, request: HttpRequest, obj: Edition | None = None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or services.can(edition=obj, user=request.user, action=Action.EDIT)

    def has_delete_permission(self, request: HttpRequest, obj: Edition | None = None) -> bool:
        if obj is not None and obj.is_public:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Edition, form: Any, change: bool) -> None:
        try:
            if change:
                before = Edition.objects.get(pk=obj.pk)
                saved = services.update_edition(
                    edition=before,
                    user=request.user,
                    change_note=form.cleaned_data["change_note"],
                    date=form.cleaned_data["date"],
                )
                if saved.status != before.status:
                    messages.warning(request, gettext("核定後內容已變更，核定已失效，須重新核定。"))
            else:
                saved = services.create_edition(
                    bulletin=form.cleaned_data["bulletin"],
                    date=form.cleaned_data["date"],
                    user=request.user,
                    change_note=form.cleaned_data["change_note"],
                )
        except EditionError as error:
            messages.error(request, str(error))
            request._edition_refused = True  # type: ignore[attr-defined]
            return
        obj.__dict__.update(saved.__dict__)  # the admin logs and redirects with obj

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        if getattr(request, "_edition_refused", False):
            return None
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        if getattr(request, "_edition_refused", False):
            return None
        return super().log_change(request, obj, message)

    def response_add(self, request: HttpRequest, obj: Edition, *args: Any) -> HttpResponse:
        if getattr(request, "_edition_refused", False):
            return HttpResponseRedirect(request.path)
        return super().response_add(request, obj, *args)

    def response_change(self, request: HttpRequest, obj: Edition) -> HttpResponse:
        if getattr(request, "_edition_refused", False):
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def get_urls(self) -> list[URLPattern]:
        transition = self.admin_site.admin_view(self.transition_view)
        return [
            path(
                "<int:object_id>/step/<str:action>/",
                transition,
                name="publishing_edition_transition",
            ),
            *super().get_urls(),
        ]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        edition = self.get_object(request, object_id)
        if edition is not None and self.has_view_or_change_permission(request, edition):
            extra_context = {**(extra_context or {}), **self._edition_context(request, edition)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _edition_context(self, request: HttpRequest, edition: Edition) -> dict[str, Any]:
        diff = services.current_diff(edition)
        steps = [
            {
                "action": action,
                "label": Action(action).label,
                "url": reverse("admin:publishing_edition_transition", args=[edition.pk, action]),
            }
            for action in services.allowed_actions(edition=edition, user=request.user)
        ]
        return {
            "edition": edition,
            "steps": steps,
            "diff": diff,
            "diff_summary": summary_text(diff),
            "diff_changes": _marked(diff),
            "transitions": edition.transitions.select_related("actor"),
            "files": edition.files.all(),
            "snapshot": edition.snapshot,
            "preview_template": select_template(PREVIEW_TEMPLATES).template.name,
        }

    def transition_view(self, request: HttpRequest, object_id: int, action: str) -> HttpResponse:
        edition = get_object_or_404(Edition.objects.select_related("bulletin"), pk=object_id)
        if not self.has_view_permission(request, edition) or action not in services.TRANSITIONS:
            raise PermissionDenied
        back = reverse("admin:publishing_edition_change", args=[edition.pk])
        step = services.STEPS[action]
        form = CommentForm(request.POST or None, reason_required=step.reason_required)
        try:
            services.check_allowed(edition=edition, user=request.user, action=action, comment="-")
            if request.method == "POST" and form.is_valid():
                services.take_action(
                    edition=edition,
                    user=request.user,
                    action=action,
                    comment=form.cleaned_data["comment"],
                )
                messages.success(
                    request,
                    gettext("版本 {date} 已{action}。").format(
                        date=edition.roc_date, action=Action(action).label
                    ),
                )
                return HttpResponseRedirect(back)
        except EditionError as error:
            messages.error(request, str(error))
            return HttpResponseRedirect(back)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "edition": edition,
            "original": edition,
            "action_label": Action(action).label,
            "form": form,
            "back": back,
            "title": gettext("確認{action}版本 {date}").format(
                action=Action(action).label, date=edition.roc_date
            ),
        }
        return TemplateResponse(request, "admin/publishing/edition/transition.html", context)


def _marked(diff: dict[str, Any]) -> list[dict[str, Any]]:
    """The diff's changes with each field's segments as marked HTML."""
    return [
        {
            **change,
            "fields": [
                {**item, "html": render_segments(item["segments"])} for item in change["fields"]
            ],
        }
        for change in diff["changes"]
    ]
