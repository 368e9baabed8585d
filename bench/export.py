"""The admin's sheet export, step by step: building the rows, each writer, the whole view.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_export_100 \
    DJANGO_SETTINGS_MODULE=config.settings.local .venv/bin/python bench/export.py --slug bench

Prints, for each step, the median wall and CPU time of --repeat runs (after one to warm up)
and its query count; the view is fetched with Django's test client as the bench superuser and
its body read to the end, as bench/admin_pages.py does. --profile STEP prints that step's
cProfile instead.
"""

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def timed(step: Callable[[], Any], repeat: int) -> tuple[float, float, int, int]:
    """The median wall and CPU milliseconds of `repeat` runs (CPU: this process's, a steadier
    figure on a busy machine, without the database server's share), the queries of one run
    and its answer's size."""
    from admin_pages import CountQueries

    step()
    with CountQueries() as queries:
        size = _size(step())
    runs, cpu = [], []
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        step()
        runs.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    return statistics.median(runs), statistics.median(cpu), len(queries), size


def _size(result: Any) -> int:
    if isinstance(result, bytes | str):
        return len(result)
    if isinstance(result, int):
        return result
    return 0


def steps(slug: str) -> dict[str, Callable[[], Any]]:
    from django.contrib.auth.models import User
    from django.test import Client
    from django.urls import reverse

    from catalogue.models import Bulletin
    from catalogue.spreadsheet.resources import column_widths, export_dataset, export_rows
    from catalogue.spreadsheet.writers import write_csv, write_ods, write_xlsx

    bulletin = Bulletin.objects.get(slug=slug)
    headers, rows = export_rows(bulletin)
    rows = list(rows)
    widths = column_widths(headers)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.filter(is_superuser=True).order_by("pk").first())
    url = reverse("admin:catalogue_programme_spreadsheet_export")

    def rows_built() -> int:
        return sum(1 for _ in export_rows(bulletin)[1])

    def view(file_format: str) -> Callable[[], int]:
        def fetch() -> int:
            response = client.get(url, {"bulletin": bulletin.pk, "file_format": file_format})
            assert response.status_code == 200, response.status_code
            if response.streaming:
                return len(b"".join(response.streaming_content))
            return len(response.content)

        return fetch

    return {
        "export_rows": rows_built,
        "export_dataset": lambda: len(export_dataset(bulletin)),
        "write_csv": lambda: write_csv(headers, rows),
        "write_xlsx": lambda: write_xlsx(headers, rows, title=bulletin.title, widths=widths),
        "write_ods": lambda: write_ods(headers, rows, title=bulletin.title, widths=widths),
        "view csv": view("csv"),
        "view xlsx": view("xlsx"),
        "view ods": view("ods"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slug", default="bench")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", help="comma-separated step names")
    parser.add_argument("--profile", metavar="STEP", help="cProfile one run of this step")
    parser.add_argument("--lines", type=int, default=30, help="profile lines to print")
    args = parser.parse_args()

    import django

    django.setup()
    table = steps(args.slug)
    if args.profile:
        step = table[args.profile]
        step()
        profile = cProfile.Profile()
        profile.runcall(step)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(args.lines)
        return
    names = args.only.split(",") if args.only else list(table)
    print(f"{'step':<16} {'median ms':>10} {'CPU ms':>8} {'queries':>8} {'bytes':>10}")
    for name in names:
        ms, cpu, queries, size = timed(table[name], args.repeat)
        print(f"{name:<16} {ms:>10.1f} {cpu:>8.1f} {queries:>8} {size:>10}")


if __name__ == "__main__":
    main()
