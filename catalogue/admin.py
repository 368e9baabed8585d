"""The catalogue in the admin, in Traditional Chinese, every save kept as one revision.

Editors (編輯) change the bulletin here; approvers (核定) read it. Each save writes exactly
one revision per changed object, naming the editor and the change reason (變更說明) typed on
the form; unchanged objects and inline rows write none.
"""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Count, Max, Prefetch, Q
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.text import format_lazy, smart_split, unescape_string_literal
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .admin_history.admin import CatalogueHistoryAdmin
from .admin_history.timeline import Entry, programme_timeline, scope_timeline
from .forms import DATE_OVERRIDES
from .history import attribute, delete_with_history, record_revision
from .i18n import site_language
from .models import (
    Agency,
    Bulletin,
    Programme,
    Scope,
    ScopeAgency,
    Section,
    Strategy,
    Target,
)
from .numbers import plain_decimal
from .roc import roc_display
from .spreadsheet.admin import SpreadsheetAdminMixin
from .versioning import StaleVersion, check_version, conflict_message

REASON_FIELD = "change_reason"
VERSION_FIELD = "read_version"
DEFAULT_REASON_ADD = _("後台新增")
DEFAULT_REASON_CHANGE = _("後台編輯")
DEFAULT_REASON_DELETE = _("後台刪除")


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

admin.site.site_header = _("政策性產業彙整表管理系統")
admin.site.site_title = _("政策性產業彙整表")
admin.site.index_title = _("後台管理")


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


class OrderedInlineFormSet(BaseInlineFormSet):
    """Inline rows with an order unique within their parent, which editors may swap in one save."""

    def clean(self) -> None:
        seen: set[int] = set()
        repeated: set[int] = set()
        for form in self.forms:
            order = getattr(form, "cleaned_data", {}).get("order")
            if order is None or self._should_delete_form(form):
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
            if "order" in form.changed_data and not self._should_delete_form(form)
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


class CatalogueAdmin(CatalogueHistoryAdmin):
    """Every catalogue admin: the change reason, one revision per changed object."""

    form = ChangeReasonForm
    formfield_overrides = SMALL_TEXT
    # The models' get_absolute_url leads back to the admin; a "view on site" link would too.
    view_on_site = False

    class Media:
        css = {"all": ("catalogue/admin.css",)}

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        fieldsets = list(super().get_fieldsets(request, obj))
        fieldsets = [
            (
                name,
                {
                    **options,
                    "fields": [
                        f for f in options["fields"] if f not in (REASON_FIELD, VERSION_FIELD)
                    ],
                },
            )
            for name, options in fieldsets
        ]
        can_save = (
            self.has_add_permission(request)
            if obj is None
            else self.has_change_permission(request, obj)
        )
        if can_save:
            fieldsets.append((_("修訂紀錄"), {"fields": [REASON_FIELD, VERSION_FIELD]}))
        return fieldsets

    def change_reason(self, form: forms.Form, change: bool) -> str:
        typed = (getattr(form, "cleaned_data", None) or {}).get(REASON_FIELD, "").strip()
        return typed or site_language(DEFAULT_REASON_CHANGE if change else DEFAULT_REASON_ADD)

    def save_model(self, request: HttpRequest, obj: Any, form: forms.Form, change: bool) -> None:
        # The revision is written in save_related, once the many-to-many fields are saved too.
        attribute(obj, user=request.user, reason=self.change_reason(form, change))
        obj.skip_history_when_saving = True
        obj.save()

    def save_related(
        self, request: HttpRequest, form: forms.Form, formsets: list[Any], change: bool
    ) -> None:
        obj = form.instance
        try:
            form.save_m2m()
        finally:
            del obj.skip_history_when_saving
        if not change or set(form.changed_data) - {REASON_FIELD}:
            record_revision(obj, created=not change)
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(
        self, request: HttpRequest, form: forms.Form, formset: Any, change: bool
    ) -> None:
        reason = self.change_reason(form, change)
        instances = formset.save(commit=False)  # only the changed rows
        delete_with_history(formset.deleted_objects, user=request.user, reason=reason)
        if isinstance(formset, OrderedInlineFormSet):
            formset.free_changed_orders()
        for instance in instances:
            attribute(instance, user=request.user, reason=reason)
            instance.save()
        formset.save_m2m()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        delete_with_history([obj], user=request.user, reason=site_language(DEFAULT_REASON_DELETE))

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        delete_with_history(
            queryset, user=request.user, reason=site_language(DEFAULT_REASON_DELETE)
        )


class OrderedInline(admin.TabularInline):
    form = VersionedModelForm
    formset = OrderedInlineFormSet
    ordering = ("order",)
    extra = 0
    formfield_overrides = SMALL_TEXT
    view_on_site = False

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = [f for f in super().get_fields(request, obj) if f != VERSION_FIELD]
        if self.has_change_permission(request, obj) or self.has_add_permission(request, obj):
            # Every row carries its version: a row changed since the page was read is refused.
            fields.append(VERSION_FIELD)
        return fields


# Agencies and bulletins


@admin.register(Agency)
class AgencyAdmin(CatalogueAdmin):
    list_display = ("name", "short_name", "order", "scope_count")
    search_fields = ("name", "short_name")
    ordering = ("order", "name")
    fieldsets = ((None, {"fields": ("name", "short_name", "order")}),)

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return super().get_queryset(request).annotate(scope_total=Count("scopes"))

    @admin.display(description=_("產業範疇數"), ordering="scope_total")
    def scope_count(self, obj: Agency) -> int:
        return obj.scope_total


@admin.register(Bulletin)
class BulletinAdmin(CatalogueAdmin):
    list_display = ("title", "issuing_agency", "slug", "programme_count")
    list_select_related = ("issuing_agency",)
    search_fields = ("title", "slug", "issuing_agency__name")
    fieldsets = ((None, {"fields": ("title", "issuing_agency", "slug")}),)

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return super().get_queryset(request).annotate(programme_total=Count("programmes"))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        readonly = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and obj.has_public_edition:
            return (*readonly, "slug")  # in the public URLs and file names: see Bulletin.save
        return readonly

    @admin.display(description=_("政策性產業數"), ordering="programme_total")
    def programme_count(self, obj: Bulletin) -> int:
        return obj.programme_total


# Programmes and their scopes


def _agency_names(agencies: Any) -> str:
    return "、".join(agency.short_name or agency.name for agency in agencies)


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

    def _save_m2m(self) -> None:
        super()._save_m2m()
        self.instance.set_agencies(self.cleaned_data["agency_list"])


class ScopeInline(OrderedInline):
    model = Scope
    fields = ("order", "title", "description", "headline", "agency_names")
    readonly_fields = ("agency_names",)
    show_change_link = True
    verbose_name = _("產業範疇")
    verbose_name_plural = _("產業範疇（部會與認定方式請點「變更」至各範疇頁面編輯）")

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return (
            super()
            .get_queryset(request)
            .select_related("programme")
            .prefetch_related("agency_links__agency")
        )

    @admin.display(description=_("部會/機關"))
    def agency_names(self, obj: Scope) -> str:
        return _agency_names(obj.ordered_agencies) if obj.pk else ""


def _search_terms(search_term: str) -> list[str]:
    terms = []
    for bit in smart_split(search_term):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        if bit:
            terms.append(bit)
    return terms


def _searched(
    queryset: models.QuerySet, search_term: str, matches: Callable[[str], Q]
) -> models.QuerySet:
    """queryset narrowed to the rows that match every word of search_term.

    The matching rows are found once, by one query, and named by their pks: the changelist
    counts its results and then reads its page, and each would otherwise search every text
    again (half the page's time in the database at 100×)."""
    terms = _search_terms(search_term)
    if not terms:
        return queryset
    found = queryset.model._default_manager.order_by()
    for term in terms:
        found = found.filter(matches(term))
    return queryset.filter(pk__in=list(found.values_list("pk", flat=True)))


def _containing(term: str, *fields: str) -> Q:
    found = Q()
    for field in fields:
        found |= Q(**{f"{field}__icontains": term})
    return found


def _having(term: str, model: type[models.Model], path: str, *fields: str) -> Q:
    """Rows whose pk is the `path` of some `model` row with term in one of its fields."""
    return Q(pk__in=model._default_manager.filter(_containing(term, *fields)).values(path))


def _programme_matches(term: str) -> Q:
    """Programmes with term in their name or in any text of their scopes and their parts."""
    return (
        Q(name__icontains=term)
        | _having(term, Scope, "programme_id", "title", "description", "headline", "note")
        | _having(term, ScopeAgency, "scope__programme_id", "agency__name", "agency__short_name")
        | _having(term, Target, "scope__programme_id", "text")
        | _having(term, Strategy, "scope__programme_id", "heading", "items")
        | _having(term, Section, "scope__programme_id", "heading", "items")
    )


def _scope_matches(term: str) -> Q:
    """Scopes with term in their texts, their programme's name or any text of their parts."""
    return (
        _containing(term, "title", "description", "headline", "note", "programme__name")
        | _having(term, ScopeAgency, "scope_id", "agency__name", "agency__short_name")
        | _having(term, Target, "scope_id", "text")
        | _having(term, Strategy, "scope_id", "heading", "items")
        | _having(term, Section, "scope_id", "heading", "items")
    )


@admin.register(Programme)
class ProgrammeAdmin(SpreadsheetAdminMixin, CatalogueAdmin):
    list_display = ("serial", "name", "period", "scope_count", "agency_names", "bulletin")
    list_display_links = ("serial", "name")
    list_select_related = ("bulletin",)
    list_filter = ("bulletin", "scopes__agencies", "open_end")
    search_fields = (
        "name",
        "scopes__title",
        "scopes__description",
        "scopes__headline",
        "scopes__note",
        "scopes__agencies__name",
        "scopes__agencies__short_name",
        "scopes__targets__text",
        "scopes__strategies__heading",
        "scopes__strategies__items",
        "scopes__sections__heading",
        "scopes__sections__items",
    )
    search_help_text = _("搜尋名稱、產業範疇、願景、推動目標、推動策略、段落與部會名稱。")
    ordering = ("bulletin", "serial")
    # Django's 100 rows cost most of the page's time once a bulletin is that long (each row's
    # checkbox is a rendered widget, each link resolves its URL to keep the search): 50 rows
    # halve it. The real bulletin (9 programmes, 20 scopes) fits on one page either way.
    list_per_page = 50
    fieldsets = (
        (None, {"fields": ("bulletin", "serial", "name")}),
        (
            _("實施期間（民國年）"),
            {
                "fields": (("period_start", "period_end", "open_end"),),
                "description": _("填寫結束年，或選擇「未定」或「迄今」，兩者擇一。"),
            },
        ),
    )
    inlines = (ScopeInline,)
    timeline_title = _("產業範疇、推動目標、推動策略與其他段落的變更")

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        # The list reads only each scope's agencies, in order: no scope texts, and the links
        # ordered by position alone (their Meta ordering would join scope, programme and
        # bulletin again to sort what is already grouped by scope).
        links = ScopeAgency.objects.order_by("position").select_related("agency")
        scopes = (
            Scope.objects.order_by("order")
            .only("pk", "programme_id")
            .prefetch_related(Prefetch("agency_links", queryset=links))
        )
        return (
            super()
            .get_queryset(request)
            .annotate(scope_total=Count("scopes", distinct=True))
            .prefetch_related(Prefetch("scopes", queryset=scopes, to_attr="ordered_scopes"))
        )

    @admin.display(description=_("實施期間（民國）"), ordering="period_start")
    def period(self, obj: Programme) -> str:
        return obj.period_display

    @admin.display(description=_("產業範疇數"), ordering="scope_total")
    def scope_count(self, obj: Programme) -> int:
        return obj.scope_total

    @admin.display(description=_("部會/機關"))
    def agency_names(self, obj: Programme) -> str:
        # In the order the scopes name them: the programme's first agency first.
        agencies: dict[int, Agency] = {}
        for scope in obj.ordered_scopes:
            for agency in scope.ordered_agencies:
                agencies.setdefault(agency.pk, agency)
        return _agency_names(agencies.values())

    def get_history_timeline(self, object_id: Any) -> list[Entry]:
        return programme_timeline(object_id)

    def get_search_results(
        self, request: HttpRequest, queryset: models.QuerySet, search_term: str
    ) -> tuple[models.QuerySet, bool]:
        """search_fields' semantics (every word in some field, case-insensitive, quotes keep a
        phrase), with each related table searched on its own. Django's own search joins
        scopes, agencies, targets, strategies and sections in one query, whose rows multiply
        (each scope's agencies × targets × strategies × sections) and which took 0.26 s on
        PostgreSQL at 100 times the real bulletin."""
        return _searched(queryset, search_term, _programme_matches), False


class TargetInline(OrderedInline):
    model = Target
    fields = ("order", "text", "value", "unit", "deadline_year")


class StrategyInline(OrderedInline):
    model = Strategy
    fields = ("order", "heading", "items")


class SectionInline(OrderedInline):
    model = Section
    fields = ("order", "heading", "items")


@admin.register(Scope)
class ScopeAdmin(CatalogueAdmin):
    list_display = ("programme_serial", "order", "label", "programme", "agency_names", "headline")
    list_display_links = ("label",)
    list_select_related = ("programme", "programme__bulletin")
    list_filter = ("programme__bulletin", "programme", "agencies")
    search_fields = (
        "title",
        "description",
        "headline",
        "note",
        "programme__name",
        "agencies__name",
        "agencies__short_name",
        "targets__text",
        "strategies__heading",
        "strategies__items",
        "sections__heading",
        "sections__items",
    )
    search_help_text = _(
        "搜尋範疇名稱與說明、願景、推動目標、推動策略、段落、政策性產業與部會名稱。"
    )
    ordering = ("programme__bulletin", "programme__serial", "order")
    list_per_page = 50  # as ProgrammeAdmin's
    form = ScopeForm
    fieldsets = (
        (None, {"fields": ("programme", "order", "title", "description", "agency_list")}),
        (_("認定方式"), {"fields": ("headline", "note")}),
    )
    inlines = (TargetInline, StrategyInline, SectionInline)
    timeline_title = _("推動目標、推動策略與其他段落的變更")

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return (
            super()
            .get_queryset(request)
            .select_related("programme", "programme__bulletin")
            .prefetch_related("agency_links__agency")
        )

    @admin.display(description=_("序號"), ordering="programme__serial")
    def programme_serial(self, obj: Scope) -> int:
        return obj.programme.serial

    @admin.display(description=_("產業範疇"), ordering="title")
    def label(self, obj: Scope) -> str:
        return obj.display_title or obj.description[:30]

    @admin.display(description=_("部會/機關"))
    def agency_names(self, obj: Scope) -> str:
        return _agency_names(obj.ordered_agencies)

    def get_history_timeline(self, object_id: Any) -> list[Entry]:
        return scope_timeline(object_id)

    def get_search_results(
        self, request: HttpRequest, queryset: models.QuerySet, search_term: str
    ) -> tuple[models.QuerySet, bool]:
        """search_fields' semantics with each related table searched on its own, as for the
        programmes (ProgrammeAdmin.get_search_results): Django's own search joins agencies,
        targets, strategies and sections (14,000 rows for 2,000 scopes) and then needs
        SELECT DISTINCT over them; it took 80 ms a query on PostgreSQL at 100×."""
        return _searched(queryset, search_term, _scope_matches), False


# The parts of a scope's recognition text, also listed on their own for searching.


class ScopePartAdmin(CatalogueAdmin):
    list_select_related = ("scope", "scope__programme")
    list_filter = ("scope__programme__bulletin", "scope__programme", "scope__agencies")
    ordering = ("scope__programme__serial", "scope__order", "order")

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        if db_field.name == "scope":
            # A scope names itself by its programme's serial: one query for the whole list.
            kwargs["queryset"] = Scope.objects.select_related("programme")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("產業範疇"), ordering="scope__programme__serial")
    def scope_label(self, obj: Any) -> str:
        return str(obj.scope)


@admin.register(Target)
class TargetAdmin(ScopePartAdmin):
    list_display = ("scope_label", "order", "text", "figure", "deadline")
    list_display_links = ("text",)
    search_fields = ("text", "unit", "scope__title", "scope__programme__name")
    fieldsets = ((None, {"fields": ("scope", "order", "text", "value", "unit", "deadline_year")}),)

    @admin.display(description=_("數值"))
    def figure(self, obj: Target) -> str:
        if obj.value is None:
            return ""
        return f"{plain_decimal(obj.value)} {obj.unit}".strip()

    @admin.display(description=_("目標年（民國）"), ordering="deadline_year")
    def deadline(self, obj: Target) -> str:
        return gettext("%(year)s年") % {"year": obj.deadline_year} if obj.deadline_year else ""


class HeadedListAdmin(ScopePartAdmin):
    list_display = ("scope_label", "order", "heading", "item_count")
    list_display_links = ("heading",)
    search_fields = ("heading", "items", "scope__title", "scope__programme__name")
    fieldsets = ((None, {"fields": ("scope", "order", "heading", "items")}),)

    @admin.display(description=_("項目數"))
    def item_count(self, obj: Any) -> int:
        return len(obj.item_list)


@admin.register(Strategy)
class StrategyAdmin(HeadedListAdmin):
    pass


@admin.register(Section)
class SectionAdmin(HeadedListAdmin):
    pass


# Accounts: only superusers manage users and groups, whatever permissions a staff member holds,
# so nobody can grant themselves a role.
class SuperuserOnlyAdminMixin:
    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)


class AccountAdmin(SuperuserOnlyAdminMixin, UserAdmin):
    # The sign-in and joining moments are shown the agency's way and not typed in: Django would
    # show them as 2026年12月2日 and edit them with a western calendar.
    fieldsets = tuple(
        (name, {**options, "fields": ("last_login_roc", "date_joined_roc")})
        if "date_joined" in options["fields"]
        else (name, options)
        for name, options in UserAdmin.fieldsets or ()
    )
    readonly_fields = ("last_login_roc", "date_joined_roc")

    @admin.display(description=_("上次登入"))
    def last_login_roc(self, user: Any) -> str:
        return roc_display(user.last_login) or "-"

    @admin.display(description=_("加入日期"))
    def date_joined_roc(self, user: Any) -> str:
        return roc_display(user.date_joined)


class RoleGroupAdmin(SuperuserOnlyAdminMixin, GroupAdmin):
    pass


for _model, _admin in ((get_user_model(), AccountAdmin), (Group, RoleGroupAdmin)):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _admin)
