"""The demo bulletin's snapshot and PDF, for the PDF tests' module-wide fixtures."""

import datetime
from pathlib import Path
from typing import Any

from django.db import transaction

from catalogue.demo import load_bulletin, read_demo_data
from publishing.rendering.document import Document
from publishing.rendering.pdf import render_pdf
from publishing.snapshot import build_snapshot

EDITION_DATE = datetime.date(2025, 12, 30)


def demo_snapshot(django_db_blocker: Any) -> dict[str, Any]:
    """The snapshot of the demo bulletin, loaded and rolled back (for a module's fixture)."""
    with django_db_blocker.unblock(), transaction.atomic():
        bulletin, _ = load_bulletin(read_demo_data(), user=None)
        snapshot = build_snapshot(bulletin)
        transaction.set_rollback(True)
    return snapshot


def write_pdf(snapshot: dict[str, Any], path: Path) -> Path:
    path.write_bytes(render_pdf(Document(snapshot, EDITION_DATE)))
    return path
