"""Admin integration of the spreadsheet round trip: the Import and Export buttons.

The programme list gets two buttons. Export downloads the whole bulletin as CSV, XLSX, ODS
or JSON. Import uploads an edited file, shows a preview (rows created, changed with the
changed cells marked, and what the file no longer has) and applies it only when the editor
confirms. Between the two steps the file waits in django-import-export's MediaStorage, under
a random name that only the editor's session knows.
"""

import re
from typing import Any
from uuid import uuid4

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST
from import_export.tmp_storages import MediaStorage

from accounts.roles import can_import

from ..models import Bulletin
from .formats import FORMATS
from .importer import ImportPlan, ImportRefused, SheetError
from .limits import import_limits
from .resources import ScopeSheetResource, export_rows
from .services import (
    check_size,
    export_bulletin,
    export_file_name,
    import_bulletin,
    preview_import,
    size_message,
)
from .uploads import LimitedUploadHandler
from .writers import iter_csv

SESSION_KEY = "catalogue_spreadsheet_imports"
_TOKEN = re.compile(r"[0-9a-f]{32}")

FORMAT_CHOICES = (
    ("xlsx", gettext_lazy("Excel 活頁簿（.xlsx）")),
    ("ods", gettext_lazy("LibreOffice / OpenDocument 試算表（.ods）")),
    ("csv", gettext_lazy("CSV，UTF-8 編碼（.csv）")),
    ("json", gettext_lazy("JSON（.json）")),
)


def _bulletin_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=Bulletin.objects.order_by("title"), label=gettext_lazy("彙整表"), empty_label=None
    )


class ExportForm(forms.Form):
    bulletin = _bulletin_field()
    file_format = forms.ChoiceField(
        label=gettext_lazy("檔案格式"),
        choices=FORMAT_CHOICES,
        initial="xlsx",
        widget=forms.RadioSelect,
    )


class ImportForm(forms.Form):
    bulletin = _bulletin_field()
    file = forms.FileField(
        label=gettext_lazy("檔案"),
        help_text=gettext_lazy("由「匯出」下載、編輯後的 CSV、XLSX、ODS 或 JSON 檔。"),
    )
    allow_delete = forms.BooleanField(
        label=gettext_lazy("刪除檔案中沒有的項目"),
        required=False,
        help_text=gettext_lazy(
            "未勾選時，檔案中沒有的政策性產業、產業範疇、推動目標、推動策略與段落都會保留；"
            "勾選後才會刪除。預覽會先列出這些項目。"
        ),
    )


class ConfirmForm(forms.Form):
    token = forms.RegexField(regex=_TOKEN, widget=forms.HiddenInput)
    fingerprint = forms.RegexField(regex=r"[0-9a-f]{64}", widget=forms.HiddenInput)


class SpreadsheetAdminMixin:
    """Adds the Import and Export buttons to the programme list."""

    change_list_template = "admin/catalogue/spreadsheet/change_list.html"
    spreadsheet_export_template = "admin/catalogue/spreadsheet/export.html"
    spreadsheet_import_template = "admin/catalogue/spreadsheet/import.html"
    spreadsheet_preview_template = "admin/catalogue/spreadsheet/preview.html"

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view  # type: ignore[attr-defined]
        name = f"{self.opts.app_label}_{self.opts.model_name}_spreadsheet"  # type: ignore[attr-defined]
        return [
            path("export/", wrap(self.spreadsheet_export_view), name=f"{name}_export"),
            # CSRF is checked inside the view, once the upload's size limit is in place.
            path("import/", wrap(csrf_exempt(self.spreadsheet_import_view)), name=f"{name}_import"),
            path(
                "import/confirm/",
                wrap(require_POST(self.spreadsheet_confirm_view)),
                name=f"{name}_confirm",
            ),
            *super().get_urls(),  # type: ignore[misc]
        ]

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        extra_context = {
            "has_spreadsheet_export_permission": self.has_spreadsheet_export_permission(request),
            "has_spreadsheet_import_permission": self.has_spreadsheet_import_permission(request),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)  # type: ignore[misc]

    # Permissions

    def has_spreadsheet_export_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)  # type: ignore[attr-defined]

    def has_spreadsheet_import_permission(
        self, request: HttpRequest, *, delete: bool = False
    ) -> bool:
        return can_import(request.user, allow_delete=delete)

    # Views

    def spreadsheet_export_view(self, request: HttpRequest) -> HttpResponseBase:
        if not self.has_spreadsheet_export_permission(request):
            raise PermissionDenied
        form = ExportForm(request.GET or None, initial={"bulletin": Bulletin.objects.first()})
        if form.is_valid():
            bulletin = form.cleaned_data["bulletin"]
            file_format = form.cleaned_data["file_format"]
            content_type = FORMATS[file_format].get_content_type()
            if file_format == "csv":
                # A line at a time: a 2,000-row sheet starts downloading at once.
                headers, rows = export_rows(bulletin)
                response: HttpResponseBase = StreamingHttpResponse(
                    iter_csv(headers, rows), content_type=content_type
                )
            else:  # a zip is whole before its first byte is of use
                response = HttpResponse(
                    export_bulletin(bulletin=bulletin, file_format=file_format),
                    content_type=content_type,
                )
            name = export_file_name(bulletin=bulletin, file_format=file_format)
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        context = {"form": form, "id_column": ScopeSheetResource().column("id")}
        return self._render(request, self.spreadsheet_export_template, context)

    def spreadsheet_import_view(self, request: HttpRequest) -> HttpResponse:
        """Stop an upload as soon as it passes the size limit, before any of it is stored.

        The limiting handler must be in place before the body is read, and the CSRF check
        reads it: hence csrf_exempt on the URL and csrf_protect on the body of the view."""
        limit = import_limits().max_bytes
        handler = LimitedUploadHandler(request, limit=limit)
        request.upload_handlers.insert(0, handler)
        return csrf_protect(self._spreadsheet_import)(request, handler)

    def _spreadsheet_import(
        self, request: HttpRequest, handler: LimitedUploadHandler
    ) -> HttpResponse:
        if not self.has_spreadsheet_import_permission(request):
            raise PermissionDenied
        errors: list[SheetError] = []
        if request.method != "POST":
            form = ImportForm(initial={"bulletin": Bulletin.objects.first()})
            return self._render(request, self.spreadsheet_import_template, {"form": form})
        form = ImportForm(request.POST, request.FILES)
        if handler.passed:
            form = ImportForm(initial={"bulletin": request.POST.get("bulletin")})
            errors = [SheetError(size_message(None, handler.limit))]
        elif form.is_valid():
            data = form.cleaned_data
            if data["allow_delete"] and not self.has_spreadsheet_import_permission(
                request, delete=True
            ):
                raise PermissionDenied
            upload = data["file"]
            try:
                check_size(upload.size)
                content = upload.read()
                plan = preview_import(
                    bulletin=data["bulletin"],
                    content=content,
                    file_name=upload.name,
                    allow_delete=data["allow_delete"],
                )
            except ImportRefused as refusal:
                errors = refusal.errors
            else:
                token = self._keep_upload(request, content, upload.name, data)
                return self._render_preview(request, plan, upload.name, token)
        context = {"form": form, "errors": errors}
        return self._render(request, self.spreadsheet_import_template, context)

    def spreadsheet_confirm_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_spreadsheet_import_permission(request):
            raise PermissionDenied
        form = ConfirmForm(request.POST)
        pending = request.session.get(SESSION_KEY, {})
        import_url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_spreadsheet_import"
        )  # type: ignore[attr-defined]
        if not form.is_valid() or form.cleaned_data["token"] not in pending:
            messages.error(
                request, _("找不到這次匯入的預覽，可能已經確認過或已過期；請重新上傳檔案。")
            )
            return HttpResponseRedirect(import_url)
        token = form.cleaned_data["token"]
        upload = pending[token]
        if upload["allow_delete"] and not self.has_spreadsheet_import_permission(
            request, delete=True
        ):
            raise PermissionDenied
        storage = MediaStorage(name=token)
        try:
            plan = import_bulletin(
                bulletin=Bulletin.objects.get(pk=upload["bulletin"]),
                content=storage.read(),
                file_name=upload["file_name"],
                user=request.user,
                allow_delete=upload["allow_delete"],
                expected_fingerprint=form.cleaned_data["fingerprint"],
            )
        except ImportRefused as refusal:
            context = {
                "form": ImportForm(initial={"bulletin": upload["bulletin"]}),
                "errors": refusal.errors,
            }
            return self._render(request, self.spreadsheet_import_template, context)
        finally:
            self._forget_upload(request, token, storage)
        messages.success(
            request,
            _("已匯入「%(name)s」：%(summary)s")
            % {"name": upload["file_name"], "summary": "；".join(plan.summary())},
        )
        changelist = f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"  # type: ignore[attr-defined]
        return HttpResponseRedirect(reverse(changelist))

    # Helpers

    def _keep_upload(
        self, request: HttpRequest, content: bytes, file_name: str, data: dict[str, Any]
    ) -> str:
        token = uuid4().hex
        MediaStorage(name=token).save(content)
        pending = request.session.get(SESSION_KEY, {})
        pending[token] = {
            "file_name": file_name,
            "bulletin": data["bulletin"].pk,
            "allow_delete": data["allow_delete"],
        }
        request.session[SESSION_KEY] = pending
        return token

    def _forget_upload(self, request: HttpRequest, token: str, storage: MediaStorage) -> None:
        pending = request.session.get(SESSION_KEY, {})
        pending.pop(token, None)
        request.session[SESSION_KEY] = pending
        try:
            storage.remove()
        except OSError:
            pass  # already gone; nothing to clean

    def _render_preview(
        self, request: HttpRequest, plan: ImportPlan, file_name: str, token: str
    ) -> HttpResponse:
        context = {
            "plan": plan,
            "file_name": file_name,
            "headers": [cell.column for cell in plan.rows[0].cells] if plan.rows else [],
            "confirm_form": ConfirmForm(
                initial={"token": token, "fingerprint": plan.fingerprint()}
            ),
            "changed_rows": [row for row in plan.rows if row.action != "unchanged"],
            "unchanged_rows": [row for row in plan.rows if row.action == "unchanged"],
            "counts": {
                action: sum(1 for row in plan.rows if row.action == action)
                for action in ("create", "change", "unchanged")
            },
        }
        return self._render(request, self.spreadsheet_preview_template, context)

    def _render(self, request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
        titles = {
            self.spreadsheet_export_template: _("匯出試算表"),
            self.spreadsheet_import_template: _("匯入試算表"),
            self.spreadsheet_preview_template: _("匯入預覽"),
        }
        context = {
            **self.admin_site.each_context(request),  # type: ignore[attr-defined]
            "opts": self.opts,  # type: ignore[attr-defined]
            "title": titles[template],
            **context,
        }
        return TemplateResponse(request, template, context)
