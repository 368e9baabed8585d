"""The tests' demo bulletin (tests/recorded_load.py) is the one bootstrap --demo loads."""

from collections import Counter
from typing import Any

import recorded_load
from django.db import models, transaction

from catalogue.demo import load_bulletin, read_demo_data
from catalogue.models import Bulletin, Scope


def _contents() -> dict[str, Counter]:
    """Every table's rows by their own values: no keys (they differ between loads), no times."""
    contents = {}
    for model in recorded_load._all_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if not f.primary_key
            and not f.is_relation
            and f.name != "id"  # a history record's copy of its object's key
            and not isinstance(f, models.DateTimeField | models.DateField)
        ]
        rows = models.QuerySet(model).values_list(*fields) if fields else []
        contents[model._meta.label] = Counter(map(tuple, rows)) if fields else Counter()
        contents[model._meta.label]["rows"] = models.QuerySet(model).count()
    return contents


def _load_and_read(load: Any) -> dict[str, Counter]:
    point = transaction.savepoint()
    try:
        load()
        return _contents()
    finally:
        transaction.savepoint_rollback(point)


def test_the_replayed_demo_has_every_row_of_a_real_load(db: None) -> None:
    loaded = _load_and_read(lambda: load_bulletin(read_demo_data(), user=None))
    recording = None

    def record() -> None:
        nonlocal recording
        _, recording = recorded_load.record()

    _load_and_read(record)
    replayed = _load_and_read(lambda: recorded_load.replay(recording))
    assert replayed == loaded
    assert loaded["catalogue.Scope"]["rows"] == 20


def test_each_test_gets_the_demo_afresh(demo_bulletin: Bulletin) -> None:
    scope = Scope.objects.filter(programme__bulletin=demo_bulletin).first()
    scope.description = "改過的說明"
    scope.save()
    # The next test (below) sees the description as the demo has it.


def test_a_change_in_an_earlier_test_is_gone(demo_bulletin: Bulletin) -> None:
    assert not Scope.objects.filter(description="改過的說明").exists()
    assert demo_bulletin.programmes.count() == 9


def test_the_demo_is_loaded_for_real_beside_rows_the_test_made_first(db: None) -> None:
    from catalogue.models import Agency

    Agency.objects.create(name="測試機關", short_name="測試", order=999)
    bulletin = recorded_load.demo_bulletin()
    assert bulletin.programmes.count() == 9
    assert Agency.objects.filter(name="測試機關").exists()
