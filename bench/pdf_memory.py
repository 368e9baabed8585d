"""Peak memory and time of the PDF's child process (typst_child.py), variant by variant (by hand).

    # the request from the published edition of "bench" in DATABASE_URL (e.g. h_<branch>_100):
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_pdfmem_100
    .venv/bin/python bench/pdf_memory.py
    # or from the demo bulletin repeated 100 times in memory, as bench/publish.py --scale 100:
    .venv/bin/python bench/pdf_memory.py --demo-scale 100
    # other variants: an environment for the child, or another template
    .venv/bin/python bench/pdf_memory.py --variant current: --variant arenas-1:MALLOC_ARENA_MAX=1 \\
        --variant mine:TEMPLATE=/tmp/bulletin.typ --repeat 2 --check

The JSON request that publishing.rendering.pdf sends to the child is written once to --request
(kept between runs; --rebuild makes it again), then each variant runs `typst_child.py < request`
under `/usr/bin/time -v`: wall time, CPU time and "Maximum resident set size" (the child's
peak RSS, as getrusage reports it to bench/run.py). "current" is the child as
_compile_in_child starts it (its command, this environment); a variant `name:K=V,K=V` adds
those to the environment (MALLOC_ARENA_MAX=2, RAYON_NUM_THREADS=1...), except two keys:
TEMPLATE swaps the template, STANDARDS=a-3u+ua-1 the PDF standards. --check runs the
parent's post-processing (tagging.tag_table) on each PDF, which refuses a table it cannot tag.
"""

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
DEFAULT_REQUEST = Path(tempfile.gettempdir()) / "pdf-memory-request.json"


def setup_django(demo: bool) -> None:
    if demo:
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
        os.environ["DATABASE_URL"] = "sqlite://:memory:"
    else:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from django.utils import translation

    translation.activate("zh-hant")


def document_from_database(slug: str) -> Any:
    from publishing.models import Edition
    from publishing.rendering.document import Document

    edition = (
        Edition.objects.filter(bulletin__slug=slug, status="published").order_by("-date").first()
    )
    if edition is None:
        raise SystemExit(f"no published edition of {slug!r} in this database")
    return Document.of(edition)


def document_from_demo(scale: int) -> Any:
    from django.core.management import call_command
    from publish import scaled

    from catalogue.demo import load_bulletin, read_demo_data
    from publishing.rendering.document import Document
    from publishing.snapshot import build_snapshot

    call_command("migrate", verbosity=0)
    bulletin, _ = load_bulletin(read_demo_data(), user=None)
    snapshot = scaled(build_snapshot(bulletin), scale)
    return Document(snapshot, datetime.date(2025, 12, 30), "bench")


def write_request(options: argparse.Namespace) -> None:
    from publishing.rendering.pdf import child_request, typst_inputs

    if options.demo_scale:
        document = document_from_demo(options.demo_scale)
    else:
        document = document_from_database(options.slug)
    _, inputs = typst_inputs(document)
    request = child_request(document, inputs)
    options.request.write_text(json.dumps(request, ensure_ascii=False), encoding="utf-8")
    scopes = sum(len(p["scopes"]) for p in document.snapshot["programmes"])
    print(
        f"request: {options.request} ({options.request.stat().st_size / 2**20:.1f} MiB; "
        f"{len(document.snapshot['programmes'])} programmes, {scopes} scopes; "
        f"data {len(inputs['data']) / 2**20:.1f} MiB, "
        f"snapshot {len(inputs['snapshot']) / 2**20:.1f} MiB)"
    )


def parse_variant(text: str) -> tuple[str, dict[str, str]]:
    name, _, pairs = text.partition(":")
    settings = dict(pair.split("=", 1) for pair in pairs.split(",") if pair)
    return name, settings


def run_child(request: Path, settings: dict[str, str] | None) -> dict[str, Any]:
    """One run of the child under /usr/bin/time -v, with settings (see the module's doc)."""
    from publishing.rendering.pdf import child_command

    settings = dict(settings or {})
    template = settings.pop("TEMPLATE", None)
    standards = settings.pop("STANDARDS", None)
    env = os.environ | settings
    source = request
    if template or standards is not None:
        body = json.loads(request.read_text(encoding="utf-8"))
        if template:
            body["template"] = str(Path(template).resolve())
        if standards is not None:
            body["pdf_standards"] = [s for s in standards.split("+") if s]
        source = Path(tempfile.mkstemp(suffix=".json")[1])
        source.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    with tempfile.TemporaryFile() as pdf, source.open("rb") as stdin:
        done = subprocess.run(
            ["/usr/bin/time", "-v", *child_command()],
            stdin=stdin,
            stdout=pdf,
            stderr=subprocess.PIPE,
            env=env,
            check=False,
        )
        pdf.seek(0)
        content = pdf.read()
    if source != request:
        source.unlink()
    report = done.stderr.decode("utf-8", "replace")
    if done.returncode or not content.startswith(b"%PDF"):
        raise SystemExit(f"child failed (exit {done.returncode}):\n{report[-2000:]}")
    return {
        "peak_mb": int(_field(report, "Maximum resident set size")) / 1024,
        "wall_s": _wall(_field(report, "Elapsed (wall clock) time")),
        "cpu_s": float(_field(report, "User time")) + float(_field(report, "System time")),
        "pdf": content,
    }


def _field(report: str, name: str) -> str:
    for line in report.splitlines():
        if line.strip().startswith(name):
            return line.rpartition(": ")[2].strip()
    raise SystemExit(f"no {name!r} in /usr/bin/time's report:\n{report[-2000:]}")


def _wall(text: str) -> float:
    seconds = 0.0
    for part in text.split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


def check_pdf(pdf: bytes, request: Path) -> str:
    import io

    import pikepdf

    from publishing.rendering.tagging import tag_table

    rows = json.loads(json.loads(request.read_text(encoding="utf-8"))["inputs"]["data"])["rows"]
    tagged = tag_table(pdf, rows)
    with pikepdf.open(io.BytesIO(tagged)) as document:
        return f"{len(document.pages)} pages, tagged"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--request", type=Path, default=DEFAULT_REQUEST)
    parser.add_argument("--rebuild", action="store_true", help="write the request again")
    parser.add_argument("--slug", default="bench", help="the bulletin in DATABASE_URL")
    parser.add_argument("--demo-scale", type=int, default=0, help="build from the demo × N")
    parser.add_argument("--variant", action="append", default=[], help="name:K=V,K=V")
    parser.add_argument("--repeat", type=int, default=1, help="runs per variant (median)")
    parser.add_argument("--check", action="store_true", help="tag each PDF as the parent does")
    parser.add_argument("--keep", type=Path, help="write each variant's PDF into this folder")
    options = parser.parse_args()

    setup_django(bool(options.demo_scale))
    if options.rebuild or not options.request.exists():
        write_request(options)
    variants = [parse_variant(v) for v in options.variant] or [("current", None)]
    print(f"{'variant':28} {'wall s':>7} {'cpu s':>7} {'peak MB':>8}  pdf")
    for name, settings in variants:
        runs = [run_child(options.request, settings) for _ in range(options.repeat)]
        pdf = runs[-1]["pdf"]
        note = f"{len(pdf) / 2**20:.1f} MiB"
        if options.keep:
            options.keep.mkdir(parents=True, exist_ok=True)
            (options.keep / f"{name}.pdf").write_bytes(pdf)
        if options.check:
            note += ", " + check_pdf(pdf, options.request)
        print(
            f"{name:28} {statistics.median(r['wall_s'] for r in runs):7.1f} "
            f"{statistics.median(r['cpu_s'] for r in runs):7.1f} "
            f"{max(r['peak_mb'] for r in runs):8.0f}  {note}",
            flush=True,
        )


if __name__ == "__main__":
    main()
