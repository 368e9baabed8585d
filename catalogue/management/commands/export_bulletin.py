"""Export a bulletin as the editors' spreadsheet: the same file as the admin's Export button."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalogue.models import Bulletin
from catalogue.spreadsheet.formats import FORMATS
from catalogue.spreadsheet.services import default_bulletin, export_bulletin


class Command(BaseCommand):
    help = "將彙整表匯出為試算表（CSV、XLSX、ODS 或 JSON），每個產業範疇一列。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bulletin",
            metavar="SLUG",
            help="彙整表的網址代稱；省略時為唯一的彙整表或 policy-industries。",
        )
        parser.add_argument("--format", choices=sorted(FORMATS), required=True, help="檔案格式。")
        parser.add_argument("-o", "--output", required=True, metavar="FILE", help="輸出檔案路徑。")

    def handle(
        self, *args: Any, bulletin: str | None, format: str, output: str, **options: Any
    ) -> None:
        try:
            target = default_bulletin(bulletin)
        except Bulletin.DoesNotExist:
            raise CommandError(f"找不到彙整表「{bulletin or 'policy-industries'}」。") from None
        data = export_bulletin(bulletin=target, file_format=format)
        try:
            Path(output).write_bytes(data)
        except OSError as error:
            raise CommandError(f"無法寫入 {output}：{error.strerror}") from None
        self.stdout.write(
            self.style.SUCCESS(f"已將「{target}」匯出至 {output}（{len(data)} 位元組）。")
        )
