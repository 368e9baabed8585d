"""Import an edited spreadsheet into a bulletin: the same checks and plan as the admin's Import."""

import os
import stat
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalogue.models import Bulletin
from catalogue.spreadsheet.importer import ImportPlan, ImportRefused
from catalogue.spreadsheet.limits import import_limits
from catalogue.spreadsheet.services import (
    check_size,
    default_bulletin,
    import_bulletin,
    preview_import,
)


class Command(BaseCommand):
    help = (
        "匯入編輯過的試算表。先檢查整個檔案，有任何問題就不寫入並列出列、欄與原因；"
        "--dry-run 只顯示將做的變更。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help="CSV、XLSX、ODS 或 JSON 檔。")
        parser.add_argument(
            "--bulletin",
            metavar="SLUG",
            help="彙整表的網址代稱；省略時為唯一的彙整表或 policy-industries。",
        )
        parser.add_argument("--dry-run", action="store_true", help="只檢查並列出變更，不寫入。")
        parser.add_argument(
            "--user", metavar="NAME", help="記入修訂歷史的使用者帳號；實際匯入時必填。"
        )
        parser.add_argument(
            "--allow-delete", action="store_true", help="刪除檔案中沒有的項目（預設保留）。"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        bulletin = self._bulletin(options["bulletin"])
        user = None if options["dry_run"] and not options["user"] else self._user(options["user"])
        try:
            content = self._read(path)
        except FileNotFoundError:
            raise CommandError(f"找不到檔案 {path}；請確認路徑與檔名。") from None
        except PermissionError:
            raise CommandError(f"沒有讀取 {path} 的權限。") from None
        except OSError as error:
            raise CommandError(f"無法讀取 {path}（系統訊息：{error.strerror}）。") from None
        except ImportRefused as refusal:
            raise CommandError(str(refusal)) from None
        arguments = {
            "bulletin": bulletin,
            "content": content,
            "file_name": path.name,
            "allow_delete": options["allow_delete"],
        }
        try:
            if options["dry_run"]:
                plan = preview_import(**arguments)
            else:
                plan = import_bulletin(**arguments, user=user)
        except ImportRefused as refusal:
            raise CommandError(
                f"未匯入，{path.name} 有 {len(refusal.errors)} 個問題：\n{refusal}"
            ) from None
        self._report(plan, dry_run=options["dry_run"])

    def _read(self, path: Path) -> bytes:
        """The file's bytes, never more than the size limit. A device or a pipe (/dev/zero)
        has no size to check and opening a pipe would wait for a writer: both are refused
        first; a file that grows between the check and the read is cut at the limit."""
        if not stat.S_ISREG(path.stat().st_mode):
            raise CommandError(f"{path} 不是一般檔案，無法匯入；請指定 CSV、XLSX、ODS 或 JSON 檔。")
        with path.open("rb") as stream:
            status = os.fstat(stream.fileno())
            if not stat.S_ISREG(status.st_mode):  # replaced since the check above
                raise CommandError(f"{path} 不是一般檔案，無法匯入。")
            check_size(status.st_size)
            content = stream.read(import_limits().max_bytes + 1)
        check_size(len(content))
        return content

    def _bulletin(self, slug: str | None) -> Bulletin:
        try:
            return default_bulletin(slug)
        except Bulletin.DoesNotExist:
            raise CommandError(f"找不到彙整表「{slug or 'policy-industries'}」。") from None

    def _user(self, username: str | None) -> Any:
        if not username:
            raise CommandError(
                "請以 --user 指定匯入者的帳號（修訂歷史需要記錄使用者），或使用 --dry-run。"
            )
        try:
            return get_user_model()._default_manager.get_by_natural_key(username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"找不到使用者「{username}」。") from None

    def _report(self, plan: ImportPlan, *, dry_run: bool) -> None:
        for note in plan.notes:
            self.stdout.write(note)
        for line in plan.summary():
            self.stdout.write(line)
        if plan.missing_labels:
            heading = (
                "檔案中沒有的項目（已刪除）："
                if plan.allow_delete
                else "檔案中沒有的項目（保留；加上 --allow-delete 才刪除）："
            )
            if dry_run and plan.allow_delete:
                heading = "檔案中沒有的項目（將刪除）："
            self.stdout.write(heading)
            for label in plan.missing_labels:
                self.stdout.write(f"  {label}")
        changes = plan.change_count
        if dry_run:
            self.stdout.write(self.style.SUCCESS(f"試行完成，未寫入：共 {changes} 項變更。"))
        elif changes:
            self.stdout.write(self.style.SUCCESS(f"匯入完成：共 {changes} 項變更。"))
        else:
            self.stdout.write(self.style.SUCCESS("匯入完成：沒有任何變更。"))
