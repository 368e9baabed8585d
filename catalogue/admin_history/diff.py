"""What changed between two revisions of a catalogue object, field by field.

Revisions are simple-history's historical records. The compare page marks changed text
with the project's one character diff (catalogue.textdiff), as the edition diff does.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from ..history import revision_m2m_fields
from ..numbers import plain_decimal
from ..textdiff import mark_changes

# The attribute on a historical record that holds its many-to-many values once loaded:
# {field name: {related pk: label}}.
M2M_CACHE = "_catalogue_m2m"


@dataclass(frozen=True)
class FieldChange:
    """One field that differs between an older and a newer revision."""

    name: str
    label: str
    old: str
    new: str
    old_marked: SafeString
    new_marked: SafeString


def compared_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields of model that an editor changes, in form order (not the primary key)."""
    return [f for f in model._meta.concrete_fields if f.editable and not f.primary_key]


def load_m2m(records: Sequence[Any]) -> None:
    """Attach each record's many-to-many values (a scope's agencies): one query per field."""
    if not records:
        return
    model = records[0].instance_type
    by_id = {record.history_id: record for record in records}
    for record in records:
        setattr(record, M2M_CACHE, {})
    for field in revision_m2m_fields(model):
        # The model of the rows that the record's own relation manager returns.
        m2m_model = getattr(records[0], field.name).model
        target = field.m2m_reverse_field_name()
        # In the revision's order: a scope's agencies have positions, and reordering them
        # is a change.
        rows = (
            m2m_model.objects.filter(history_id__in=list(by_id))
            .select_related(target)
            .order_by("history_id", "position")
        )
        for record in records:
            getattr(record, M2M_CACHE)[field.name] = {}
        for row in rows:
            related = getattr(row, target)
            pk = getattr(row, f"{target}_id")
            label = str(related) if related is not None else _("已刪除（#%(pk)s）") % {"pk": pk}
            getattr(by_id[row.history_id], M2M_CACHE)[field.name][pk] = label


def raw_values(record: Any) -> dict[str, Any]:
    """The values of a revision as stored: field name → value; m2m fields → tuple of pks."""
    model = record.instance_type
    values = {f.name: getattr(record, f.attname) for f in compared_fields(model)}
    m2m = getattr(record, M2M_CACHE, None)
    if m2m is None:
        load_m2m([record])
        m2m = getattr(record, M2M_CACHE)
    for name, related in m2m.items():
        values[name] = tuple(related)
    return values


def changed_labels(old: Any | None, new: Any) -> list[str]:
    """The verbose names of the fields that differ; all filled fields for a first revision.

    A history page lists fifty revisions: they compare values loaded once for the page
    (load_m2m), where diff_against would query each pair's agencies again.
    """
    model = new.instance_type
    new_values = raw_values(new)
    old_values = raw_values(old) if old is not None else {}
    labels = []
    for name in _field_names(model):
        if old is None and new_values[name] in (None, "", ()):
            continue
        if old is None or old_values[name] != new_values[name]:
            labels.append(str(model._meta.get_field(name).verbose_name))
    return labels


def compare(old: Any, new: Any) -> list[FieldChange]:
    """Every field that differs between two revisions of one object, text marked by character."""
    model = new.instance_type
    changed = set(_delta(old, new).changed_fields)
    changes = []
    for name in _field_names(model):
        if name not in changed:
            continue
        field = model._meta.get_field(name)
        if field.many_to_many:
            for record in (old, new):
                if getattr(record, M2M_CACHE, None) is None:
                    load_m2m([record])
            change = _set_change(name, str(field.verbose_name), old, new)
        else:
            old_text, new_text = display(old, field), display(new, field)
            old_marked, new_marked = mark_changes(old_text, new_text)
            change = FieldChange(
                name, str(field.verbose_name), old_text, new_text, old_marked, new_marked
            )
        changes.append(change)
    return changes


def _delta(old: Any, new: Any) -> Any:
    """simple-history's own comparison, over the fields an editor changes (not the version)."""
    return new.diff_against(old, included_fields=_field_names(new.instance_type))


def display(record: Any, field: models.Field) -> str:
    """A field's value in a revision as an editor reads it."""
    value = getattr(record, field.attname)
    if value is None or value == "":
        return ""
    if field.is_relation:
        try:
            related = getattr(record, field.name)
        except models.ObjectDoesNotExist:
            related = None
        if related is None:
            return _("已刪除（#%(pk)s）") % {"pk": value}
        return str(related)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, Decimal):
        return plain_decimal(value)
    return str(value)


def _set_change(name: str, label: str, old: Any, new: Any) -> FieldChange:
    """A many-to-many field compared as a list of names in their order: removed ones struck,
    added ones marked (a new order shows in the order of the names)."""
    old_items: dict[Any, str] = getattr(old, M2M_CACHE)[name]
    new_items: dict[Any, str] = getattr(new, M2M_CACHE)[name]
    old_marked = _join_names(
        (format_html("<del>{}</del>", text) if pk not in new_items else escape(text))
        for pk, text in _sorted(old_items)
    )
    new_marked = _join_names(
        (format_html("<ins>{}</ins>", text) if pk not in old_items else escape(text))
        for pk, text in _sorted(new_items)
    )
    return FieldChange(
        name,
        label,
        "、".join(text for _pk, text in _sorted(old_items)),
        "、".join(text for _pk, text in _sorted(new_items)),
        old_marked,
        new_marked,
    )


def _field_names(model: type[models.Model]) -> list[str]:
    return [f.name for f in compared_fields(model)] + [f.name for f in revision_m2m_fields(model)]


def _sorted(items: dict[Any, str]) -> list[tuple[Any, str]]:
    return list(items.items())  # loaded in their order (load_m2m)


def _join(parts: Iterable[SafeString]) -> SafeString:
    return format_html_join("", "{}", ((part,) for part in parts))


def _join_names(parts: Iterable[SafeString]) -> SafeString:
    return format_html_join("、", "{}", ((part,) for part in parts))
