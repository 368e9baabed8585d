"""Pages of the admin site that belong to no model: one's notification setting, and what changed
in a bulletin's catalogue since its last public edition (publishing.admin_site wires them)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext

from catalogue.models import Bulletin

from .authorship import attach_revisions
from .dashboard import CATALOGUE_VIEW_PERMISSION
from .diff import diff_snapshots, marked_changes, summary_text
from .models import Edition, NotificationSetting
from .snapshot import build_snapshot


class NotificationSettingForm(forms.ModelForm):
    class Meta:
        model = NotificationSetting
        fields = ("email_enabled",)


def notification_settings(request: HttpRequest) -> HttpResponse:
    """Each person turns their own e-mail on or off; nobody else's."""
    setting = NotificationSetting.objects.filter(user=request.user).first()
    setting = setting or NotificationSetting(user=request.user)
    # An unticked box sends nothing: an empty POST is still a submitted form.
    data = request.POST if request.method == "POST" else None
    form = NotificationSettingForm(data, instance=setting)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, gettext("已儲存通知設定。"))
        return HttpResponseRedirect(reverse("admin:notification_settings"))
    context = {
        **admin.site.each_context(request),
        "title": gettext("通知設定"),
        "form": form,
        "has_email": bool(request.user.email),
    }
    return TemplateResponse(request, "admin/publishing/notification_settings.html", context)


def catalogue_changes(request: HttpRequest, bulletin_id: int) -> HttpResponse:
    """The catalogue as it is now against the bulletin's last public edition, without an edition.

    The same diff the next edition would carry (it chains to that edition), built as a
    snapshot is built, and nothing saved. Its queries do not grow with the catalogue: the
    snapshot's are fixed, and the revisions behind the changes take one query per kind of row.
    """
    if not request.user.has_perm(CATALOGUE_VIEW_PERMISSION):
        raise PermissionDenied
    bulletin = get_object_or_404(Bulletin.objects.select_related("issuing_agency"), pk=bulletin_id)
    previous = Edition.objects.latest_public(bulletin)
    now = build_snapshot(bulletin)
    diff = diff_snapshots(previous.snapshot if previous else None, now)
    diff = attach_revisions(diff, edition=None, previous=previous, snapshot=now)
    context: dict[str, Any] = {
        **admin.site.each_context(request),
        "title": gettext("{bulletin}：尚未公告的目錄異動").format(bulletin=bulletin.title),
        "bulletin": bulletin,
        "previous": previous,
        "diff": diff,
        "diff_summary": summary_text(diff),
        "diff_changes": marked_changes(diff),
    }
    return TemplateResponse(request, "admin/publishing/catalogue_changes.html", context)
