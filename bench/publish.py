"""Time one publish of the demo bulletin, step by step, in one process (run by hand).

    .venv/bin/python bench/publish.py            # the real 114.12.30 bulletin
    .venv/bin/python bench/publish.py --scale 10 # the same table repeated ten times

It builds its own in-memory SQLite database (migrate + demo data), so it never touches yours.
"Cold" is the first run in the process (Typst loads fonts, the template is parsed); "warm" is
the median of the next --repeat runs.
"""

import argparse
import copy
import datetime
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ["DATABASE_URL"] = "sqlite://:memory:"


def timed(step: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    started = time.perf_counter()
    result = step()
    cold = time.perf_counter() - started
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        step()
        runs.append(time.perf_counter() - started)
    return cold, statistics.median(runs) if runs else cold, result


def scaled(snapshot: dict[str, Any], times: int) -> dict[str, Any]:
    """The snapshot's programmes repeated, with fresh ids and serials, as a bigger bulletin."""
    result = copy.deepcopy(snapshot)
    programmes = []
    for copy_index in range(times):
        for programme in snapshot["programmes"]:
            clone = copy.deepcopy(programme)
            clone["id"] += 1000 * copy_index
            clone["serial"] = len(programmes) + 1
            programmes.append(clone)
    result["programmes"] = programmes
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1, help="repeat the table this many times")
    parser.add_argument("--repeat", type=int, default=3, help="warm runs per step")
    options = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import translation

    call_command("migrate", verbosity=0)
    translation.activate("zh-hant")

    from catalogue.demo import load_bulletin, read_demo_data
    from publishing.diff import diff_snapshots
    from publishing.rendering import renderers
    from publishing.rendering.document import Document
    from publishing.rendering.pdf import check_glyphs, typst_data
    from publishing.snapshot import build_snapshot

    bulletin, _ = load_bulletin(read_demo_data(), user=None)
    rows: list[tuple[str, float, float]] = []

    cold, warm, snapshot = timed(lambda: build_snapshot(bulletin), options.repeat)
    rows.append(("freeze (build_snapshot)", cold, warm))
    if options.scale > 1:
        snapshot = scaled(snapshot, options.scale)
    previous = copy.deepcopy(snapshot)
    previous["programmes"][0]["scopes"][0]["description"] += "（舊版）"
    del previous["programmes"][-1]
    cold, warm, _ = timed(lambda: diff_snapshots(previous, snapshot), options.repeat)
    rows.append(("diff against an edited previous", cold, warm))

    document = Document(snapshot, datetime.date(2025, 12, 30), "bench")
    sizes = {}
    for name, render in renderers().items():
        cold, warm, data = timed(lambda render=render: render(document), options.repeat)
        rows.append((f"render {name}", cold, warm))
        sizes[name] = len(data)
    # Measured after the PDF, whose cold figure already includes loading the fonts once.
    cold, warm, _ = timed(lambda: check_glyphs(typst_data(document)), options.repeat)
    rows.append(("  of which glyph check", cold, warm))

    scopes = sum(len(p["scopes"]) for p in snapshot["programmes"])
    print(f"{len(snapshot['programmes'])} programmes, {scopes} scopes (scale {options.scale})")
    print(f"{'step':36} {'cold s':>8} {'warm s':>8}")
    for step, cold, warm in rows:
        print(f"{step:36} {cold:8.3f} {warm:8.3f}")
    total_cold = sum(c for s, c, _ in rows if not s.startswith("  "))
    total_warm = sum(w for s, _, w in rows if not s.startswith("  "))
    print(f"{'total':36} {total_cold:8.3f} {total_warm:8.3f}")
    print("sizes: " + ", ".join(f"{k} {v / 1024:.0f} KiB" for k, v in sizes.items()))


if __name__ == "__main__":
    main()
