"""A bulletin N times the 114.12.30 one, for benchmarks (bench/README.md).

manage.py synth_bulletin --scale 100 --slug bench-100 --seed 1
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalogue.models import Programme, Scope
from catalogue.synth import synth_bulletin


class Command(BaseCommand):
    help = "產生合成彙整表（效能量測用）：114.12.30 彙整表的 N 倍，同一種子產生相同內容。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=int, required=True, help="倍數（1 以上）。")
        parser.add_argument("--slug", required=True, help="新彙整表的網址代稱，不可與既有重複。")
        parser.add_argument("--seed", type=int, default=0, help="亂數種子（預設 0）。")
        parser.add_argument("--user", help="記錄於修訂歷程的帳號（預設：系統）。")

    def handle(self, *args: Any, scale: int, slug: str, seed: int, **options: Any) -> None:
        user = None
        if options.get("user"):
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"找不到帳號「{options['user']}」。")
        try:
            bulletin = synth_bulletin(scale=scale, slug=slug, seed=seed, user=user)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        programmes = Programme.objects.filter(bulletin=bulletin).count()
        scopes = Scope.objects.filter(programme__bulletin=bulletin).count()
        self.stdout.write(
            self.style.SUCCESS(
                f"已建立彙整表「{bulletin.slug}」：{programmes} 項政策性產業、{scopes} 個產業範疇。"
            )
        )
