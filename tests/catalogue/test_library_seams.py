"""Where the catalogue leans on a library, the library still behaves as the catalogue reads it.

Checked against Django 5.2.19 and django-simple-history 3.13.0: a test here fails when an
upgrade changes what we rely on (see catalogue.history.revision_m2m_fields, delete_with_history,
catalogue.admin.forms.marked_for_deletion and ScopeForm.save).
"""

import pytest
from django.forms import inlineformset_factory, modelform_factory

from catalogue.admin.forms import OrderedInlineFormSet, ScopeForm, marked_for_deletion
from catalogue.history import delete_with_history, revision_m2m_fields
from catalogue.models import Agency, Scope, Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def semiconductor(demo_bulletin) -> Scope:
    return Scope.objects.get(programme__bulletin=demo_bulletin, programme__serial=1, order=1)


def test_the_revisions_many_to_many_fields_are_those_simple_history_records() -> None:
    # simple-history keeps the list on the historical model under a private name only.
    recorded = Scope.history.model._history_m2m_fields
    assert revision_m2m_fields(Scope) == list(recorded) == [Scope._meta.get_field("agencies")]
    assert revision_m2m_fields(Target) == []


def test_a_deletion_names_who_and_why_on_every_cascaded_revision(semiconductor, editor) -> None:
    scope_id = semiconductor.pk
    target_ids = list(semiconductor.targets.values_list("pk", flat=True))
    delete_with_history([semiconductor], user=editor, reason="範疇合併")

    assert not Scope.objects.filter(pk=scope_id).exists()
    deleted = Target.history.filter(id__in=target_ids, history_type="-")
    assert deleted.count() == len(target_ids) > 0
    assert {(r.history_user, r.history_change_reason) for r in deleted} == {(editor, "範疇合併")}
    scope = Scope.history.get(id=scope_id, history_type="-")
    assert (scope.history_user, scope.history_change_reason) == (editor, "範疇合併")


def test_a_deletion_outside_delete_with_history_names_nobody(semiconductor, editor) -> None:
    target = semiconductor.targets.first()
    target_id = target.pk
    delete_with_history([], user=editor, reason="無")
    target.delete()
    record = Target.history.get(id=target_id, history_type="-")
    assert record.history_user is None


def test_the_rows_marked_for_deletion_are_the_formsets_deleted_forms(semiconductor) -> None:
    formset_class = inlineformset_factory(
        Scope, Target, formset=OrderedInlineFormSet, fields=("order", "text"), extra=0
    )
    targets = list(semiconductor.targets.order_by("order"))
    data = {
        "targets-TOTAL_FORMS": len(targets),
        "targets-INITIAL_FORMS": len(targets),
    }
    for i, target in enumerate(targets):
        data |= {
            f"targets-{i}-id": target.pk,
            f"targets-{i}-scope": semiconductor.pk,
            f"targets-{i}-order": target.order,
            f"targets-{i}-text": target.text,
        }
    data["targets-1-DELETE"] = "on"
    formset = formset_class(data, instance=semiconductor, prefix="targets")

    assert formset.is_valid(), formset.errors
    marked = [form for form in formset.forms if marked_for_deletion(form)]
    assert marked == formset.deleted_forms == [formset.forms[1]]


def _scope_form_data(scope: Scope, agencies: list[Agency]) -> dict:
    data = {
        "programme": scope.programme_id,
        "order": scope.order,
        "title": scope.title,
        "description": scope.description,
        "headline": scope.headline,
        "note": scope.note,
        "read_version": scope.version,
    }
    for place, agency in enumerate(agencies):
        data[f"agency_list_{place}"] = agency.pk
    return data


@pytest.mark.parametrize("commit", [True, False])
def test_the_scope_form_saves_the_agencies_in_order_with_or_without_commit(
    semiconductor, commit
) -> None:
    agencies = list(Agency.objects.order_by("-pk")[:2])
    form_class = modelform_factory(
        Scope,
        form=ScopeForm,
        fields=("programme", "order", "title", "description", "headline", "note"),
    )
    form = form_class(_scope_form_data(semiconductor, agencies), instance=semiconductor)
    assert form.is_valid(), form.errors

    scope = form.save(commit=commit)
    if not commit:
        scope.save()
        form.save_m2m()

    assert Scope.objects.get(pk=scope.pk).ordered_agencies == agencies
