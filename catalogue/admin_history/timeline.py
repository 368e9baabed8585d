"""The revisions of a programme's or a scope's parts, deleted parts included, newest first.

simple-history keeps each model's revisions in its own table and has no view across related
objects (its issue #438). Editors need one: "what changed in programme 3 since the last
edition?". The historical tables keep the parent ids, so the parts are found even after they
were deleted: first every scope that ever belonged to the programme, then every target,
strategy and section that ever belonged to one of those scopes.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from ..models import Scope, Section, Strategy, Target
from .diff import changed_labels, load_m2m

SCOPE_PARTS: tuple[type[models.Model], ...] = (Target, Strategy, Section)


@dataclass
class Entry:
    """One revision of one object, with the revision before it (None for the first)."""

    record: Any
    previous: Any | None
    label: str
    changed: list[str] = field(default_factory=list)

    @property
    def model(self) -> type[models.Model]:
        return self.record.instance_type

    @property
    def object_id(self) -> Any:
        return self.record.id


def programme_timeline(programme_id: Any) -> list[Entry]:
    """Revisions of the programme's scopes and their parts (not of the programme itself)."""
    scope_ids = Scope.history.filter(programme_id=programme_id).values("id")
    return _timeline(scope_ids, include_scopes=True)


def scope_timeline(scope_id: Any) -> list[Entry]:
    """Revisions of the scope's targets, strategies and sections (not of the scope itself)."""
    return _timeline([scope_id], include_scopes=False)


def object_entries(records: Sequence[Any]) -> list[Entry]:
    """Entries for one object's revisions, newest first, each with the revision before it."""
    load_m2m(records)
    entries = _link(records, label=lambda record: "")
    for entry in entries:
        entry.changed = changed_labels(entry.previous, entry.record)
    return sorted(entries, key=_newest_first)


def _timeline(scope_ids: Iterable[Any] | models.QuerySet, *, include_scopes: bool) -> list[Entry]:
    scope_records = list(_records(Scope.history.filter(id__in=scope_ids)))
    load_m2m(scope_records)
    scope_labels = {}
    for record in sorted(scope_records, key=_key):
        scope_labels[record.id] = _scope_label(record)  # the latest revision names the scope
    entries = []
    if include_scopes:
        entries += _link(scope_records, label=lambda record: scope_labels[record.id])
    for model in SCOPE_PARTS:
        ever = model.history.filter(scope_id__in=scope_ids).values("id")
        records = list(_records(model.history.filter(id__in=ever)))
        entries += _link(records, label=lambda r: _part_label(r, scope_labels))
    for entry in entries:
        entry.changed = changed_labels(entry.previous, entry.record)
    return sorted(entries, key=_newest_first)


def _records(queryset: models.QuerySet) -> models.QuerySet:
    return queryset.select_related("history_user").order_by("history_date", "history_id")


def _link(records: Sequence[Any], *, label: Any) -> list[Entry]:
    """Pair each revision with the one before it of the same object."""
    by_object: dict[Any, list[Any]] = defaultdict(list)
    for record in sorted(records, key=_key):
        by_object[record.id].append(record)
    entries = []
    for revisions in by_object.values():
        previous = None
        for record in revisions:
            entries.append(Entry(record=record, previous=previous, label=label(record)))
            previous = record
    return entries


def _scope_label(record: Any) -> str:
    name = f"【{record.title}】" if record.title else _shorten(record.description, 20)
    return f"{Scope._meta.verbose_name} {record.order} {name}"


def _part_label(record: Any, scope_labels: dict[Any, str]) -> str:
    text = record.text if isinstance(record, Target.history.model) else record.heading
    scope = scope_labels.get(record.scope_id, f"#{record.scope_id}")
    return (
        f"{scope} › {record.instance_type._meta.verbose_name} {record.order} {_shorten(text, 30)}"
    )


def _shorten(text: str, length: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


def _key(record: Any) -> tuple[Any, int]:
    return (record.history_date, record.history_id)


def _newest_first(entry: Entry) -> tuple[Any, int]:
    record = entry.record
    return (-record.history_date.timestamp(), -record.history_id)
