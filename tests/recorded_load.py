"""The demo bulletin for the tests: loaded for real once per process, then written back as rows.

Loading the 114.12.30 bulletin the way `bootstrap --demo` does (catalogue.demo.load_bulletin:
full validation, one history record per row, about 770 queries) is most of the time of a test
that needs it, and some 600 tests do. The first load in a process is the real one; every row it
added, in every table (the catalogue, its history, the revisions), is kept in memory, and later
tests get the same rows inserted again, with the same keys, in a few bulk inserts. Each test
runs in a transaction that is rolled back, so the keys are free again for the next one.

A test that has written catalogue rows before asking for the demo may hold one of those keys (on
SQLite, where a rolled-back key is given out again); the rows are then refused and the demo is
loaded for real. tests/catalogue/test_recorded_load.py compares the two, table by table.
"""

import copy
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import IntegrityError, models, transaction

from catalogue.demo import load_bulletin, read_demo_data
from catalogue.models import Agency, Bulletin


@dataclass
class Recording:
    bulletin_pk: int
    rows: list[tuple[type[models.Model], list[models.Model]]]


_recording: Recording | None = None


def _all_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models(include_auto_created=True) if not m._meta.proxy]


def _keys(model: type[models.Model]) -> set[Any]:
    return set(models.QuerySet(model).values_list("pk", flat=True))


def record() -> tuple[Bulletin, Recording]:
    """Load the demo for real and keep every row the load added."""
    before = {model: _keys(model) for model in _all_models()}
    bulletin, made = load_bulletin(read_demo_data(), user=None)
    if not made:
        raise RuntimeError("the demo bulletin was already there: nothing to record")
    rows = []
    for model, keys in before.items():
        added = _keys(model) - keys
        if added:
            rows.append((model, list(models.QuerySet(model).filter(pk__in=added).order_by("pk"))))
    return bulletin, Recording(bulletin_pk=bulletin.pk, rows=rows)


def replay(recording: Recording) -> Bulletin:
    """The recorded rows inserted again, as they were (foreign keys are checked at commit)."""
    for model, objects in recording.rows:
        models.QuerySet(model).bulk_create([copy.copy(obj) for obj in objects])
    return Bulletin.objects.get(pk=recording.bulletin_pk)


def demo_bulletin() -> Bulletin:
    """The real 114.12.30 bulletin, as bootstrap --demo loads it."""
    global _recording
    if _recording is None:
        if Agency.objects.exists() or Bulletin.objects.exists():
            # Rows of the test's own would be taken for the demo's: not a clean recording.
            return load_bulletin(read_demo_data(), user=None)[0]
        bulletin, _recording = record()
        return bulletin
    try:
        with transaction.atomic():
            return replay(_recording)
    except IntegrityError:
        bulletin, _ = load_bulletin(read_demo_data(), user=None)
        return bulletin
