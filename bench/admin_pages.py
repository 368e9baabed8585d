"""The back office's heavy pages, timed with Django's test client (called by bench/run.py).

Signed in as the bench superuser; each page is fetched once to warm up, then `repeat` times:
the median, the query count of one fetch and the size of the answer (a streamed answer is
read to its end, as a browser would).
"""

import statistics
import time
from typing import Any

from django.db import connection
from django.test import Client
from django.urls import NoReverseMatch, reverse


class CountQueries:
    """Counts the queries run inside the block (an execute wrapper: Django's test client
    clears connection.queries at each request, which CaptureQueriesContext relies on)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self) -> "CountQueries":
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._wrapper.__exit__(*exc)

    def __len__(self) -> int:
        return self.count


def _fetch(client: Client, method: str, path: str, data: Any = None) -> tuple[int, int]:
    response = getattr(client, method)(path, data) if data is not None else client.get(path)
    if response.status_code not in (200, 302):
        raise SystemExit(f"{path}: {response.status_code}")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, len(body)


def timed(client: Client, path: str, repeat: int) -> dict[str, Any]:
    _fetch(client, "get", path)
    with CountQueries() as queries:
        _, size = _fetch(client, "get", path)
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        _fetch(client, "get", path)
        runs.append((time.perf_counter() - started) * 1000)
    return {"ms": statistics.median(runs), "queries": len(queries), "bytes": size}


def import_once(client: Client, bulletin: Any) -> dict[str, dict[str, Any]]:
    """Export the sheet, change one description, upload it (preview) and confirm it."""
    import io
    import re

    from openpyxl import load_workbook

    export = reverse("admin:catalogue_programme_spreadsheet_export")
    _, content = None, client.get(export, {"bulletin": bulletin.pk, "file_format": "xlsx"})
    workbook = load_workbook(
        io.BytesIO(b"".join(content.streaming_content) if content.streaming else content.content)
    )
    sheet = workbook.active
    headers = [cell.value for cell in sheet[1]]
    column = headers.index("產業範疇說明") + 1
    sheet.cell(row=2, column=column).value = (
        str(sheet.cell(row=2, column=column).value) + "（修訂）"
    )
    stream = io.BytesIO()
    workbook.save(stream)
    upload = io.BytesIO(stream.getvalue())
    upload.name = "bench.xlsx"
    url = reverse("admin:catalogue_programme_spreadsheet_import")
    figures = {}
    with CountQueries() as queries:
        started = time.perf_counter()
        preview = client.post(url, {"bulletin": bulletin.pk, "file": upload})
        figures["import preview (XLSX, 1 change)"] = {
            "ms": (time.perf_counter() - started) * 1000,
            "queries": len(queries),
            "bytes": len(preview.content),
        }
    text = preview.content.decode()
    token = re.search(r'name="token" value="([0-9a-f]+)"', text)
    fingerprint = re.search(r'name="fingerprint" value="([0-9a-f]{64})"', text)
    if not (token and fingerprint):
        raise SystemExit("the import preview did not offer a confirmation:\n" + text[-3000:])
    confirm = reverse("admin:catalogue_programme_spreadsheet_confirm")
    with CountQueries() as queries:
        started = time.perf_counter()
        done = client.post(confirm, {"token": token.group(1), "fingerprint": fingerprint.group(1)})
        figures["import confirm"] = {
            "ms": (time.perf_counter() - started) * 1000,
            "queries": len(queries),
            "bytes": len(done.content),
        }
    if done.status_code != 302:
        raise SystemExit("the import was refused:\n" + done.content.decode()[-3000:])
    return figures


def measure_admin(repeat: int, *, with_import: bool = True) -> dict[str, Any]:
    from django.contrib.auth.models import User

    from catalogue.models import Bulletin
    from publishing.models import Edition

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username="bench-admin"))
    bulletin = Bulletin.objects.get(slug="bench")
    edition = Edition.objects.get(bulletin=bulletin)
    export = reverse("admin:catalogue_programme_spreadsheet_export")
    pages = {
        "edition admin page": reverse("admin:publishing_edition_change", args=[edition.pk]),
        "sheet export XLSX": f"{export}?bulletin={bulletin.pk}&file_format=xlsx",
        "sheet export CSV": f"{export}?bulletin={bulletin.pk}&file_format=csv",
        "programme list, search 半導體": reverse("admin:catalogue_programme_changelist")
        + "?q=半導體",
        "scope list, search 晶圓": reverse("admin:catalogue_scope_changelist") + "?q=晶圓",
    }
    try:
        pages["edition full preview"] = reverse(
            "admin:publishing_edition_preview", args=[edition.pk]
        )
    except NoReverseMatch:
        pass  # before the preview had a page of its own
    figures = {name: timed(client, path, repeat) for name, path in pages.items()}
    if with_import:
        figures.update(import_once(client, bulletin))
    return {"pages": figures, "basename": edition.file_basename()}
