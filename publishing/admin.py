"""Editions in the admin: the list, one page per edition with its diff, preview and audit trail,
and one confirmation page per step. Every step goes through publishing.services."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import select_template
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalogue.forms import DATE_HELP, DATE_OVERRIDES, RocDateField
from catalogue.models import Bulletin
from catalogue.roc import roc_datetime_short

from . import lifecycle, services, tasks
from .diff import marked_changes, summary_text
from .exceptions import EditionError
from .integrity import FileUnavailable, verified_content
from .models import Edition, EditionTask, EditionTransition
from .rules import has_permission, rules_for

Action = EditionTransition.Action
# A shared table template from the public pages wins over the admin's simple preview.
PREVIEW_TEMPLATES = ("public/_table.html", "admin/publishing/edition/_preview.html")


class VersionField(forms.CharField):
    """The edition's updated_at when the form was read: a save against a newer one is refused."""

    widget = forms.HiddenInput

    def to_python(self, value: Any) -> datetime.datetime | None:
        text = super().to_python(value)
        if not text:
            return None
        try:
            return datetime.datetime.fromisoformat(text)
        except ValueError as error:
            raise ValidationError(gettext("表單版本資訊不正確，請重新整理後再試。")) from error


class EditionCreateForm(forms.Form):
    bulletin = forms.ModelChoiceField(queryset=Bulletin.objects.all(), label=_("彙整表"))
    date = RocDateField(label=_("版本日期"), help_text=DATE_HELP)
    change_note = forms.CharField(
        label=_("本版異動說明"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class EditionEditForm(forms.Form):
    date = RocDateField(label=_("版本日期"), help_text=DATE_HELP)
    change_note = forms.CharField(
        label=_("本版異動說明"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    version = VersionField(required=True)


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("說明"), required=False, widget=forms.Textarea(attrs={"rows": 4, "cols": 60})
    )
    version = VersionField(required=False)

    def __init__(self, *args: Any, reason_required: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if reason_required:
            self.fields["comment"].required = True
            self.fields["comment"].label = _("理由（必填）")


class ApproveForm(CommentForm):
    scheduled_for = forms.DateTimeField(
        label=_("預定公告時間（選填）"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("留空：核定後由核定人員按「公告」。填寫：屆時由系統以您的名義公告。"),
    )


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    """The edition page is read-only; adding, editing and every step have their own views,
    each calling one service and showing its refusal."""

    list_display = (
        "roc_date_column",
        "bulletin",
        "status",
        "prepared_by",
        "scheduled_for_roc",
        "published_at_roc",
    )
    list_display_links = ("roc_date_column",)
    list_filter = ("status", "bulletin")
    list_select_related = ("bulletin", "prepared_by")
    search_fields = ("change_note",)
    change_form_template = "admin/publishing/edition/change_form.html"
    formfield_overrides = DATE_OVERRIDES
    actions = None  # deleting in bulk would bypass the model's refusal
    fields = (
        "bulletin",
        "roc_date_column",
        "roc_date_long",
        "change_note",
        "status",
        "prepared_by",
        "created_at_roc",
        "updated_at_roc",
        "scheduled_for_roc",
        "published_at_roc",
        "snapshot_sha256",
        "previous_edition",
        "previous_sha256",
        "withdrawn_reason",
    )

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

    @admin.display(description=_("預定公告時間"), ordering="scheduled_for")
    def scheduled_for_roc(self, edition: Edition) -> str:
        if edition.scheduled_for is None or edition.status != Edition.Status.APPROVED:
            return "-"
        return roc_datetime_short(edition.scheduled_for)

    @admin.display(description=_("建立時間"), ordering="created_at")
    def created_at_roc(self, edition: Edition) -> str:
        return roc_datetime_short(edition.created_at)

    @admin.display(description=_("更新時間"), ordering="updated_at")
    def updated_at_roc(self, edition: Edition) -> str:
        return roc_datetime_short(edition.updated_at)

    @admin.display(description=_("前一公告版本"))
    def previous_edition(self, edition: Edition) -> str:
        return edition.previous.roc_date if edition.previous else "-"

    def get_view_on_site_url(self, obj: Edition | None = None) -> str | None:
        """The public page, once there is one: a draft's address answers 404."""
        if obj is None or not obj.is_public:
            return None
        return obj.get_absolute_url()

    def get_queryset(self, request: HttpRequest) -> Any:
        # The snapshot is read only where it is shown (the preview) or diffed (a draft).
        return super().get_queryset(request).defer("snapshot")

    def get_fields(self, request: HttpRequest, obj: Edition | None = None) -> tuple[str, ...]:
        if obj is not None and not obj.withdrawn_reason:
            return tuple(f for f in self.fields if f != "withdrawn_reason")
        return self.fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return has_permission(request.user, lifecycle.PREPARE)

    def has_change_permission(self, request: HttpRequest, obj: Edition | None = None) -> bool:
        return False  # the page shows an edition; the edit view and the steps change it

    def has_delete_permission(self, request: HttpRequest, obj: Edition | None = None) -> bool:
        if obj is not None and obj.status not in lifecycle.EDITABLE_STATUSES:
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request: HttpRequest, obj: Edition) -> None:
        services.delete_edition(edition=obj, user=request.user)

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("<int:object_id>/edit/", view(self.edit_view), name="publishing_edition_edit"),
            path(
                "<int:object_id>/preview/",
                view(self.preview_view),
                name="publishing_edition_preview",
            ),
            path(
                "<int:object_id>/files/<str:fmt>/",
                view(self.file_view),
                name="publishing_edition_file",
            ),
            path(
                "<int:object_id>/step/<str:action>/",
                view(self.transition_view),
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
        if edition is not None and self.has_view_permission(request, edition):
            extra_context = {**(extra_context or {}), **self._edition_context(request, edition)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _edition_context(self, request: HttpRequest, edition: Edition) -> dict[str, Any]:
        diff = services.current_diff(edition)
        rules = rules_for(edition)
        steps = [
            {
                "action": action,
                "label": Action(action).label,
                "url": reverse("admin:publishing_edition_transition", args=[edition.pk, action]),
            }
            for action in rules.allowed_actions(request.user)
        ]
        if rules.can(request.user, Action.EDIT):
            url = reverse("admin:publishing_edition_edit", args=[edition.pk])
            steps.insert(0, {"action": Action.EDIT, "label": Action.EDIT.label, "url": url})
        jobs = tasks.latest_tasks(edition)
        for job in jobs:
            job.progress = tasks.progress(job)
        return {
            "edition": edition,
            "steps": steps,
            "diff": diff,
            "diff_summary": summary_text(diff),
            "diff_changes": marked_changes(diff),
            "transitions": edition.transitions.select_related("actor"),
            **_files_context(edition),
            "jobs": jobs,
            # While work is waiting or running the page reloads itself (CSP: no inline script).
            # Not for a job whose worker died: nothing changes until another worker takes it.
            "refresh_seconds": 3
            if any(job.is_pending and not _later(job) and not job.is_abandoned for job in jobs)
            else 0,
            # The table itself has a page of its own: at 100 times the real bulletin it is
            # 2.6 MB of HTML, which made this page take 0.6 s (bench/HISTORY.md).
            "preview_url": reverse("admin:publishing_edition_preview", args=[edition.pk]),
        }

    def preview_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """The edition's whole table, as the public page will show it."""
        edition = get_object_or_404(Edition.objects.select_related("bulletin"), pk=object_id)
        if not self.has_view_permission(request, edition):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "edition": edition,
            "original": edition,
            "back": _page(edition),
            "title": gettext("內容預覽：版本 {date}").format(date=edition.roc_date),
            "snapshot": edition.snapshot,
            "preview_template": select_template(PREVIEW_TEMPLATES).template.name,
        }
        return TemplateResponse(request, "admin/publishing/edition/preview.html", context)

    def file_view(self, request: HttpRequest, object_id: int, fmt: str) -> HttpResponse:
        """One rendered file of any edition, for staff: what the approver opens before signing
        off. Only the bytes whose SHA-256 is the stored one are sent; the PDF opens inline."""
        edition = get_object_or_404(Edition.objects.select_related("bulletin"), pk=object_id)
        if not self.has_view_permission(request, edition):
            raise PermissionDenied
        file = edition.files.filter(format=fmt).first()
        if file is None:
            raise Http404(gettext("找不到這個檔案。"))
        try:
            content = verified_content(file)
        except FileUnavailable as error:
            raise Http404(str(error)) from error
        response = HttpResponse(content, content_type=file.content_type)
        disposition = "inline" if fmt in ("pdf", "html") else "attachment"
        response["Content-Disposition"] = f'{disposition}; filename="{file.filename}"'
        response["Cache-Control"] = "private, no-store"
        return response

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = EditionCreateForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                edition = services.create_edition(user=request.user, **form.cleaned_data)
            except EditionError as error:
                form.add_error(None, str(error))
            else:
                self.log_addition(request, edition, [{"added": {}}])
                messages.success(
                    request, gettext("已建立 {date} 版本草稿。").format(date=edition.roc_date)
                )
                return HttpResponseRedirect(_page(edition))
        return self._form_page(request, form, gettext("新增公告版本"), None)

    def edit_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """Change a draft's date and note, refused when someone changed it since it was read."""
        edition = get_object_or_404(Edition.objects.select_related("bulletin"), pk=object_id)
        if not has_permission(request.user, lifecycle.PREPARE):
            raise PermissionDenied
        try:
            rules_for(edition).check(request.user, Action.EDIT, comment="")
        except EditionError as error:
            messages.error(request, str(error))
            return HttpResponseRedirect(_page(edition))
        initial = {
            "date": edition.date,
            "change_note": edition.change_note,
            "version": edition.updated_at.isoformat(),
        }
        form = EditionEditForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                edition = services.update_edition(
                    edition=edition,
                    user=request.user,
                    date=form.cleaned_data["date"],
                    change_note=form.cleaned_data["change_note"],
                    expected_version=form.cleaned_data["version"],
                )
            except EditionError as error:
                form.add_error(None, str(error))
            else:
                self.log_change(
                    request, edition, [{"changed": {"fields": ["date", "change_note"]}}]
                )
                messages.success(
                    request, gettext("已儲存版本 {date}。").format(date=edition.roc_date)
                )
                return HttpResponseRedirect(_page(edition))
        title = gettext("修改版本 {date}").format(date=edition.roc_date)
        return self._form_page(request, form, title, edition)

    def _form_page(
        self, request: HttpRequest, form: forms.Form, title: str, edition: Edition | None
    ) -> HttpResponse:
        back = _page(edition) if edition else reverse("admin:publishing_edition_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "edition": edition,
            "original": edition,
            "form": form,
            "back": back,
            "title": title,
        }
        return TemplateResponse(request, "admin/publishing/edition/form.html", context)

    def transition_view(self, request: HttpRequest, object_id: int, action: str) -> HttpResponse:
        edition = get_object_or_404(Edition.objects.select_related("bulletin"), pk=object_id)
        if not self.has_view_permission(request, edition) or action not in services.TRANSITIONS:
            raise PermissionDenied
        back = _page(edition)
        step = services.STEPS[action]
        form_class = ApproveForm if action == Action.APPROVE else CommentForm
        form = form_class(
            request.POST or None,
            reason_required=step.reason_required,
            initial={"version": edition.updated_at.isoformat()},
        )
        try:
            if request.method == "POST" and form.is_valid():
                # The step asks the rules itself, of the locked row: once per request.
                self._take_step(request, edition, action, form.cleaned_data)
                return HttpResponseRedirect(back)
            rules_for(edition).check(request.user, action)
        except EditionError as error:
            messages.error(request, str(error))
            return HttpResponseRedirect(back)
        diff = services.current_diff(edition)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "edition": edition,
            "original": edition,
            "action_label": Action(action).label,
            "diff_summary": summary_text(diff),
            **_files_context(edition),
            "form": form,
            "back": back,
            "title": gettext("確認{action}版本 {date}").format(
                action=Action(action).label, date=edition.roc_date
            ),
        }
        return TemplateResponse(request, "admin/publishing/edition/transition.html", context)

    def _take_step(
        self, request: HttpRequest, edition: Edition, action: str, data: dict[str, Any]
    ) -> None:
        """Take the step; one that may run in the worker (publication) goes there, and the
        edition's page shows its progress."""
        options = {"scheduled_for": data["scheduled_for"]} if data.get("scheduled_for") else {}
        services.take_action(
            edition=edition,
            user=request.user,
            action=action,
            comment=data["comment"],
            expected_version=data["version"],
            background=True,
            **options,
        )
        if services.STEPS[action].may_run_later:
            sent = gettext("已送出版本 {date} 的公告作業；本頁會顯示進度。")
            messages.success(request, sent.format(date=edition.roc_date))
            return
        done = gettext("版本 {date} 已{action}。")
        messages.success(request, done.format(date=edition.roc_date, action=Action(action).label))


def _files_context(edition: Edition) -> dict[str, Any]:
    """The edition's files, each with its link, and whether they come from what it holds now."""
    from .rendering import source_sha256

    files = list(edition.files.all())
    source = source_sha256(edition)
    return {
        "files": [
            {
                "file": file,
                "url": reverse("admin:publishing_edition_file", args=[edition.pk, file.format]),
                "current": file.source_sha256 == source or edition.is_public,
            }
            for file in files
        ],
        "files_stale": any(f.source_sha256 != source for f in files) and not edition.is_public,
    }


def _later(job: EditionTask) -> bool:
    """A publication scheduled for later: nothing to watch until then."""
    from django.utils import timezone

    return job.run_after is not None and job.run_after > timezone.now()


def _page(edition: Edition) -> str:
    return reverse("admin:publishing_edition_change", args=[edition.pk])
