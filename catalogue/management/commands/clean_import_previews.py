"""Remove spreadsheet uploads whose preview was never confirmed nor cancelled.

Between the preview and the confirmation an upload waits in the default storage (the shared
MEDIA_ROOT or bucket, so any app server can confirm it) under django-import-export's folder.
An editor who closes the tab leaves it there; run this from cron, e.g. hourly.
"""

import datetime
from typing import Any

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from import_export.tmp_storages import MediaStorage

from operations import audit


def preview_folder() -> str:
    """The folder where catalogue.spreadsheet.admin keeps uploads awaiting confirmation."""
    return MediaStorage(name="").MEDIA_FOLDER


def abandoned_previews(*, older_than: datetime.timedelta) -> list[str]:
    """Names (in the default storage) of waiting uploads last written before now - older_than."""
    folder = preview_folder()
    if not default_storage.exists(folder):
        return []
    cutoff = timezone.now() - older_than
    _dirs, files = default_storage.listdir(folder)
    names = [f"{folder}/{name}" for name in files]
    return [name for name in names if default_storage.get_modified_time(name) < cutoff]


class Command(BaseCommand):
    help = "刪除超過指定時數、未確認也未取消的試算表匯入預覽檔案。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=float,
            default=24,
            metavar="HOURS",
            help="刪除幾小時以前上傳的預覽檔案（預設 24）。",
        )

    def handle(self, *args: Any, older_than: float, **options: Any) -> None:
        names = abandoned_previews(older_than=datetime.timedelta(hours=older_than))
        for name in names:
            default_storage.delete(name)
        audit.log("import_previews_cleaned", count=len(names), older_than_hours=older_than)
        self.stdout.write(f"已刪除 {len(names)} 個逾時的匯入預覽檔案。")
