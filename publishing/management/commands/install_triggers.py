"""Install the PostgreSQL triggers that publishing/triggers.py generates.

    manage.py install_triggers                  # the default database
    manage.py install_triggers --database other

`migrate` does the same at its end; this is for an operator who finds, with
`manage.py check --database default`, a trigger that was changed, disabled or dropped by hand.
Only what differs is replaced, so running it again changes nothing.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from publishing import triggers


class Command(BaseCommand):
    help = "安裝 PostgreSQL 觸發程序（publishing/triggers.py 產生的內容），只更新不同的部分。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="資料庫別名（預設 default）。"
        )

    def handle(self, *args: Any, database: str, **options: Any) -> None:
        connection = connections[database]
        if connection.vendor != "postgresql":
            self.stdout.write("這個資料庫不是 PostgreSQL，沒有觸發程序需要安裝。")
            return
        if not triggers.schema_is_current(connection):
            raise CommandError(
                "資料庫尚有未套用的遷移，請先執行 manage.py migrate（結束時會安裝觸發程序）。"
            )
        changed = triggers.install(connection)
        if changed:
            self.stdout.write(self.style.SUCCESS(f"已更新觸發程序：{'、'.join(changed)}"))
        else:
            self.stdout.write("觸發程序都與程式產生的相同，未變更。")
