"""Requests per second of the public pages under gunicorn, against the stored HTML file (by hand).

    .venv/bin/python bench/public_pages.py               # the real bulletin, 100× the table
    .venv/bin/python bench/public_pages.py --scale 1 --duration 5

It publishes one edition of the demo bulletin (its table repeated --scale times, as
bench/publish.py builds it) into a fresh SQLite database and media folder under a temporary
directory, starts gunicorn (--workers, default 2) on a free loopback port with the base settings,
fetches every URL twice per worker, then runs one `wrk` load per URL (one connection per worker
unless --connections says otherwise, so the latency is the time to serve, not time queued) and
prints requests per second and the latency percentiles, and the median time of the same
request through Django alone in this process (no server, no network: what one request costs).
Needs wrk (Debian: apt-get install wrk) and gunicorn.
"""

import argparse
import datetime
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def publish(scale: int) -> str:
    """Publish the demo bulletin at `scale` in the database the environment names; its date."""
    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.contrib.auth.models import User as DjangoUser
    from django.core.management import call_command
    from publish import scaled

    from accounts.roles import APPROVERS, EDITORS
    from catalogue.demo import load_bulletin, read_demo_data
    from publishing import services, tasks
    from publishing.snapshot import snapshot_sha256

    call_command("migrate", verbosity=0)
    bulletin, _ = load_bulletin(read_demo_data(), user=None)
    editor = DjangoUser.objects.create_user("bench-editor")
    editor.groups.add(Group.objects.get(name=EDITORS))
    approver = DjangoUser.objects.create_user("bench-approver")
    approver.groups.add(Group.objects.get(name=APPROVERS))
    date = datetime.date(2025, 12, 30)
    edition = services.create_edition(bulletin=bulletin, date=date, user=editor)
    if scale > 1:  # a draft's snapshot may still change
        edition.snapshot = scaled(edition.snapshot, scale)
        edition.snapshot_sha256 = snapshot_sha256(edition.snapshot)
        edition.save()
    edition = services.submit_edition(edition=edition, user=editor)
    tasks.render_in_process(edition)  # no worker runs while seeding
    edition = services.approve_edition(edition=edition, user=approver)
    services.publish_edition(edition=edition, user=approver)
    return date.isoformat()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def wrk(url: str, duration: int, connections: int) -> dict[str, str]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    figures = {"rps": re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)}
    for pct in ("50", "90", "99"):
        figures[pct] = re.search(rf"^\s+{pct}%\s+(\S+)", out, re.M).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    figures["errors"] = errors.group(1) if errors else "0"
    return figures


def in_process(paths: dict[str, str], repeat: int = 50) -> dict[str, float]:
    """Median milliseconds per request through Django alone (no server, no network)."""
    import statistics

    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    medians = {}
    for name, path in paths.items():
        client.get(path)  # renders and hashes once
        runs = []
        for _ in range(repeat):
            started = time.perf_counter()
            client.get(path)
            runs.append((time.perf_counter() - started) * 1000)
        medians[name] = statistics.median(runs)
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100, help="repeat the table this many times")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument(
        "--connections",
        type=int,
        default=0,
        help="wrk connections (default: one per worker, so latency is service time, not queue)",
    )
    options = parser.parse_args()
    options.connections = options.connections or options.workers

    work = Path(tempfile.mkdtemp(prefix="bench-public-pages-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
        "MEDIA_ROOT": str(work / "media"),
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    started = time.perf_counter()
    date = publish(options.scale)
    print(f"published at scale {options.scale} in {time.perf_counter() - started:.1f} s")

    from publishing.models import EditionFile

    html = EditionFile.objects.get(format="html")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    urls = {
        "/ (home)": "/",
        "/editions/": "/editions/",
        "edition page": f"/editions/{date}/",
        "stored HTML file": f"/editions/{date}/{html.edition.file_basename()}.html",
    }
    gunicorn = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi",
            f"--workers={options.workers}",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        wait_for(base + "/")
        for path in urls.values():  # every worker renders and hashes once
            for _ in range(options.workers * 2):
                urllib.request.urlopen(base + path, timeout=60).read()
        print(
            f"{options.workers} gunicorn workers, wrk -t2 -c{options.connections} "
            f"-d{options.duration}s; HTML file {html.size / 1024:.0f} KiB"
        )
        header = f"{'url':18} {'req/s':>9} {'p50':>9} {'p90':>9} {'p99':>9} {'non-2xx':>8}"
        print(header + f" {'in-process':>11}")
        for name, path in urls.items():
            f = wrk(base + path, options.duration, options.connections)
            alone = in_process({name: path})[name]
            print(
                f"{name:18} {f['rps']:>9} {f['50']:>9} {f['90']:>9} {f['99']:>9} {f['errors']:>8}"
                f" {alone:>9.1f}ms"
            )
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
