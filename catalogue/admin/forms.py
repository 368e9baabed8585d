"""The catalogue admin's fields, widgets and forms: the versioned form with its change reason,
the inline rows with their order, a scope's agencies in order."""

from decimal import Decimal
from typing import Any

from django import forms
from django.db import models
from django.db.models import Max
from django.forms.formsets import DELETION_FIELD_NAME
from django.forms.models import BaseInlineFormSet
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..forms import DATE_OVERRIDES
from ..models import Agency, Scope
from ..numbers import plain_decimal
from ..versioning import StaleVersion, check_version, conflict_message

REASON_FIELD = "change_reason"
VERSION_FIELD = "read_version"


class MultilineField(forms.CharField):
    """Text from a textarea with the line ends stored as "\n".

    Browsers send a textarea's lines separated by "\r\n"; kept as they come, every save of an
    unchanged form would look like a change of every multi-line text, and write a revision.
    """

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        return text.replace("\r\n", "\n").replace("\r", "\n")


class PlainNumberInput(forms.NumberInput):
    """528 rather than 528.0000: a figure as the bulletin writes it."""

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, Decimal):
            value = plain_decimal(value)
        return super().format_value(value)


SMALL_TEXT = {
    models.TextField: {
        "form_class": MultilineField,
        "widget": forms.Textarea(attrs={"rows": 3, "cols": 48}),
    },
    models.DecimalField: {"widget": PlainNumberInput},
    **DATE_OVERRIDES,
}


class VersionedModelForm(forms.ModelForm):
    """A model form that carries the version its object was read at, and refuses a stale save.

    The refusal is a form error, so the page comes back with the editor's input kept, the
    sentence naming who changed the object and when, and a link to that change.
    """

    read_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields[VERSION_FIELD].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.instance.pk is None or self.instance._state.adding:
            return cleaned
        read = cleaned.get(VERSION_FIELD)
        if read is None:
            raise forms.ValidationError(
                gettext("表單缺少讀取時的版本號，本次未儲存；請重新載入頁面後再修改。"),
                code="missing_version",
            )
        try:
            check_version(self.instance, read)
        except StaleVersion:
            raise forms.ValidationError(
                conflict_message(self.instance, read), code="stale_version"
            ) from None
        return cleaned


class ChangeReasonForm(VersionedModelForm):
    """A model form with the change reason that goes into the revision history."""

    change_reason = forms.CharField(
        label=_("變更說明"),
        required=False,
        max_length=500,
        help_text=_("簡述這次修改的原因，會記錄在修訂歷史中；未填寫時記為「後台編輯」。"),
        widget=forms.TextInput(attrs={"size": 80}),
    )


def marked_for_deletion(form: forms.Form) -> bool:
    """Whether the editor ticked the row's delete box: the DELETE value of its cleaned data, as
    Django's formset documentation reads it (a form that did not clean is not marked)."""
    return bool(getattr(form, "cleaned_data", {}).get(DELETION_FIELD_NAME, False))


class OrderedInlineFormSet(BaseInlineFormSet):
    """Inline rows with an order unique within their parent, which editors may swap in one save."""

    def clean(self) -> None:
        seen: set[int] = set()
        repeated: set[int] = set()
        for form in self.forms:
            order = getattr(form, "cleaned_data", {}).get("order")
            if order is None or marked_for_deletion(form):
                continue
            (repeated if order in seen else seen).add(order)
        if repeated:
            raise forms.ValidationError(
                gettext("順序 %(orders)s 重複：同一層的每一列須有不同的順序。")
                % {"orders": "、".join(str(o) for o in sorted(repeated))},
                code="duplicate_order",
            )
        super().clean()

    def free_changed_orders(self) -> None:
        """Move rows whose order changes out of the way, so a swap meets no unique constraint.

        The rows go to orders above every old and new one, without a revision (a queryset
        update); saving them afterwards writes their one revision with the final order.
        """
        moving = [
            form.instance
            for form in self.initial_forms
            if "order" in form.changed_data and not marked_for_deletion(form)
        ]
        if not moving:
            return
        siblings = self.model._default_manager.filter(**{self.fk.name: self.instance})
        top = max(
            [
                siblings.aggregate(top=Max("order"))["top"] or 0,
                *(form.cleaned_data.get("order") or 0 for form in self.forms if form.cleaned_data),
            ]
        )
        for offset, obj in enumerate(moving, start=1):
            self.model._default_manager.filter(pk=obj.pk).update(order=top + offset)


# A scope's agencies, in order

AGENCY_SLOTS = 6  # more than any scope of the 114.12.30 bulletin names (3)


class OrderedAgenciesWidget(forms.MultiWidget):
    """One choice per place, first to last."""

    def __init__(self) -> None:
        # The field's label names the first choice only: each choice names its place.
        super().__init__(
            [
                forms.Select(attrs={"aria-label": format_lazy(_("部會/機關（第 {} 順位）"), place)})
                for place in range(1, AGENCY_SLOTS + 1)
            ]
        )

    def decompress(self, value: Any) -> list[Any]:
        pks = [getattr(agency, "pk", agency) for agency in value or []]
        return pks + [None] * (AGENCY_SLOTS - len(pks))


class OrderedAgenciesField(forms.MultiValueField):
    """A scope's agencies in order: one numbered choice per place (an ordered multi-select
    that needs no script and reads well with a screen reader)."""

    def __init__(self, **kwargs: Any) -> None:
        choices = [
            forms.ModelChoiceField(Agency.objects.order_by("order", "name"), required=False)
            for _ in range(AGENCY_SLOTS)
        ]
        super().__init__(
            choices, widget=OrderedAgenciesWidget(), require_all_fields=False, **kwargs
        )

    def has_changed(self, initial: Any, data: Any) -> bool:
        # Every place counts: MultiValueField compares only as many places as initial has.
        return super().has_changed(self.widget.decompress(initial), data)

    def compress(self, data_list: list[Any]) -> list[Agency]:
        chosen = [agency for agency in data_list or [] if agency is not None]
        repeated = {a.name for a in chosen if chosen.count(a) > 1}
        if repeated:
            raise forms.ValidationError(
                gettext("部會「%(names)s」重複：每個部會只能列一次。")
                % {"names": "、".join(sorted(repeated))},
                code="duplicate_agency",
            )
        return chosen


class ScopeForm(ChangeReasonForm):
    """The scope with its agencies in order; reordering them is a change of the scope."""

    agency_list = OrderedAgenciesField(
        label=_("部會/機關"),
        help_text=_("依公告表列出的順序選擇，第一個為主辦部會；空白的欄位不會儲存。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency_list"]
        for widget, choice in zip(field.widget.widgets, field.fields, strict=True):
            widget.choices = choice.choices
        if self.instance.pk is not None:
            field.initial = [a.pk for a in self.instance.ordered_agencies]

    def save(self, commit: bool = True) -> Scope:
        """Save the scope, then its agencies in order: now, or (commit=False) in the save_m2m()
        that Django's ModelForm.save leaves for the caller, as the admin's save_related calls it."""
        scope = super().save(commit=commit)
        if commit:
            scope.set_agencies(self.cleaned_data["agency_list"])
            return scope
        save_other_m2m = self.save_m2m

        def save_m2m() -> None:
            save_other_m2m()
            self.instance.set_agencies(self.cleaned_data["agency_list"])

        self.save_m2m = save_m2m
        return scope
