"""The catalogue's revision history in the admin: history list, compare, revert.

Built on simple-history's SimpleHistoryAdmin, with three changes editors asked for:
the history list lets them pick two revisions to compare (as Wikipedia does), the compare
page marks changed characters, and revert restores a scope's agencies too.
"""

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import PAGE_VAR
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from ..history import revert_reason, revert_to, revision_label
from ..versioning import StaleVersion, conflict_message
from .diff import FieldChange, compare, compared_fields, display, load_m2m
from .filters import FILTER_NAMES, HistoryFilterForm
from .timeline import Entry, object_entries

TIMELINE_PAGE_VAR = "tp"


class RevertForm(forms.Form):
    """A revert is an edit like any other: it says why, and the reason goes into the history."""

    reason = forms.CharField(
        label=gettext_lazy("還原理由"),
        max_length=400,
        help_text=gettext_lazy("必填；會與還原的版本一起記錄在修訂歷史的「變更說明」中。"),
        error_messages={"required": gettext_lazy("請填寫還原理由；未還原任何資料。")},
        widget=forms.TextInput(attrs={"size": 60}),
    )
    read_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class CatalogueHistoryAdmin(SimpleHistoryAdmin):
    """Base of every catalogue ModelAdmin: revision history, compare and revert."""

    object_history_template = "admin/catalogue/object_history.html"
    compare_template = "admin/catalogue/history_compare.html"
    revision_template = "admin/catalogue/history_revision.html"
    history_list_per_page = 50
    timeline_title = ""

    def get_urls(self) -> list[URLPattern]:
        opts = self.opts
        compare = path(
            "<path:object_id>/history/compare/",
            self.admin_site.admin_view(self.compare_view),
            name=f"{opts.app_label}_{opts.model_name}_history_compare",
        )
        # Before simple-history's "<id>/history/<version>/", which would take "compare" for one.
        return [compare, *super().get_urls()]

    def get_history_timeline(self, object_id: Any) -> list[Entry] | None:
        """Revisions of the object's parts, shown below its own; None when it has no parts."""
        return None

    # Views

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        """Every revision of one object, newest first, with radio buttons to pick two to compare;
        below, the revisions of its parts. Both lists can be narrowed (filters.py)."""
        object_id = unquote(object_id)
        records = list(self._revisions(object_id))
        obj, exists = self._object_or_last_state(request, object_id, records)
        if not self.has_view_or_change_permission(request, obj if exists else None):
            raise PermissionDenied
        entries = object_entries(records)
        timeline = self.get_history_timeline(object_id)
        filters = HistoryFilterForm(
            request.GET, model=self.model, entries=[*entries, *(timeline or [])]
        )
        entries = filters.apply(entries)
        page = Paginator(entries, self.history_list_per_page).get_page(request.GET.get(PAGE_VAR))
        self._add_urls(page.object_list)
        timeline_page = None
        if timeline is not None:
            timeline = filters.apply(timeline)
            timeline_page = Paginator(timeline, self.history_list_per_page).get_page(
                request.GET.get(TIMELINE_PAGE_VAR)
            )
            self._add_urls(timeline_page.object_list)
        context = {
            **self._context(request, obj, exists),
            "title": _("修訂歷史：%(object)s") % {"object": _label(obj)},
            "page_obj": page,
            "page_var": PAGE_VAR,
            "timeline_page": timeline_page,
            "timeline_page_var": TIMELINE_PAGE_VAR,
            "timeline_title": self.timeline_title,
            "compare_url": reverse(self._url_name("history_compare"), args=[object_id]),
            "filters": filters,
            "filter_query": urlencode(
                {name: request.GET[name] for name in FILTER_NAMES if request.GET.get(name)}
            ),
            **(extra_context or {}),
        }
        return TemplateResponse(request, self.object_history_template, context)

    def compare_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Field-level differences between two revisions of one object (?old=…&new=…)."""
        object_id = unquote(object_id)
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied  # before anything that tells what exists
        wanted = [request.GET.get("old", ""), request.GET.get("new", "")]
        if not all(value.isdigit() for value in wanted):
            raise Http404(_("請選擇兩個版本進行比較。"))
        records = list(self._revisions(object_id, related=True).filter(history_id__in=wanted))
        if len(records) != 2:
            messages.error(request, _("請選擇兩個不同的版本進行比較。"))
            return HttpResponseRedirect(reverse(self._url_name("history"), args=[object_id]))
        newer, older = records  # newest first
        obj, exists = self._object_or_last_state(request, object_id, records)
        if not self.has_view_or_change_permission(request, obj if exists else None):
            raise PermissionDenied
        load_m2m(records)
        context = {
            **self._context(request, obj, exists),
            "title": _("比較版本：%(object)s") % {"object": _label(obj)},
            "older": older,
            "newer": newer,
            "older_url": self._revision_url(older),
            "newer_url": self._revision_url(newer),
            "changes": compare(older, newer),
        }
        return TemplateResponse(request, self.compare_template, context)

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict | None = None,
    ) -> HttpResponse:
        """One revision in full, what reverting to it would change, and (for editors) the revert."""
        object_id = unquote(object_id)
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied  # before anything that tells what exists
        if not version_id.isdigit():
            raise Http404
        records = list(self._revisions(object_id, related=True))
        record = next((r for r in records if r.history_id == int(version_id)), None)
        if record is None:
            raise Http404(_("找不到這個版本。"))
        obj, exists = self._object_or_last_state(request, object_id, records)
        if not self.has_view_or_change_permission(request, obj if exists else None):
            raise PermissionDenied
        can_revert = self._can_revert(request, obj, exists)
        latest = records[0]
        load_m2m([record, latest] if latest is not record else [record])
        unchanged = exists and latest.history_type != "-" and not compare(latest, record)
        errors: list[str] = []
        posted = request.method == "POST"
        form = RevertForm(
            request.POST if posted else None,
            initial={"read_version": obj.version if exists else None},
        )
        if posted:
            if not can_revert:
                raise PermissionDenied
            if not unchanged and form.is_valid():
                read_version = form.cleaned_data["read_version"]
                reason = revert_reason(record, form.cleaned_data["reason"].strip())
                try:
                    if exists and read_version is None:
                        raise ValidationError(
                            _("表單缺少讀取時的版本號，未還原；請重新載入頁面後再還原。")
                        )
                    restored = revert_to(
                        record, user=request.user, reason=reason, read_version=read_version
                    )
                except StaleVersion:
                    errors = [conflict_message(obj, read_version)]
                except ValidationError as error:
                    errors = error.messages
                else:
                    message = _("已還原至 %(label)s 版本。") % {"label": revision_label(record)}
                    self.log_change(request, restored, message)
                    messages.success(request, message)
                    return HttpResponseRedirect(
                        reverse(self._url_name("history"), args=[object_id])
                    )
        changes: list[FieldChange] = []
        if latest is not record:
            changes = compare(latest, record) if latest.history_type != "-" else []
        context = {
            **self._context(request, obj, exists),
            "title": _("版本 %(label)s：%(object)s")
            % {"label": revision_label(record), "object": _label(obj)},
            "record": record,
            "values": self._values(record),
            "changes": changes,
            "latest": latest,
            "is_latest": latest is record,
            "unchanged": unchanged,
            "can_revert": can_revert and not unchanged,
            "form": form,
            "errors": errors,
            **(extra_context or {}),
        }
        return TemplateResponse(request, self.revision_template, context)

    # Helpers

    def _revisions(self, object_id: Any, *, related: bool = False) -> models.QuerySet:
        """The object's revisions, newest first; with related=True, joined to what they name."""
        queryset = self.model.history.filter(id=object_id).select_related("history_user")
        if related:
            # What each revision names (its programme, scope, issuing agency) in one query.
            queryset = queryset.select_related(
                *(f.name for f in compared_fields(self.model) if f.many_to_one)
            )
        return queryset.order_by("-history_date", "-history_id")

    def _object_or_last_state(
        self, request: HttpRequest, object_id: Any, records: list[Any]
    ) -> tuple[models.Model, bool]:
        """The live object and True, or for a deleted one its last recorded state and False."""
        obj = self.get_queryset(request).filter(pk=object_id).first()
        if obj is not None:
            return obj, True
        if not records:
            raise Http404(_("找不到這筆資料或它的修訂歷史。"))
        latest = max(records, key=lambda r: (r.history_date, r.history_id))
        return latest.instance, False

    def _can_revert(self, request: HttpRequest, obj: models.Model, exists: bool) -> bool:
        if exists:
            return self.has_change_permission(request, obj)
        return self.has_add_permission(request)

    def _context(self, request: HttpRequest, obj: models.Model, exists: bool) -> dict[str, Any]:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "module_name": capfirst(str(self.opts.verbose_name_plural)),
            "object": obj,
            "object_exists": exists,
            "history_url": reverse(self._url_name("history"), args=[obj.pk]),
            "change_url": reverse(self._url_name("change"), args=[obj.pk]) if exists else "",
        }

    def _values(self, record: Any) -> list[tuple[str, str]]:
        """(label, value) of every field of a revision, agencies included."""
        values = [(str(f.verbose_name), display(record, f)) for f in compared_fields(self.model)]
        for name, related in getattr(record, "_catalogue_m2m", {}).items():
            label = str(self.model._meta.get_field(name).verbose_name)
            values.append((label, "、".join(related.values())))
        return values

    def _url_name(self, view: str, model: type[models.Model] | None = None) -> str:
        opts = (model or self.model)._meta
        return f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_{view}"

    def _revision_url(self, record: Any) -> str:
        return reverse(
            self._url_name("simple_history", record.instance_type),
            args=[record.id, record.history_id],
        )

    def _add_urls(self, entries: list[Entry]) -> None:
        """Links of each listed revision: its object's history, the revision, the comparison."""
        for entry in entries:
            entry.history_url = reverse(  # type: ignore[attr-defined]
                self._url_name("history", entry.model), args=[entry.object_id]
            )
            entry.revision_url = self._revision_url(entry.record)  # type: ignore[attr-defined]
            entry.compare_url = ""  # type: ignore[attr-defined]
            if entry.previous is not None:
                query = urlencode(
                    {"old": entry.previous.history_id, "new": entry.record.history_id}
                )
                entry.compare_url = (  # type: ignore[attr-defined]
                    reverse(self._url_name("history_compare", entry.model), args=[entry.object_id])
                    + "?"
                    + query
                )


def _label(obj: models.Model) -> str:
    """str(obj), or its kind and id when what its name needs was deleted with it."""
    try:
        return str(obj)
    except models.ObjectDoesNotExist:
        return f"{obj._meta.verbose_name} #{obj.pk}"
