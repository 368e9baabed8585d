"""The spreadsheet round trip as services: the admin views and the commands both call these."""

import os

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import can_import
from operations import audit

from ..models import Bulletin
from ..roc import roc_date_filename
from .formats import FORMATS, FileRefused, Table, format_for
from .importer import ImportPlan, ImportRefused, SheetError, apply_plan, plan_import
from .limits import import_limits, megabytes
from .resources import export_dataset

DEFAULT_BULLETIN_SLUG = "policy-industries"


def export_bulletin(*, bulletin: Bulletin, file_format: str) -> bytes:
    """The bulletin as a file in file_format (csv, xlsx, ods or json)."""
    return FORMATS[file_format].export_data(export_dataset(bulletin))


def export_file_name(*, bulletin: Bulletin, file_format: str) -> str:
    """policy-industries-114-12-30.xlsx: the bulletin and today's date, written as in every
    file name (catalogue.roc.roc_date_filename)."""
    return f"{bulletin.slug}-{roc_date_filename(timezone.localdate())}.{file_format}"


def import_reason(file_name: str) -> str:
    """The reason every revision of an import carries: 匯入 <file name>."""
    return f"匯入 {file_name}"


def check_size(size: int) -> None:
    """Refuse a file over settings.CATALOGUE_IMPORT_MAX_BYTES before reading it."""
    limit = import_limits().max_bytes
    if size > limit:
        raise ImportRefused([SheetError(size_message(size, limit))])


def size_message(size: int | None, limit: int) -> str:
    """The refusal of a file over the size limit; size None where only "over" is known."""
    if size is None:
        return _("檔案超過 %(limit)s 的上限，請分批匯入或洽系統管理者。") % {
            "limit": megabytes(limit)
        }
    return _("檔案大小 %(size)s 超過上限 %(limit)s，請分批匯入或洽系統管理者。") % {
        "size": megabytes(size),
        "limit": megabytes(limit),
    }


def read_sheet(content: bytes, *, file_name: str) -> Table:
    """The file as a table of raw cells; ImportRefused when it is empty, too big or unreadable."""
    check_size(len(content))
    if not content.strip():
        raise ImportRefused([SheetError(_("檔案是空的。"))])
    try:
        sheet_format = format_for(file_name)[1]
        return sheet_format.read(content)
    except FileRefused as refusal:
        word = _("筆") if file_name.lower().endswith(".json") else _("列")
        raise ImportRefused(
            [SheetError(p.message, p.row, p.column, word) for p in refusal.problems]
        ) from None


def preview_import(
    *, bulletin: Bulletin, content: bytes, file_name: str, allow_delete: bool
) -> ImportPlan:
    """What importing the file would do; writes nothing."""
    table = read_sheet(content, file_name=file_name)
    # JSON holds the texts as they are; the spreadsheets hold them made inert by the export.
    escaped = format_for(file_name)[0] != "json"
    return plan_import(bulletin=bulletin, table=table, allow_delete=allow_delete, escaped=escaped)


@transaction.atomic
def import_bulletin(
    *,
    bulletin: Bulletin,
    content: bytes,
    file_name: str,
    user: object,
    allow_delete: bool,
    expected_fingerprint: str | None = None,
) -> ImportPlan:
    """Import the file into the bulletin, all or nothing; every revision names user and file.

    The user must hold the editor's catalogue permissions (accounts.roles.can_import), whoever
    calls: the admin, the command or a later API. With expected_fingerprint (from the preview
    the editor confirmed), refuse when the catalogue changed since the preview, so that what
    is applied is what was shown.
    """
    if not can_import(user, allow_delete=allow_delete):
        message = (
            _("只有具備新增、修改與刪除目錄權限的編輯可以匯入並刪除資料；未變更任何資料。")
            if allow_delete
            else _("只有編輯可以匯入彙整表；未變更任何資料。")
        )
        raise ImportRefused([SheetError(message)])
    file_name = os.path.basename(file_name)
    Bulletin.objects.select_for_update().filter(pk=bulletin.pk).first()
    plan = preview_import(
        bulletin=bulletin, content=content, file_name=file_name, allow_delete=allow_delete
    )
    if expected_fingerprint is not None and plan.fingerprint() != expected_fingerprint:
        raise ImportRefused(
            [SheetError(_("預覽之後彙整表已有其他變更，請重新上傳檔案並再次確認預覽。"))]
        )
    apply_plan(plan, user=user, reason=import_reason(file_name))
    audit.log("import", user=user, bulletin_id=bulletin.pk, file=file_name, summary=plan.summary())
    return plan


def default_bulletin(slug: str | None = None) -> Bulletin:
    """The bulletin named by slug; without one, the only bulletin, else policy-industries."""
    if slug:
        return Bulletin.objects.get(slug=slug)
    bulletins = list(Bulletin.objects.all()[:2])
    if len(bulletins) == 1:
        return bulletins[0]
    return Bulletin.objects.get(slug=DEFAULT_BULLETIN_SLUG)
