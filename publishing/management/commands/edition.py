"""Editions from the command line, through the same services as the admin.

    manage.py edition create --bulletin policy-industries --date 2026-03-31 --user editor
    manage.py edition submit 7 --user editor
    manage.py edition recall 7 --user editor --reason "日期有誤"
    manage.py edition approve 7 --user approver --comment "已確認"
    manage.py edition approve 7 --user approver --at "2026-04-01 09:00"   # 預定公告時間
    manage.py edition unschedule 7 --user approver                       # 取消預定公告
    manage.py edition publish 7 --user approver
    manage.py edition diff 7
    manage.py edition list
    manage.py edition verify --all         # every public edition: hashes, chain and files
    manage.py edition verify 7             # edition 7 and every edition before it

`submit` renders the edition's files in this process once submitted, and `publish` runs the
publication in this process (no worker needed) and returns once the edition
is published or refused; the admin's publish button hands the same step to the worker instead.
A scheduled publication (`approve --at`) is published by a `db_worker` at that moment.

A refused step exits non-zero with the reason in Traditional Chinese; so does `verify` when
anything stored differs from what was published (each difference on its own line).
"""

import datetime
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext

from catalogue.models import Bulletin
from catalogue.roc import RocDateError, parse_roc_date, roc_datetime_short
from publishing import services, tasks
from publishing.diff import diff_as_text
from publishing.exceptions import EditionError
from publishing.integrity import chain_of, verify_editions
from publishing.models import Edition, EditionTransition

Action = EditionTransition.Action
LIST_COLUMNS = (
    "pk",
    "date",
    "status",
    "published_at",
    "bulletin__slug",
    "prepared_by__username",
)


class Command(BaseCommand):
    help = "管理公告版本：建立、送審、撤回送審、核定、退回、公告、撤回、比較差異與列出版本。"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

        create = actions.add_parser("create", help="從目前的目錄建立新版本草稿。")
        create.add_argument("--bulletin", required=True, help="彙整表網址代稱（slug）。")
        create.add_argument(
            "--date",
            required=True,
            help="版本日期：民國日期 115.12.01 或 1151201，或西元 2026-12-01。",
        )
        create.add_argument("--user", required=True, help="執行者帳號。")
        create.add_argument("--note", default="", help="本版異動說明。")

        for action in services.TRANSITIONS:
            step = actions.add_parser(action, help=str(Action(action).label))
            step.add_argument("id", type=int, help="版本編號。")
            step.add_argument("--user", required=True, help="執行者帳號。")
            required = services.STEPS[action].reason_required
            step.add_argument(
                "--comment",
                "--reason",
                dest="comment",
                default="",
                required=required,
                help="理由（必填）。" if required else "說明。",
            )
            if action == Action.APPROVE:
                step.add_argument(
                    "--at",
                    default=None,
                    help="預定公告時間（當地時間）：YYYY-MM-DD HH:MM；屆時由背景工作以核定人公告。",
                )

        diff = actions.add_parser("diff", help="顯示與前一公告版本的差異。")
        diff.add_argument("id", type=int, help="版本編號。")

        listing = actions.add_parser("list", help="列出所有版本。")
        listing.add_argument("--bulletin", help="只列出這份彙整表的版本。")

        verify = actions.add_parser(
            "verify",
            help="核對公告版本：內容 SHA-256、前一版本鏈結與每個檔案的大小及 SHA-256。",
        )
        which = verify.add_mutually_exclusive_group(required=True)
        which.add_argument("id", type=int, nargs="?", help="版本編號（連同它之前的每個公告版本）。")
        which.add_argument("--all", action="store_true", help="所有公告版本。")

        render = actions.add_parser("render", help="將版本輸出為公告檔案（與公告時相同）。")
        render.add_argument("id", type=int, help="版本編號。")
        render.add_argument("--out", required=True, type=Path, help="輸出資料夾。")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        try:
            if action == "create":
                self._create(**options)
            elif action == "diff":
                self.stdout.write(diff_as_text(services.current_diff(_edition(options["id"]))))
            elif action == "list":
                self._list(options.get("bulletin"))
            elif action == "verify":
                self._verify(options.get("id"))
            elif action == "render":
                self._render(_edition(options["id"]), options["out"])
            elif action == Action.APPROVE and options.get("at"):
                edition = services.take_action(
                    edition=_edition(options["id"]),
                    user=_user(options["user"]),
                    action=action,
                    comment=options["comment"],
                    scheduled_for=_moment(options["at"]),
                )
                self.stdout.write(
                    gettext("版本 {pk}（{date}）：已核定，預定於 {when} 公告。").format(
                        pk=edition.pk,
                        date=edition.roc_date,
                        when=roc_datetime_short(edition.scheduled_for),
                    )
                )
                return
            else:
                edition = services.take_action(
                    edition=_edition(options["id"]),
                    user=_user(options["user"]),
                    action=action,
                    comment=options["comment"],
                )
                if action == Action.SUBMIT:
                    tasks.render_in_process(edition)
                self.stdout.write(
                    gettext("版本 {pk}（{date}）：{action}完成，目前狀態為「{status}」。").format(
                        pk=edition.pk,
                        date=edition.roc_date,
                        action=Action(action).label,
                        status=edition.get_status_display(),
                    )
                )
        except EditionError as error:
            raise CommandError(str(error)) from error

    def _create(self, *, bulletin: str, date: str, user: str, note: str, **_: Any) -> None:
        found = Bulletin.objects.filter(slug=bulletin).first()
        if found is None:
            raise CommandError(
                gettext("找不到網址代稱為「{slug}」的彙整表。").format(slug=bulletin)
            )
        edition = services.create_edition(
            bulletin=found, date=_date(date), user=_user(user), change_note=note
        )
        self.stdout.write(gettext("已建立 {date} 版本草稿，編號：").format(date=edition.roc_date))
        self.stdout.write(str(edition.pk))

    def _list(self, bulletin: str | None) -> None:
        # Only the columns shown: listing costs the same whatever the size of the snapshots.
        editions = (
            Edition.objects.select_related("bulletin", "prepared_by")
            .only(*LIST_COLUMNS)
            .newest_first()
        )
        if bulletin:
            editions = editions.filter(bulletin__slug=bulletin)
        for edition in editions:
            published = roc_datetime_short(edition.published_at) if edition.published_at else "-"
            self.stdout.write(
                f"{edition.pk}\t{edition.roc_date}\t{edition.get_status_display()}\t"
                f"{edition.bulletin.slug}\t{edition.prepared_by.get_username()}\t{published}"
            )

    def _verify(self, pk: int | None) -> None:
        editions = Edition.objects.public().select_related("bulletin", "previous")
        if pk is None:
            chosen = list(editions.order_by("bulletin_id", "date", "pk"))
        else:
            edition = _edition(pk)
            if not edition.is_public:
                raise CommandError(
                    gettext("版本 {pk} 尚未公告，沒有可核對的公告內容。").format(pk=pk)
                )
            chosen = list(reversed(chain_of(edition)))
        problems = 0
        for edition, found in verify_editions(chosen):
            label = f"{edition.pk}\t{edition.bulletin.slug}\t{edition.roc_date}"
            if not found:
                self.stdout.write(f"{label}\t" + gettext("正確"))
            for problem in found:
                self.stdout.write(f"{label}\t" + gettext("不符：") + problem)
            problems += len(found)
        if problems:
            raise CommandError(
                gettext("核對 {count} 個公告版本，發現 {problems} 處不符。").format(
                    count=len(chosen), problems=problems
                )
            )
        self.stdout.write(
            gettext("核對 {count} 個公告版本，全部與公告時相同。").format(count=len(chosen))
        )

    def _render(self, edition: Edition, out: Path) -> None:
        from publishing.rendering import write_edition_files

        for path in write_edition_files(edition, out):
            self.stdout.write(str(path))


def _edition(pk: int) -> Edition:
    edition = Edition.objects.select_related("bulletin").filter(pk=pk).first()
    if edition is None:
        raise CommandError(gettext("找不到編號 {pk} 的版本。").format(pk=pk))
    return edition


def _user(username: str) -> Any:
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(gettext("找不到帳號「{username}」。").format(username=username))
    return user


def _moment(text: str) -> datetime.datetime:
    """2026-04-01 09:00 in the agency's time zone."""
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError as error:
        raise CommandError(
            gettext("無法辨識時間「{text}」：請用 YYYY-MM-DD HH:MM。").format(text=text)
        ) from error
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _date(text: str) -> datetime.date:
    try:
        return parse_roc_date(text)
    except RocDateError as error:
        raise CommandError(str(error)) from error
