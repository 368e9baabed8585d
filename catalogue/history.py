"""Revision history for the catalogue, on top of django-simple-history.

simple-history writes one revision on save and one more on every many-to-many change, so an
edit of a scope and its agencies would leave two or three revisions, the first with the old
agencies. `record_revision` lets a caller save the object and its agencies first and then
write exactly one revision that holds both.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils.translation import gettext, gettext_lazy
from simple_history.models import HistoricalRecords

from .i18n import site_language
from .roc import roc_datetime_short
from .versioning import check_version


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


def revision_m2m_fields(model: type[models.Model]) -> list[models.ManyToManyField]:
    """The many-to-many fields of model whose rows each revision keeps (a scope's agencies).

    simple-history names them on the historical model only as `_history_m2m_fields`; its public
    `get_m2m_fields_from_model` works them out the same way. Checked against
    django-simple-history 3.13.0; tests/catalogue/test_library_seams.py fails if the two part.
    """
    recorder: CatalogueHistoricalRecords = model._history_recorder  # type: ignore[attr-defined]
    return recorder.get_m2m_fields_from_model(model)


REVERTED = gettext_lazy("還原至 {label} 版本")
REVERTED_BECAUSE = gettext_lazy("還原至 {label} 版本：{reason}")


def revert_reason(record: Any, reason: str = "") -> str:
    """還原至 114.12.30 14:05（#12）版本：<why>, the change reason a revert is recorded with,
    in the site's language (it is data that everyone reads)."""
    if not reason:
        return site_language(REVERTED, label=revision_label(record))
    return site_language(REVERTED_BECAUSE, label=revision_label(record), reason=reason)


def revision_label(record: Any) -> str:
    """114.12.30 14:05（#12）: when a revision was written, in the agency's calendar; its number."""
    return f"{roc_datetime_short(record.history_date)}（#{record.history_id}）"


@transaction.atomic
def revert_to(
    record: Any, *, user: Any, reason: str | None = None, read_version: int | None = None
) -> models.Model:
    """Bring the object back to the state of one of its revisions, many-to-many fields included.

    simple-history's own revert restores the fields only; this one also sets a scope's agencies
    as the revision had them (those that still exist) and writes exactly one revision. An object
    deleted since is created again with its old id. Raises ValidationError (nothing changes) when
    the old state no longer fits, e.g. its order is taken now, PermissionDenied when user
    may not change (or, for a deleted object, add) rows of this kind, and StaleVersion when the
    object changed since the editor read it at read_version (what reverting would change was
    shown against that version).
    """
    model = record.instance_type
    obj = record.instance
    stored = model._default_manager.filter(pk=obj.pk).values_list("version", flat=True).first()
    exists = stored is not None
    needed = f"{model._meta.app_label}.{'change' if exists else 'add'}_{model._meta.model_name}"
    if user is None or not user.is_authenticated or not user.has_perm(needed):
        raise PermissionDenied(gettext("您沒有還原這筆資料的權限；未變更任何資料。"))
    obj._state.adding = not exists
    if exists:
        check_version(obj, stored if read_version is None else read_version)
    else:
        # Past every version it ever had: a page read before the deletion stays stale.
        last = model.history.filter(id=obj.pk).aggregate(last=models.Max("version"))["last"]
        obj.version = (last or 0) + 1
    obj.full_clean()
    related: dict[str, list[Any]] = {}
    for field in revision_m2m_fields(model):
        # In the revision's order (a scope's agencies have positions).
        target = field.m2m_reverse_field_name()
        rows = getattr(record, field.name).order_by("position")
        pks = list(rows.values_list(f"{target}_id", flat=True))
        found = field.related_model._default_manager.in_bulk(pks)
        related[field.name] = [found[pk] for pk in pks if pk in found]
    if reason is None:
        reason = revert_reason(record)
    attribute(obj, user=user, reason=reason)
    obj.skip_history_when_saving = True  # type: ignore[attr-defined]
    try:
        obj.save()
        for name, objects in related.items():
            getattr(obj, f"set_{name}")(objects)  # Scope.set_agencies
    finally:
        del obj.skip_history_when_saving  # type: ignore[attr-defined]
    record_revision(obj, created=not exists)
    return obj


# Who deletes, and why, while delete_with_history runs: every row deleted then, cascades
# included, is named in its deletion's revision by the pre_delete receiver below.
_deleting: ContextVar[tuple[Any, str] | None] = ContextVar("catalogue_deleting", default=None)


@receiver(pre_delete, dispatch_uid="catalogue.history.attribute_deletion")
def attribute_deletion(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    deleting = _deleting.get()
    if deleting is not None:
        attribute(instance, user=deleting[0], reason=deleting[1])


@transaction.atomic
def delete_with_history(objs: Iterable[models.Model], *, user: Any, reason: str) -> None:
    """Delete objs and what cascades from them, each deletion's revision naming user and reason.

    Django sends pre_delete for each row it deletes, cascaded ones included, with the object
    that simple-history's post_delete then records: the receiver above names user and reason
    on it. A queryset is deleted as it is, several objects of one kind by one queryset delete
    (one collection of what cascades), a single object by its own delete().
    """
    token = _deleting.set((user, reason))
    try:
        if isinstance(objs, models.QuerySet):
            objs.delete()
            return
        by_model: dict[type[models.Model], list[Any]] = defaultdict(list)
        for obj in objs:
            by_model[type(obj)].append(obj)
        for model, found in by_model.items():
            if len(found) == 1:
                found[0].delete()
            else:
                model._base_manager.filter(pk__in=[obj.pk for obj in found]).delete()
    finally:
        _deleting.reset(token)
