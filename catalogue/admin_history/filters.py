"""Filters of a history page: which part (the programme, its scopes, their agencies, targets,
strategies, sections), who, and between which days.

The page already loads every revision it lists, with its author, in a fixed number of queries
(timeline.py); the filters choose among those entries in Python, so a filtered page costs the
same queries as an unfiltered one, and "what did 王小明 change in the targets" needs no more.
"""

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.people import user_label

from ..forms import RocDateField
from ..models import Programme, Scope, Section, Strategy, Target
from .timeline import Entry

AGENCIES = "agencies"
SYSTEM = "system"
# The parts of each kind of object's history page, in the order the bulletin reads.
PARTS: dict[type, tuple[str, ...]] = {
    Programme: ("programme", "scope", AGENCIES, "target", "strategy", "section"),
    Scope: ("scope", AGENCIES, "target", "strategy", "section"),
}
_MODELS = {m._meta.model_name: m for m in (Programme, Scope, Target, Strategy, Section)}
FILTER_NAMES = ("part", "who", "since", "until")


class HistoryFilterForm(forms.Form):
    part = forms.ChoiceField(label=_("項目"), required=False)
    who = forms.ChoiceField(label=_("修改者"), required=False)
    since = RocDateField(label=_("起日"), required=False)
    until = RocDateField(label=_("迄日"), required=False)

    def __init__(self, data: Any, *, model: type, entries: Iterable[Entry]) -> None:
        super().__init__(data)
        parts = PARTS.get(model, ())
        if parts:
            self.fields["part"].choices = [("", _("全部")), *((p, _part_label(p)) for p in parts)]
        else:
            del self.fields["part"]
        people: dict[str, str] = {}
        for entry in entries:
            user = entry.record.history_user
            key = str(user.pk) if user is not None else SYSTEM
            people.setdefault(key, user_label(user))
        self.fields["who"].choices = [("", _("全部")), *sorted(people.items(), key=lambda p: p[1])]

    @property
    def is_filtering(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.get(name) for name in FILTER_NAMES)

    def apply(self, entries: Sequence[Entry]) -> list[Entry]:
        """The entries the filters let through; all of them when the filters are not valid."""
        if not self.is_valid():
            return list(entries)
        return [entry for entry in entries if self._matches(entry)]

    def _matches(self, entry: Entry) -> bool:
        data = self.cleaned_data
        record = entry.record
        part = data.get("part")
        if part == AGENCIES:
            agencies = str(Scope._meta.get_field("agencies").verbose_name)
            if entry.model is not Scope or agencies not in entry.changed:
                return False
        elif part and entry.model is not _MODELS[part]:
            return False
        who = data.get("who")
        if who:
            user_id = record.history_user_id
            if (str(user_id) if user_id is not None else SYSTEM) != who:
                return False
        day = timezone.localtime(record.history_date).date()
        return _within(day, data.get("since"), data.get("until"))


def _within(day: datetime.date, since: datetime.date | None, until: datetime.date | None) -> bool:
    return (since is None or day >= since) and (until is None or day <= until)


def _part_label(part: str) -> Any:
    if part == AGENCIES:
        return Scope._meta.get_field("agencies").verbose_name
    return _MODELS[part]._meta.verbose_name
