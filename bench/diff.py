"""Time the character diff on long texts, and a draft edition's admin page (run by hand).

    .venv/bin/python bench/diff.py                 # 1 MB texts; the page at 100× the bulletin
    .venv/bin/python bench/diff.py --scale 10 --size 100000

The draft's admin page diffs the draft against the edition in force on every view, so it is
timed with one scope's description grown to --size characters and then edited. It builds its
own in-memory SQLite database (migrate + the demo data repeated --scale times, published once),
so it never touches yours; publishing 100× renders a ~570-page PDF first (about half a minute).
"""

import argparse
import datetime
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ["DATABASE_URL"] = "sqlite://:memory:"

WORDS = "半導體、人工智慧、資安、通訊、生技醫藥、國防、無人機、綠能、晶圓代工、先進封裝".split("、")


def seconds(step: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = step()
    return time.perf_counter() - started, result


def long_text(size: int, *, lines: bool, seed: int = 1) -> str:
    """Chinese-looking text of `size` characters, in lines of ~60 or as one paragraph."""
    pick = random.Random(seed).choice
    parts: list[str] = []
    length = 0
    while length < size:
        sentence = "推動" + "及".join(pick(WORDS) for _ in range(4)) + "產業發展。"
        if lines and len(parts) % 3 == 2:
            sentence += "\n"
        parts.append(sentence)
        length += len(sentence)
    return "".join(parts)[:size]


def edited(text: str, *, every: int, seed: int = 2) -> str:
    """text with a word replaced about every `every` characters: a scattered revision."""
    rng = random.Random(seed)
    chars = list(text)
    for place in range(every // 2, len(chars) - 4, every):
        chars[place : place + 2] = list(rng.choice(WORDS)[:2])
    return "".join(chars)


def scaled_data(data: dict[str, Any], times: int) -> dict[str, Any]:
    programmes = []
    for _copy in range(times):
        for row in data["programmes"]:
            programmes.append({**row, "serial": len(programmes) + 1})
    return {**data, "programmes": programmes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100, help="repeat the bulletin this often")
    parser.add_argument("--size", type=int, default=1_000_000, help="characters per long text")
    options = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse
    from django.utils import translation

    call_command("migrate", verbosity=0)
    translation.activate("zh-hant")

    from accounts.roles import APPROVERS, EDITORS
    from catalogue.demo import load_bulletin, read_demo_data
    from catalogue.history import attribute
    from catalogue.models import Scope
    from catalogue.textdiff import text_segments
    from publishing import services
    from publishing.diff import diff_snapshots

    print(f"text diff, {options.size:,} characters each side")
    for label, lines in (("in lines", True), ("one paragraph", False)):
        old = long_text(options.size, lines=lines)
        for every in (50_000, 500):
            new = edited(old, every=every)
            took, segments = seconds(lambda old=old, new=new: text_segments(old, new))
            changed = sum(len(t) for tag, t in segments if tag != "equal")
            print(
                f"  {label:14} edit every {every:>6,} chars: {took:6.2f} s, "
                f"{len(segments):>6,} segments, {changed:>9,} chars marked"
            )

    from django.contrib.auth import get_user_model

    users = get_user_model()
    editor = users.objects.create_user("bench-editor", is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS))
    approver = users.objects.create_user("bench-approver", is_staff=True)
    approver.groups.add(Group.objects.get(name=APPROVERS))
    took, (bulletin, _) = seconds(
        lambda: load_bulletin(scaled_data(read_demo_data(), options.scale), user=None)
    )
    print(f"load the bulletin ×{options.scale}: {took:.1f} s")
    scope = Scope.objects.filter(programme__bulletin=bulletin).order_by("pk").first()
    scope.description = long_text(options.size, lines=False)
    attribute(scope, user=editor, reason="bench")
    scope.save()

    def publish() -> Any:
        edition = services.create_edition(
            bulletin=bulletin, date=datetime.date(2025, 12, 30), user=editor
        )
        edition = services.submit_edition(edition=edition, user=editor)
        edition = services.approve_edition(edition=edition, user=approver)
        return services.publish_edition(edition=edition, user=approver)

    took, published = seconds(publish)
    print(f"publish ×{options.scale} with a {options.size:,}-char text: {took:.1f} s")

    scope.description = edited(scope.description, every=500)
    scope.save()
    took, draft = seconds(
        lambda: services.create_edition(
            bulletin=bulletin, date=datetime.date(2026, 3, 31), user=editor
        )
    )
    print(f"create the draft: {took:.1f} s")
    took, diff = seconds(lambda: diff_snapshots(published.snapshot, draft.snapshot))
    print(f"diff the draft against the edition in force: {took:.2f} s ({diff['summary']})")

    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(editor)
    url = reverse("admin:publishing_edition_change", args=[draft.pk])
    for attempt in ("first", "second"):
        took, response = seconds(lambda: client.get(url))
        assert response.status_code == 200, response.status_code
        print(f"draft admin page ({attempt} view): {took:.2f} s, {len(response.content):,} bytes")
    took, submitted = seconds(lambda: services.submit_edition(edition=draft, user=editor))
    print(f"edition submit: {took:.2f} s")
    client.force_login(approver)
    url = reverse("admin:publishing_edition_change", args=[submitted.pk])
    took, response = seconds(lambda: client.get(url))
    print(f"submitted edition's admin page: {took:.2f} s")


if __name__ == "__main__":
    main()
