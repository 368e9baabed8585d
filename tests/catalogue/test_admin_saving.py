"""Saving in the admin writes one revision per changed object, with the editor and the reason.

The tests post the admin's real forms, inline management forms included, as a browser would:
the data is read from the change page the editor was shown.
"""

from typing import Any

import pytest
from django import forms
from django.urls import reverse

from catalogue.admin.forms import AGENCY_SLOTS
from catalogue.models import Agency, Programme, Scope, Section, Strategy, Target


def form_data(response: Any, **changes: Any) -> dict[str, Any]:
    """What the browser would send back for an admin change page, with some values changed."""
    data: dict[str, Any] = {}
    all_forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        all_forms.append(formset.management_form)
        all_forms.extend(formset.forms)
    for form in all_forms:
        for name, field in form.fields.items():
            value = form[name].value()
            key = form.add_prefix(name)
            if isinstance(field, forms.BooleanField):
                if value:
                    data[key] = "on"
                continue
            if isinstance(field.widget, forms.MultiWidget):
                # One input per place, as a browser sends them (a scope's ordered agencies).
                for index, part in enumerate(field.widget.decompress(value) or value or []):
                    data[f"{key}_{index}"] = "" if part is None else str(getattr(part, "pk", part))
                continue
            if isinstance(value, list | tuple):
                data[key] = [str(getattr(v, "pk", v)) for v in value]
            else:
                # Browsers send a textarea's lines separated by CR LF.
                data[key] = "" if value is None else str(value).replace("\n", "\r\n")
    data.update(changes)
    return data


def agency_slots(*agencies: Agency) -> dict[str, str]:
    """A scope form's agencies, in this order, as the browser posts the numbered choices."""
    return {
        f"agency_list_{index}": str(agencies[index].pk) if index < len(agencies) else ""
        for index in range(AGENCY_SLOTS)
    }


def change_url(obj: Any) -> str:
    return reverse(f"admin:catalogue_{obj._meta.model_name}_change", args=[obj.pk])


@pytest.fixture
def signed_in_editor(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def semiconductor(demo_bulletin) -> Scope:
    """【半導體】 of programme 1: five targets, four strategies."""
    return Scope.objects.get(programme__bulletin=demo_bulletin, programme__serial=1, order=1)


def _post_change(client: Any, obj: Any, **changes: Any) -> Any:
    page = client.get(change_url(obj))
    assert page.status_code == 200
    return client.post(change_url(obj), form_data(page, **changes))


def test_editor_changing_a_programme_writes_one_revision_with_user_and_reason(
    signed_in_editor, editor, demo_bulletin
):
    programme = Programme.objects.get(bulletin=demo_bulletin, serial=4)
    before = programme.history.count()
    response = _post_change(
        signed_in_editor,
        programme,
        name="新南向政策推動計畫（修訂）",
        change_reason="依院函修正名稱",
    )
    assert response.status_code == 302
    assert programme.history.count() == before + 1
    revision = programme.history.first()
    assert revision.name == "新南向政策推動計畫（修訂）"
    assert revision.history_type == "~"
    assert revision.history_user == editor
    assert revision.history_change_reason == "依院函修正名稱"


def test_a_change_without_a_reason_is_recorded_as_a_back_office_edit(
    signed_in_editor, demo_bulletin
):
    programme = Programme.objects.get(bulletin=demo_bulletin, serial=4)
    _post_change(signed_in_editor, programme, period_start="107")
    assert programme.history.first().history_change_reason == "後台編輯"


def test_saving_an_unchanged_programme_writes_no_revision(signed_in_editor, demo_bulletin):
    programme = Programme.objects.get(bulletin=demo_bulletin, serial=1)
    scope_ids = list(programme.scopes.values_list("pk", flat=True))
    before = (programme.history.count(), Scope.history.filter(id__in=scope_ids).count())
    response = _post_change(signed_in_editor, programme, change_reason="只是看看")
    assert response.status_code == 302
    after = (programme.history.count(), Scope.history.filter(id__in=scope_ids).count())
    assert after == before


def test_saving_an_unchanged_scope_with_multi_line_items_writes_no_revision(
    signed_in_editor, semiconductor
):
    assert "\n" in semiconductor.strategies.first().items
    history = [Scope.history.count(), Target.history.count(), Strategy.history.count()]
    response = _post_change(signed_in_editor, semiconductor)
    assert response.status_code == 302
    assert [Scope.history.count(), Target.history.count(), Strategy.history.count()] == history
    assert "\r" not in semiconductor.strategies.first().items


def test_changing_one_inline_scope_writes_a_revision_for_that_scope_only(
    signed_in_editor, editor, demo_bulletin
):
    programme = Programme.objects.get(bulletin=demo_bulletin, serial=1)
    scopes = list(programme.scopes.order_by("order"))
    counts = {scope.pk: scope.history.count() for scope in scopes}
    page = signed_in_editor.get(change_url(programme))
    data = form_data(page, change_reason="修正願景文字")
    data["scopes-1-headline"] = "成為全球AI智慧島"
    response = signed_in_editor.post(change_url(programme), data)
    assert response.status_code == 302
    assert programme.history.count() == 1  # the programme itself is unchanged
    for scope in scopes:
        expected = counts[scope.pk] + (1 if scope.order == 2 else 0)
        assert scope.history.count() == expected
    revision = scopes[1].history.first()
    assert revision.headline == "成為全球AI智慧島"
    assert revision.history_user == editor
    assert revision.history_change_reason == "修正願景文字"


def test_editor_creating_a_programme_with_a_scope_writes_a_creation_revision_for_each(
    signed_in_editor, editor, demo_bulletin
):
    page = signed_in_editor.get(reverse("admin:catalogue_programme_add"))
    data = form_data(
        page,
        bulletin=str(demo_bulletin.pk),
        serial="10",
        name="測試產業推動方案",
        period_start="115",
        period_end="118",
        change_reason="新增測試方案",
    )
    data.update(
        {
            "scopes-TOTAL_FORMS": "1",
            "scopes-0-order": "1",
            "scopes-0-title": "測試",
            "scopes-0-description": "包括測試",
        }
    )
    response = signed_in_editor.post(reverse("admin:catalogue_programme_add"), data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    programme = Programme.objects.get(serial=10)
    [created] = programme.history.all()
    assert (created.history_type, created.history_user, created.history_change_reason) == (
        "+",
        editor,
        "新增測試方案",
    )
    [scope_created] = programme.scopes.get().history.all()
    assert (scope_created.history_type, scope_created.history_change_reason) == (
        "+",
        "新增測試方案",
    )


def test_changing_a_scopes_agencies_writes_one_revision_holding_the_new_agencies(
    signed_in_editor, editor, semiconductor
):
    before = semiconductor.history.count()
    nstc = Agency.objects.get(short_name="國科會")
    moea = (
        Agency.objects.get(short_name="經濟部")
        if Agency.objects.filter(short_name="經濟部").exists()
        else Agency.objects.get(name="經濟部")
    )
    response = _post_change(
        signed_in_editor,
        semiconductor,
        **agency_slots(nstc, moea),
        change_reason="增列國科會",
    )
    assert response.status_code == 302
    assert semiconductor.history.count() == before + 1
    revision = semiconductor.history.first()
    rows = revision.agencies.order_by("position")
    assert [row.agency_id for row in rows] == [nstc.pk, moea.pk]
    assert revision.history_user == editor
    assert revision.history_change_reason == "增列國科會"


def test_creating_a_scope_writes_one_revision_with_its_agencies(signed_in_editor, demo_bulletin):
    programme = Programme.objects.get(bulletin=demo_bulletin, serial=4)
    agency = Agency.objects.get(name="經濟部")
    page = signed_in_editor.get(reverse("admin:catalogue_scope_add"))
    data = form_data(
        page,
        programme=str(programme.pk),
        order="2",
        title="新範疇",
        description="包括新項目",
        **agency_slots(agency),
    )
    response = signed_in_editor.post(reverse("admin:catalogue_scope_add"), data)
    assert response.status_code == 302
    scope = Scope.objects.get(programme=programme, order=2)
    [revision] = scope.history.all()
    assert revision.history_type == "+"
    assert revision.history_change_reason == "後台新增"
    assert [row.agency_id for row in revision.agencies.all()] == [agency.pk]


def test_changing_one_target_inline_writes_one_revision_for_it_and_none_for_the_scope(
    signed_in_editor, editor, semiconductor
):
    targets = list(semiconductor.targets.order_by("order"))
    scope_before = semiconductor.history.count()
    page = signed_in_editor.get(change_url(semiconductor))
    data = form_data(page, change_reason="更新產值")
    data["targets-0-text"] = targets[0].text + "（修訂）"
    response = signed_in_editor.post(change_url(semiconductor), data)
    assert response.status_code == 302
    assert semiconductor.history.count() == scope_before
    assert targets[0].history.count() == 2
    assert targets[0].history.first().history_change_reason == "更新產值"
    assert targets[0].history.first().history_user == editor
    assert all(target.history.count() == 1 for target in targets[1:])


def test_deleting_a_target_inline_records_the_deletion_with_user_and_reason(
    signed_in_editor, editor, semiconductor
):
    target = semiconductor.targets.order_by("order").last()
    page = signed_in_editor.get(change_url(semiconductor))
    index = len(page.context["inline_admin_formsets"][0].formset.forms) - 1
    data = form_data(page, change_reason="目標已達成")
    data[f"targets-{index}-DELETE"] = "on"
    response = signed_in_editor.post(change_url(semiconductor), data)
    assert response.status_code == 302
    assert not Target.objects.filter(pk=target.pk).exists()
    deletion = Target.history.filter(id=target.pk).first()
    assert (deletion.history_type, deletion.history_user, deletion.history_change_reason) == (
        "-",
        editor,
        "目標已達成",
    )


def test_deleting_a_scope_in_the_admin_records_it_and_its_parts_with_the_editor(
    signed_in_editor, editor, semiconductor
):
    strategy_ids = list(semiconductor.strategies.values_list("pk", flat=True))
    url = reverse("admin:catalogue_scope_delete", args=[semiconductor.pk])
    response = signed_in_editor.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Scope.objects.filter(pk=semiconductor.pk).exists()
    deletions = [
        Scope.history.filter(id=semiconductor.pk).first(),
        *(Strategy.history.filter(id=pk).first() for pk in strategy_ids),
    ]
    assert {(d.history_type, d.history_user, d.history_change_reason) for d in deletions} == {
        ("-", editor, "後台刪除")
    }


def test_swapping_two_targets_orders_in_one_save_works_and_writes_one_revision_each(
    signed_in_editor, semiconductor
):
    first, second = semiconductor.targets.order_by("order")[:2]
    page = signed_in_editor.get(change_url(semiconductor))
    data = form_data(page, change_reason="調整順序")
    data["targets-0-order"], data["targets-1-order"] = "2", "1"
    response = signed_in_editor.post(change_url(semiconductor), data)
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.order, second.order) == (2, 1)
    assert [r.order for r in first.history.all()] == [2, 1]
    assert [r.order for r in second.history.all()] == [1, 2]


def test_moving_a_section_into_an_order_another_one_leaves_works(signed_in_editor, demo_bulletin):
    scope = Scope.objects.get(programme__bulletin=demo_bulletin, programme__serial=9, order=2)
    orders_before = list(scope.sections.order_by("order").values_list("heading", flat=True))
    page = signed_in_editor.get(change_url(scope))
    data = form_data(page)
    count = len(orders_before)
    for index in range(count):  # rotate: every section moves down one, the last to the top
        data[f"sections-{index}-order"] = str(index + 2 if index + 1 < count else 1)
    response = signed_in_editor.post(change_url(scope), data)
    assert response.status_code == 302
    after = list(scope.sections.order_by("order").values_list("heading", flat=True))
    assert after == [orders_before[-1], *orders_before[:-1]]
    assert Section.history.filter(scope_id=scope.pk, history_type="~").count() == count


def test_two_targets_with_the_same_order_give_a_chinese_form_error_and_change_nothing(
    signed_in_editor, semiconductor
):
    before = list(semiconductor.targets.order_by("order").values_list("pk", "order"))
    history_before = Target.history.count()
    page = signed_in_editor.get(change_url(semiconductor))
    data = form_data(page)
    data["targets-1-order"] = "1"
    response = signed_in_editor.post(change_url(semiconductor), data)
    assert response.status_code == 200
    assert "順序 1 重複" in response.content.decode()
    assert list(semiconductor.targets.order_by("order").values_list("pk", "order")) == before
    assert Target.history.count() == history_before


def test_two_inline_scopes_with_the_same_order_give_a_chinese_form_error(
    signed_in_editor, demo_bulletin
):
    programme = Programme.objects.get(bulletin=demo_bulletin, serial=3)
    page = signed_in_editor.get(change_url(programme))
    data = form_data(page)
    data["scopes-2-order"] = "2"
    response = signed_in_editor.post(change_url(programme), data)
    assert response.status_code == 200
    assert "順序 2 重複" in response.content.decode()


def test_a_period_ending_before_it_starts_is_a_chinese_form_error(signed_in_editor, demo_bulletin):
    programme = Programme.objects.get(bulletin=demo_bulletin, serial=1)
    response = _post_change(signed_in_editor, programme, period_end="100")
    assert response.status_code == 200
    assert "實施結束年不可早於起始年。" in response.content.decode()
    assert programme.history.count() == 1
