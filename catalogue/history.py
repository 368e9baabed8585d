"""Revision history for the catalogue, on top of django-simple-history.

simple-history writes one revision on save and one more on every many-to-many change, so an
edit of a scope and its agencies would leave two or three revisions, the first with the old
agencies. `record_revision` lets a caller save the object and its agencies first and then
write exactly one revision that holds both.
"""
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import models
from simple_history.models import HistoricalRecords


class CatalogueHistoricalRecords(HistoricalRecords):
    """HistoricalRecords that the model keeps a handle on, so revisions can be written on demand."""

    def finalize(self, sender: type[models.Model], **kwargs: Any) -> None:
        super().finalize(sender, **kwargs)
        if getattr(sender._meta, "simple_history_manager_attribute", None) == self.manager_name:
            sender._history_recorder = self  # type: ignore[attr-defined]


def attribute(obj: models.Model, *, user: Any, reason: str) -> None:
    """Name who makes the next revision of obj, and why."""
    obj._history_user = user  # type: ignore[attr-defined]
    obj._change_reason = reason  # type: ignore[attr-defined]


@contextmanager
def one_revision(obj: models.Model, *, user: Any, reason: str) -> Iterator[None]:
    """Save obj and its many-to-many fields inside the block; one revision is written at the end."""
    is_new = obj.pk is None
    attribute(obj, user=user, reason=reason)
    obj.skip_history_when_saving = True  # type: ignore[attr-defined]
    try:
        yield
    finally:
        del obj.skip_history_when_saving  # type: ignore[attr-defined]
    record_revision(obj, created=is_new)


def record_revision(obj: models.Model, *, created: bool = False) -> None:
    """Write a revision of obj as it is now, agencies included."""
    recorder: CatalogueHistoricalRecords = type(obj)._history_recorder  # type: ignore[attr-defined]
    recorder.create_historical_record(obj, "+" if created else "~")
