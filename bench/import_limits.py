"""Time and memory of reading hostile files for import, each in a fresh process (run by hand).

    .venv/bin/python bench/import_limits.py            # every case
    .venv/bin/python bench/import_limits.py ods-95mb-empty-cells   # one case
    .venv/bin/python bench/import_limits.py --largest-import       # the most an import may write

For each case the file is built (small on disk) and a fresh child process loads it, notes
its peak memory, reads the file exactly as an import does (`read_sheet`: size check, then
the bounded reader) and reports the time, its peak memory above what it had before reading,
and the outcome, against the promise of docs/limits.md (issues 9 and 21): every file up to
the size limit read or refused within 10 s and 256 MB above baseline.
"""

import io
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "catalogue"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

MB = 1024 * 1024
PROMISE_SECONDS = 10  # docs/limits.md
PROMISE_MB = 256


def _export(file_format: str) -> bytes:
    """A sheet shaped like the bulletin (20 rows, its columns), made without a database."""
    import tablib

    from catalogue.spreadsheet.formats import FORMATS
    from catalogue.spreadsheet.resources import ScopeSheetResource

    dataset = tablib.Dataset(headers=ScopeSheetResource().headers)
    for serial in range(1, 21):
        dataset.append(
            [serial, "政策性產業", "113-117年", "經濟部", "範疇", "說明" * 50]
            + ["文字" * 100] * 5
            + [serial]
        )
    return FORMATS[file_format].export_data(dataset)


def _with_styles(size: int) -> bytes:
    import zipfile

    import hostile_files as h

    content = _export("xlsx")
    styles = zipfile.ZipFile(io.BytesIO(content)).read("xl/styles.xml").decode()
    many = '<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>' * (size // 55)
    styles = styles.replace("</cellXfs>", many + "</cellXfs>")
    return h.rezip(content, {"xl/styles.xml": styles.encode()})


def _cases() -> dict[str, Callable[[], tuple[str, bytes]]]:
    import hostile_files as h

    def ods_empty(size: int) -> Callable[[], tuple[str, bytes]]:
        return lambda: ("x.ods", h.ods_of_empty_cells(size))

    header = _export("csv").split(b"\r\n", 1)[0] + b"\r\n"

    def blank(line: bytes, **ends: bytes) -> Callable[[], tuple[str, bytes]]:
        return lambda: ("x.csv", h.blank_lines(10 * MB - 1, line, **ends))

    def csv_rows(size: int) -> bytes:
        row = ("甲," * 11 + "乙\n").encode()
        return row * (size // len(row))

    return {
        "ods-95mb-empty-cells": ods_empty(95 * MB),
        "ods-8mb-empty-cells": ods_empty(8 * MB - 4096),
        "ods-20000-rows-repeated-1048576": lambda: (
            "x.ods",
            h.ods_of_repeated_rows(20_000, 1_048_576),
        ),
        "ods-20000-empty-rows-repeated-1048576": lambda: (
            "x.ods",
            h.ods_of_repeated_empty_rows(20_000, 1_048_576),
        ),
        "ods-demo": lambda: ("x.ods", _export("ods")),
        "xlsx-dimension-1048576-rows": lambda: (
            "x.xlsx",
            h.xlsx_declaring_rows(_export("xlsx"), 1_048_576),
        ),
        "xlsx-no-dimension-row-1048576": lambda: (
            "x.xlsx",
            h.xlsx_without_dimension(_export("xlsx"), 1_048_576),
        ),
        "xlsx-7mb-shared-strings": lambda: (
            "x.xlsx",
            h.xlsx_with_shared_strings(
                _export("xlsx"),
                b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                + ("<si><t>" + "字" * 20 + "</t></si>").encode() * 99_000
                + b"</sst>",
            ),
        ),
        "xlsx-7mb-styles": lambda: ("x.xlsx", _with_styles(7 * MB)),
        "xlsx-1mb-cell": lambda: (
            "x.xlsx",
            h.xlsx_with_cell(
                _export("xlsx"), "K2", f'<c r="K2" t="inlineStr"><is><t>{"字" * MB}</t></is></c>'
            ),
        ),
        "xlsx-demo": lambda: ("x.xlsx", _export("xlsx")),
        "csv-1mb-cell": lambda: ("x.csv", _export("csv") + ("字" * MB).encode() + b"\n"),
        "csv-10mb-rows": lambda: ("x.csv", csv_rows(10 * MB - 1)),
        "csv-10mb-commas": lambda: ("x.csv", b"a" + b"," * (10 * MB - 2)),
        "csv-10mb-one-cell": lambda: ("x.csv", b"a" * (10 * MB - 1)),
        "json-10mb-empty-objects": lambda: ("x.json", b"[" + b"{}," * (10 * MB // 3 - 1) + b"{}]"),
        "json-10mb-empty-lists": lambda: ("x.json", b"[" + b"[]," * (10 * MB // 3 - 1) + b"[]]"),
        "json-10mb-strings": lambda: ("x.json", b"[" + b'"",' * (10 * MB // 3 - 1) + b'""]'),
        "json-10mb-nesting": lambda: ("x.json", b"[" * (5 * MB) + b"]" * (5 * MB - 1)),
        # Issue 21: blank lines, empty rows and cells, bombs.
        "csv-10mb-blank-lf": blank(b"\n"),
        "csv-10mb-blank-crlf": blank(b"\r\n"),
        "csv-10mb-blank-commas": blank(b",,,,\n"),
        "csv-10mb-blank-quoted": blank(b'"","",""\r\n'),
        "csv-header-10mb-blank-lf": blank(b"\n", head=header),
        "csv-header-10mb-blank-crlf": blank(b"\r\n", head=header),
        "csv-header-10mb-blank-commas": blank(b",,,,\n", head=header),
        "csv-10mb-blank-then-row": blank(b"\n", head=header, tail=b"1,x\r\n"),
        "csv-10mb-spaces": blank(b" \n", head=header),
        "ods-8mb-empty-rows": lambda: ("x.ods", h.ods_of_empty_rows(8 * MB - 4096)),
        "xlsx-row-of-680000-empty-cells": lambda: (
            "x.xlsx",
            h.xlsx_with_empty_cells(_export("xlsx"), 23, 680_000),
        ),
        "xlsx-row-of-24000-empty-cells": lambda: (
            "x.xlsx",
            h.xlsx_with_empty_cells(_export("xlsx"), 23, 24_000),
        ),
        "xlsx-95mb-sheet": lambda: ("x.xlsx", h.rezip(_export("xlsx"), {h.SHEET: b" " * 95 * MB})),
        "xlsx-sheet-lying-95mb-as-1kb": lambda: (
            "x.xlsx",
            h.lying_about_size(h.rezip(_export("xlsx"), {h.SHEET: b" " * 95 * MB}), h.SHEET, 1024),
        ),
    }


def _status(field: str) -> int:
    """VmRSS (now) or VmHWM (peak since the last reset) of this process, in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise LookupError(field)


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # Linux: VmHWM starts again from VmRSS


def run_case(path: str) -> dict:
    import django

    django.setup()
    from catalogue.spreadsheet.importer import ImportRefused
    from catalogue.spreadsheet.services import read_sheet

    # The file was built by the parent: this process's peak so far is Django and the file.
    content = Path(path).read_bytes()
    file_name = Path(path).name
    baseline = _status("VmRSS")
    _reset_peak()
    started = time.perf_counter()
    try:
        table = read_sheet(content, file_name=file_name)
        outcome = f"read: {len(table.rows)} rows"
    except ImportRefused as refusal:
        outcome = "refused: " + str(refusal).splitlines()[0][:90]
    elapsed = time.perf_counter() - started
    return {
        "size": len(content),
        "seconds": round(elapsed, 2),
        "peak_above_baseline_mb": round((_status("VmHWM") - baseline) / MB, 1),
        "outcome": outcome,
    }


def largest_import() -> None:
    """Import the most the limits let through, into an in-memory demo database.

    Each target line is a record and each row needs some eight lines of text besides, so
    two shapes come near the 3,000-line limit: few rows with many targets (10 rows of 290
    targets: 2,920 records) and many rows (370 new programmes and scopes of one target).
    """
    os.environ["DATABASE_URL"] = "sqlite://:memory:"
    import django

    django.setup()
    import tablib
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from accounts.roles import EDITORS
    from catalogue.demo import load_bulletin, read_demo_data
    from catalogue.spreadsheet.formats import FORMATS
    from catalogue.spreadsheet.resources import export_dataset
    from catalogue.spreadsheet.services import import_bulletin, preview_import

    call_command("migrate", verbosity=0)
    bulletin, _ = load_bulletin(read_demo_data(), user=None)
    user = get_user_model().objects.create_user("bench", is_staff=True)
    user.groups.add(Group.objects.get(name=EDITORS))  # import_bulletin asks for an editor
    demo = export_dataset(bulletin)
    headers = list(demo.headers)
    target = str(demo[0][headers.index("推動目標")]).split("\n")[0]
    for rows, targets in [(10, 290), (370, 1)]:
        dataset = tablib.Dataset(headers=headers)
        for index in range(rows):
            row = dict(zip(headers, demo[index % len(demo)], strict=True))
            row.update({"序號": 1000 + index, "政策性產業": f"新產業{index}", "範疇識別碼": ""})
            row.update({"推動策略": "", "其他段落": "", "備註": ""})
            row["推動目標"] = "\n".join([target] * targets)
            dataset.append([row[header] for header in headers])
        content = FORMATS["csv"].export_data(dataset)
        options = {"bulletin": bulletin, "content": content, "file_name": "x.csv"}
        baseline = _status("VmRSS")
        _reset_peak()
        started = time.perf_counter()
        plan = preview_import(**options, allow_delete=False)
        previewed = time.perf_counter() - started
        started = time.perf_counter()
        import_bulletin(**options, allow_delete=False, user=user)
        imported = time.perf_counter() - started
        print(
            f"largest import, {rows} rows of {targets} targets: {len(content) / 1024:.0f}K, "
            f"{plan.change_count} records; preview {previewed:.2f} s, import {imported:.2f} s, "
            f"peak {(_status('VmHWM') - baseline) / MB:.1f} MB above baseline"
        )


def main() -> None:
    if sys.argv[1:] == ["--largest-import"]:
        largest_import()
        return
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(run_case(sys.argv[2]), ensure_ascii=False))
        return
    import django

    django.setup()
    cases = _cases()
    names = sys.argv[1:] or list(cases)
    print(f"{'case':40} {'file':>9} {'s':>6} {'MB':>6}  promise  outcome")
    for name in names:
        file_name, content = cases[name]()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / file_name
            path.write_bytes(content)
            done = subprocess.run(
                [sys.executable, __file__, "--child", str(path)], capture_output=True, text=True
            )
        if done.returncode:
            print(f"{name:40} FAILED: {done.stderr.strip().splitlines()[-1]}")
            continue
        result = json.loads(done.stdout.strip().splitlines()[-1])
        seconds, peak = result["seconds"], result["peak_above_baseline_mb"]
        kept = seconds < PROMISE_SECONDS and peak < PROMISE_MB
        print(
            f"{name:40} {result['size'] / 1024:8.0f}K {seconds:6.2f} {peak:6.1f}  "
            f"{'met' if kept else 'MISSED':7}  {result['outcome']}"
        )


if __name__ == "__main__":
    main()
