"""Prepare an install: migrations, roles, and with --demo the agency's real 114.12.30 bulletin."""

import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts.roles import APPROVERS, EDITORS
from catalogue.demo import load_bulletin, read_demo_data
from catalogue.models import Bulletin
from publishing import services, tasks
from publishing.models import Edition
from publishing.rendering import seal

# Demo accounts: (username, password, group or None for the superuser). Stated in the README.
DEMO_ACCOUNTS = (
    ("editor", "editor", EDITORS),
    ("approver", "approver", APPROVERS),
    ("admin", "admin", None),
)


class Command(BaseCommand):
    help = "準備系統：套用資料庫遷移、建立角色群組；加上 --demo 時載入 114.12.30 示範資料與帳號。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--demo",
            action="store_true",
            help="建立示範帳號 editor、approver、admin，載入並公告 114.12.30 彙整表。",
        )

    def handle(self, *args: Any, demo: bool, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        missing = {EDITORS, APPROVERS} - set(Group.objects.values_list("name", flat=True))
        if missing:
            raise CommandError(f"角色群組遺失：{'、'.join(sorted(missing))}；請檢查資料庫遷移。")
        if demo:
            self._demo()
        self.stdout.write(self.style.SUCCESS("系統已準備完成。"))

    @transaction.atomic
    def _demo(self) -> None:
        self._demo_seal()
        users = {}
        for username, password, group in DEMO_ACCOUNTS:
            users[username] = self._account(username, password, group)
        data = read_demo_data()
        bulletin, created = load_bulletin(data, user=users["admin"])
        if created:
            self.stdout.write(f"已載入示範彙整表：{bulletin.full_title}")
        else:
            self.stdout.write(f"示範彙整表已存在，未變更：{bulletin.full_title}")
        self._demo_edition(bulletin, data["edition"], users)

    def _demo_edition(
        self, bulletin: Bulletin, data: dict[str, Any], users: dict[str, Any]
    ) -> None:
        """Publish the demo bulletin's first edition as the agency would: editor, then approver."""
        if Edition.objects.for_bulletin(bulletin).exists():
            self.stdout.write("示範彙整表已有版本，未建立新版本。")
            return
        editor, approver = users["editor"], users["approver"]
        edition = services.create_edition(
            bulletin=bulletin,
            date=datetime.date.fromisoformat(data["date"]),
            user=editor,
            change_note=data["change_note"],
        )
        edition = services.submit_edition(edition=edition, user=editor)
        tasks.render_in_process(edition)  # no worker runs yet while bootstrapping
        edition = services.approve_edition(edition=edition, user=approver)
        edition = services.publish_edition(edition=edition, user=approver)
        self.stdout.write(f"已公告示範版本：{edition.roc_date}")

    def _demo_seal(self) -> None:
        """Without the agency's certificate, a self-signed demo one seals the demo's PDFs."""
        if settings.PDF_SEAL_PKCS12 or settings.PDF_SEAL_KEY or not settings.PDF_SEAL_DEMO_DIR:
            return
        folder = Path(settings.PDF_SEAL_DEMO_DIR)
        if seal.ensure_demo_certificate(folder):
            self.stdout.write(f"已建立示範用電子簽章憑證（自簽，非正式）：{folder}")
        else:
            self.stdout.write(f"沿用既有的示範用電子簽章憑證：{folder}")

    def _account(self, username: str, password: str, group: str | None) -> Any:
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is not None:
            return user
        if group is None:
            user = User.objects.create_superuser(username, f"{username}@example.invalid", password)
        else:
            user = User.objects.create_user(username, f"{username}@example.invalid", password)
            user.is_staff = True
            user.save(update_fields=["is_staff"])
            user.groups.add(Group.objects.get(name=group))
        self.stdout.write(f"已建立示範帳號 {username}")
        return user
