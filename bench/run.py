"""`make bench`: publish, admin pages, import and public pages at several sizes, into a table.

    .venv/bin/python bench/run.py                          # 1×, 10× and 100× on SQLite
    DATABASE_URL=postgres://…/h_bench .venv/bin/python bench/run.py --scales 1,10,100
    .venv/bin/python bench/run.py --scales 1 --write       # also put the run atop HISTORY.md

For each database (a fresh SQLite file; PostgreSQL when DATABASE_URL names a server: the bench
works in a database of its own beside the named one, `<name>_bench`, dropped and made again, so
the named database is never touched) and each scale it:

1. migrates, makes a bench editor and approver, and `manage.py synth_bulletin --scale N`;
2. runs `manage.py edition create / submit / approve / publish`, each in its own process under
   `bench/measure.py`: wall time, the peak memory of the command's process and of its largest
   child (the PDF is rendered in a child process);
3. in one process with Django's test client, as a superuser: the median time of --repeat views
   and their query count: the edition's admin page, its full preview, the sheet export (XLSX,
   CSV), the programme and scope lists with a search, and an import of the exported XLSX with
   one text changed (preview, then confirm; the row limits raised to fit the sheet);
4. starts gunicorn (2 workers, production-like base settings) and runs `wrk -t2 -c2` on the
   edition's public page, its stored HTML file and its PDF.

The load average is read before and after each scale: the figures are only comparable between
runs on a similar load. `bench/publish.py` times the rendering steps one by one in one process.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
PY = sys.executable
DATE = "2025-12-30"
SLUG = "bench"


def run_measured(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run `manage.py args` under bench/measure.py; its wall time, peak memories and stdout."""
    return run_measured_script(["manage.py", *args], env)


def run_measured_script(args: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run a script under bench/measure.py; its wall time, peak memories and stdout."""
    with tempfile.NamedTemporaryFile(suffix=".json") as report:
        started = time.perf_counter()
        done = subprocess.run(
            [PY, str(ROOT / "bench" / "measure.py"), report.name, *args],
            cwd=ROOT,
            env=env if env is not None else os.environ,
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - started
        if done.returncode:
            raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        figures = json.loads(Path(report.name).read_text())
    return {"wall": wall, **figures, "stdout": done.stdout}


def manage(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def reset_postgres(url: str) -> str:
    """A fresh database `<name>_bench` on DATABASE_URL's server; its URL. The database that
    DATABASE_URL names (perhaps one with real data) is only connected to, never changed."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg
    from psycopg import sql

    parts = urlsplit(url.replace("postgres://", "postgresql://", 1))
    bench_name = f"{parts.path.lstrip('/') or 'postgres'}_bench"
    with psycopg.connect(urlunsplit(parts), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(bench_name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(bench_name)))
    return urlunsplit(parts._replace(path=f"/{bench_name}"))


def child(role: str) -> None:
    """Work done inside one Django process (`run.py --child ROLE`), reported as JSON."""
    import django

    django.setup()
    if role == "users":
        from django.contrib.auth.models import Group, User

        from accounts.roles import APPROVERS, EDITORS

        for name, group in (("bench-editor", EDITORS), ("bench-approver", APPROVERS)):
            User.objects.create_user(name).groups.add(Group.objects.get(name=group))
        User.objects.create_superuser("bench-admin", "", "bench")
        return
    if role == "admin":
        from admin_pages import measure_admin

        repeat = int(os.environ["BENCH_REPEAT"])
        print(json.dumps(measure_admin(repeat, with_import=os.environ["BENCH_IMPORT"] == "1")))


def gunicorn_figures(env: dict[str, str], duration: int) -> dict[str, dict[str, str]]:
    from public_pages import free_port, wait_for, wrk

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    basename = json.loads(os.environ.get("BENCH_BASENAME", '""'))
    urls = {
        "public edition page": f"/editions/{DATE}/",
        "stored HTML file": f"/editions/{DATE}/{basename}.html",
        "PDF": f"/editions/{DATE}/{basename}.pdf",
    }
    server_env = {**env, "DJANGO_SETTINGS_MODULE": "config.settings.base", "DEBUG": "false"}
    gunicorn = subprocess.Popen(
        [
            str(Path(PY).parent / "gunicorn"),
            "config.wsgi",
            "--workers=2",
            f"--bind=127.0.0.1:{port}",
        ]
        + ["--log-level=warning"],
        cwd=ROOT,
        env=server_env,
        start_new_session=True,
    )
    figures = {}
    try:
        wait_for(base + "/", 60)
        for path in urls.values():
            for _ in range(4):  # each worker reads, renders and hashes once
                urllib.request.urlopen(base + path, timeout=120).read()
        for name, path in urls.items():
            figures[name] = wrk(base + path, duration, 2)
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=30)
    return figures


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def make_seal(folder: Path) -> None:
    """A self-signed demo key and certificate (publishing.rendering.seal) in folder."""
    subprocess.run(
        [
            PY,
            "-c",
            "import sys; from pathlib import Path; "
            "from publishing.rendering.seal import ensure_demo_certificate; "
            "ensure_demo_certificate(Path(sys.argv[1]))",
            str(folder),
        ],
        cwd=ROOT,
        check=True,
    )


def one_scale(database: str, url: str, scale: int, options: argparse.Namespace) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix=f"bench-{database}-{scale}-"))
    if database == "sqlite":
        url = f"sqlite:///{work / 'db.sqlite3'}"
    else:
        url = reset_postgres(url)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": url,
        "MEDIA_ROOT": str(work / "media"),
        "DEBUG": "false",  # DEBUG keeps every query in memory
        "PUBLIC_BULLETIN_SLUG": SLUG,
        "LOG_LEVEL": "WARNING",
        # Publication seals the PDF, as in production: a demo certificate of the bench's own.
        "PDF_SEAL_KEY": str(work / "seal" / "demo-key.pem"),
        "PDF_SEAL_CERT": str(work / "seal" / "demo-cert.pem"),
        "BENCH_REPEAT": str(options.repeat),
        "BENCH_IMPORT": "1" if options.imports else "0",
        # The 100× sheet has 2,000 rows; the bench lifts the import limits (docs/limits.md).
        "CATALOGUE_IMPORT_MAX_ROWS": "100000",
        "CATALOGUE_IMPORT_MAX_CELLS": "10000000",
        "CATALOGUE_IMPORT_MAX_LINES": "10000000",
        "CATALOGUE_IMPORT_MAX_BYTES": str(200 * 1024 * 1024),
        "CATALOGUE_IMPORT_MAX_UNPACKED_BYTES": str(200 * 1024 * 1024),
    }
    result: dict[str, Any] = {"database": database, "scale": scale, "load_before": load_average()}
    try:
        make_seal(work / "seal")
        manage(["migrate", "-v0"], env)
        subprocess.run([PY, __file__, "--child", "users"], cwd=ROOT, env=env, check=True)
        steps = {}
        steps["synth_bulletin"] = run_measured(
            ["synth_bulletin", "--scale", str(scale), "--slug", SLUG, "--seed", "1"], env
        )
        created = run_measured(
            ["edition", "create", "--bulletin", SLUG, "--date", DATE, "--user", "bench-editor"],
            env,
        )
        steps["edition create"] = created
        pk = created["stdout"].strip().splitlines()[-1]
        for action, user in (
            ("submit", "bench-editor"),
            ("approve", "bench-approver"),
            ("publish", "bench-approver"),
        ):
            steps[f"edition {action}"] = run_measured(["edition", action, pk, "--user", user], env)
        result["steps"] = {
            k: {x: y for x, y in v.items() if x != "stdout"} for k, v in steps.items()
        }
        admin = subprocess.run(
            [PY, __file__, "--child", "admin"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        if admin.returncode:
            raise SystemExit(admin.stderr)
        pages = json.loads(admin.stdout.strip().splitlines()[-1])
        result["admin"] = pages.pop("pages")
        env["BENCH_BASENAME"] = json.dumps(pages["basename"])
        os.environ["BENCH_BASENAME"] = env["BENCH_BASENAME"]
        if options.wrk:
            result["public"] = gunicorn_figures(env, options.wrk)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result["load_after"] = load_average()
    return result


def table(results: list[dict[str, Any]]) -> str:
    lines = []
    for r in results:
        lines.append(
            f"### {r['database']}, {r['scale']}× "
            f"(load average before {r['load_before']}, after {r['load_after']})"
        )
        lines.append("")
        lines.append("| step | wall s | peak MB, command | peak MB, largest child |")
        lines.append("| --- | ---: | ---: | ---: |")
        for name, s in r["steps"].items():
            lines.append(
                f"| `{name}` | {s['wall']:.2f} | {s['self_mb']:.0f} | {s['children_mb']:.0f} |"
            )
        lines.append("")
        lines.append("| admin page | median ms | queries | bytes |")
        lines.append("| --- | ---: | ---: | ---: |")
        for name, p in r["admin"].items():
            lines.append(f"| {name} | {p['ms']:.0f} | {p['queries']} | {p['bytes']:,} |")
        if r.get("public"):
            lines.append("")
            lines.append("| gunicorn, wrk -t2 -c2 | req/s | p50 | p99 | non-2xx |")
            lines.append("| --- | ---: | ---: | ---: | ---: |")
            for name, f in r["public"].items():
                lines.append(f"| {name} | {f['rps']} | {f['50']} | {f['99']} | {f['errors']} |")
        lines.append("")
    return "\n".join(lines)


def machine() -> str:
    memory = re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)
    return (
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores "
        f"(`nproc`), {int(memory) / 1024 / 1024:.1f} GB RAM, Python {platform.python_version()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10,100")
    parser.add_argument("--databases", default="", help="sqlite,postgres (default: both if set)")
    parser.add_argument("--repeat", type=int, default=5, help="requests per admin page")
    parser.add_argument("--wrk", type=int, default=5, help="seconds per wrk run; 0: none")
    parser.add_argument("--no-import", dest="imports", action="store_false", help="skip import")
    parser.add_argument("--no-steps", dest="steps", action="store_false", help="skip publish.py")
    parser.add_argument("--write", action="store_true", help="put the run atop bench/HISTORY.md")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        child(options.child)
        return
    url = os.environ.get("DATABASE_URL", "")
    databases = options.databases.split(",") if options.databases else ["sqlite"]
    if not options.databases and url.startswith("postgres"):
        databases.append("postgres")
    steps = []
    if options.steps:
        for scale in (int(s) for s in options.scales.split(",")):
            print(f"publish.py --scale {scale} …", file=sys.stderr, flush=True)
            done = run_measured_script(["bench/publish.py", "--scale", str(scale), "--repeat", "0"])
            steps.append(
                f"{done['stdout'].rstrip()}\npeak MB: {done['self_mb']:.0f} in the process, "
                f"{done['children_mb']:.0f} in the largest child"
            )
            print(steps[-1], flush=True)
    results = []
    for database in databases:
        for scale in (int(s) for s in options.scales.split(",")):
            print(f"{database} {scale}× …", file=sys.stderr, flush=True)
            results.append(one_scale(database, url, scale, options))
            print(table(results[-1:]), flush=True)
    if options.write:
        text = f"## `make bench`, {machine()}\n\n"
        if steps:
            text += "Rendering step by step (`publish.py --repeat 0`, in-memory SQLite):\n\n"
            text += "".join(f"```\n{block}\n```\n\n" for block in steps)
        text += table(results)
        add_to_history(text)


def add_to_history(text: str) -> None:
    """Put a run at the top of bench/HISTORY.md (newest first), below its introduction."""
    history = ROOT / "bench" / "HISTORY.md"
    intro, mark, runs = history.read_text().partition("\n## ")
    history.write_text(f"{intro.rstrip()}\n\n{text.strip()}\n\n{mark.lstrip()}{runs}")


if __name__ == "__main__":
    main()
