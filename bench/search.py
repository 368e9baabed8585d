"""Time of the public look-up at --scale times the bulletin: index, search, page (by hand).

    .venv/bin/python bench/search.py               # 100× the demo bulletin
    .venv/bin/python bench/search.py --scale 1
    .venv/bin/python bench/search.py --keep /tmp/search100   # publish once, then reuse

It publishes one edition of the demo bulletin, its table repeated --scale times (as
bench/publish.py builds it, every copy's scopes given fresh ids so that anchors stay unique),
into a fresh SQLite database and media folder under a temporary directory, then times:
building the normalised index from the snapshot (what the first look-up after a deploy pays),
publishing.search.search alone for a few queries, and GET /search/?q=… through Django (no
server) with the index kept, as the median of --repeat runs. Target of issue 13: ≤ 50 ms a
look-up at 100×.
"""

import argparse
import datetime
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

QUERIES = ("半導體", "臺灣", "ＡＩ", "數位發展部", "不存在的產業名稱", "產業")
SCOPE_ID_STEP = 100_000


def scaled_with_fresh_scope_ids(snapshot: dict[str, Any], times: int) -> dict[str, Any]:
    from publish import scaled

    result = scaled(snapshot, times)
    per_copy = len(snapshot["programmes"])
    for position, programme in enumerate(result["programmes"]):
        for scope in programme["scopes"]:
            scope["id"] += SCOPE_ID_STEP * (position // per_copy)
    return result


def publish(scale: int) -> Any:
    """Publish the demo bulletin at `scale` in the database the environment names."""
    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.contrib.auth.models import User as DjangoUser
    from django.core.management import call_command

    from accounts.roles import APPROVERS, EDITORS
    from catalogue.demo import load_bulletin, read_demo_data
    from publishing import services
    from publishing.snapshot import snapshot_sha256

    call_command("migrate", verbosity=0)
    bulletin, _ = load_bulletin(read_demo_data(), user=None)
    editor = DjangoUser.objects.create_user("bench-editor")
    editor.groups.add(Group.objects.get(name=EDITORS))
    approver = DjangoUser.objects.create_user("bench-approver")
    approver.groups.add(Group.objects.get(name=APPROVERS))
    edition = services.create_edition(
        bulletin=bulletin, date=datetime.date(2025, 12, 30), user=editor
    )
    if scale > 1:  # a draft's snapshot may still change
        edition.snapshot = scaled_with_fresh_scope_ids(edition.snapshot, scale)
        edition.snapshot_sha256 = snapshot_sha256(edition.snapshot)
        edition.save()
    edition = services.submit_edition(edition=edition, user=editor)
    edition = services.approve_edition(edition=edition, user=approver)
    return services.publish_edition(edition=edition, user=approver)


def median_ms(run: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100, help="repeat the table this many times")
    parser.add_argument("--repeat", type=int, default=20, help="runs per query")
    parser.add_argument(
        "--keep",
        type=Path,
        help="keep the database and media here; a later run at the same scale reuses them",
    )
    options = parser.parse_args()

    work = options.keep or Path(tempfile.mkdtemp(prefix="bench-search-"))
    work.mkdir(parents=True, exist_ok=True)
    reuse = (work / "db.sqlite3").exists()
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
            "MEDIA_ROOT": str(work / "media"),
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
        }
    )
    try:
        started = time.perf_counter()
        if reuse:
            import django

            django.setup()
            from publishing.models import Edition

            edition = Edition.objects.get()
        else:
            edition = publish(options.scale)
        print(f"published at scale {options.scale} in {time.perf_counter() - started:.1f} s")
        run(edition, options.repeat)
    finally:
        if not options.keep:
            shutil.rmtree(work, ignore_errors=True)


def run(edition: Any, repeat: int) -> None:
    from django.test import Client

    from publishing import search

    snapshot = edition.snapshot
    scopes = sum(len(p["scopes"]) for p in snapshot["programmes"])
    print(f"{len(snapshot['programmes'])} programmes, {scopes} scopes")
    started = time.perf_counter()
    index = search.build_index(snapshot, edition.snapshot_sha256)
    print(
        "build the index (cold, first look-up after a deploy): "
        f"{time.perf_counter() - started:.3f} s"
    )
    search.keep_index(index)

    client = Client(HTTP_HOST="127.0.0.1")
    print(f"{'query':20} {'matches':>8} {'search ms':>10} {'page ms':>9} {'page KiB':>9}")
    for query in QUERIES:
        terms = search.query_terms(query)
        results = search.search(index, terms)
        alone = median_ms(lambda terms=terms: search.search(index, terms), repeat)
        response = client.get("/search/", {"q": query})
        assert response.status_code == 200, response.status_code
        page = median_ms(lambda query=query: client.get("/search/", {"q": query}), repeat)
        size = len(response.content) / 1024
        print(f"{query:20} {results.count:>8} {alone:>10.2f} {page:>9.2f} {size:>9.0f}")


if __name__ == "__main__":
    main()
