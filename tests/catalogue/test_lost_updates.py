"""No lost updates: a save against a version older than the stored one is refused on every path.

Two editors open the same page; the first saves; the second's save is refused with one sentence
naming who changed it and when, a link to that change, and the second editor's input kept.
The same holds for a page opened before a spreadsheet import, for a revert, and for the ORM.
"""

import re
from typing import Any

import pytest
import tablib
from django import forms
from django.urls import reverse

from catalogue.history import attribute, revert_to
from catalogue.models import Agency, Bulletin, Programme, Scope, Section, Strategy, Target
from catalogue.roc import roc_datetime_short
from catalogue.spreadsheet.formats import FORMATS
from catalogue.spreadsheet.importer import ImportRefused
from catalogue.spreadsheet.resources import export_dataset
from catalogue.spreadsheet.services import import_bulletin, preview_import
from catalogue.versioning import StaleVersion

FILE_NAME = "114年彙整表-編輯.csv"


def form_data(response: Any, **changes: Any) -> dict[str, Any]:
    """What the browser would send back for an admin change page (as in test_admin_saving)."""
    data: dict[str, Any] = {}
    all_forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        all_forms += [inline.formset.management_form, *inline.formset.forms]
    for form in all_forms:
        for name, field in form.fields.items():
            value = form[name].value()
            key = form.add_prefix(name)
            if isinstance(field, forms.BooleanField):
                if value:
                    data[key] = "on"
            elif isinstance(field.widget, forms.MultiWidget):
                # One input per place, as a browser sends them (a scope's ordered agencies).
                for index, part in enumerate(field.widget.decompress(value)):
                    data[f"{key}_{index}"] = "" if part is None else str(part)
            elif isinstance(value, list | tuple):
                data[key] = [str(getattr(v, "pk", v)) for v in value]
            else:
                data[key] = "" if value is None else str(value).replace("\n", "\r\n")
    data.update(changes)
    return data


def change_url(obj: Any) -> str:
    return reverse(f"admin:catalogue_{obj._meta.model_name}_change", args=[obj.pk])


def rows_of(bulletin: Any) -> list[dict]:
    dataset = export_dataset(bulletin)
    return [dict(zip(dataset.headers, row, strict=True)) for row in dataset]


def csv_of(rows: list[dict]) -> bytes:
    dataset = tablib.Dataset(headers=list(rows[0]))
    for row in rows:
        dataset.append(list(row.values()))
    return FORMATS["csv"].export_data(dataset)


@pytest.fixture
def semiconductor(demo_bulletin) -> Scope:
    return Scope.objects.get(programme__bulletin=demo_bulletin, programme__serial=1, order=1)


def _open(client: Any, user: Any, obj: Any) -> Any:
    client.force_login(user)
    page = client.get(change_url(obj))
    assert page.status_code == 200
    return page


def _errors(response: Any) -> str:
    form = response.context["adminform"].form
    return " ".join(str(e) for e in form.non_field_errors())


def test_the_second_of_two_editors_saving_the_same_scope_is_refused_and_keeps_their_input(
    client, editor, second_editor, semiconductor
):
    first, second = client, client.__class__()
    page_one = _open(first, editor, semiconductor)
    page_two = _open(second, second_editor, semiconductor)

    saved = first.post(change_url(semiconductor), form_data(page_one, headline="第一位的願景"))
    assert saved.status_code == 302
    refused = second.post(change_url(semiconductor), form_data(page_two, headline="第二位的願景"))

    assert refused.status_code == 200
    semiconductor.refresh_from_db()
    assert semiconductor.headline == "第一位的願景"
    latest = semiconductor.history.first()
    message = _errors(refused)
    assert "editor1" in message
    assert roc_datetime_short(latest.history_date) in message
    assert "本次未儲存" in message
    compare = reverse("admin:catalogue_scope_history_compare", args=[semiconductor.pk])
    assert f'href="{compare}?old=' in message
    assert f"new={latest.history_id}" in message
    assert f'<a href="{compare}?old=' in refused.content.decode()
    assert 'value="第二位的願景"' in refused.content.decode()


def test_a_second_save_from_a_freshly_opened_page_goes_through(
    client, editor, second_editor, semiconductor
):
    first = _open(client, editor, semiconductor)
    assert (
        client.post(change_url(semiconductor), form_data(first, headline="甲")).status_code == 302
    )
    again = _open(client, second_editor, semiconductor)
    assert (
        client.post(change_url(semiconductor), form_data(again, headline="乙")).status_code == 302
    )
    semiconductor.refresh_from_db()
    assert semiconductor.headline == "乙"


@pytest.mark.parametrize(
    ("model", "field", "value"),
    [
        (Agency, "short_name", "經部"),
        (Bulletin, "title", "政府推動之「政策性產業」彙整表（修訂）"),
        (Programme, "name", "五大信賴產業推動方案（修訂）"),
        (Target, "text", "半導體產值增加3成（修訂）"),
        (Strategy, "heading", "推動策略（修訂）"),
        (Section, "heading", "段落（修訂）"),
    ],
)
def test_every_catalogue_form_refuses_a_save_against_a_newer_version(
    client, editor, second_editor, demo_bulletin, model, field, value
):
    obj = model.objects.order_by("pk").first()
    page = _open(client, editor, obj)
    meanwhile = model.objects.get(pk=obj.pk)
    attribute(meanwhile, user=second_editor, reason="同時修改")
    meanwhile.save()

    response = client.post(change_url(obj), form_data(page, **{field: value}))

    assert response.status_code == 200
    assert "editor2" in _errors(response)
    obj.refresh_from_db()
    assert getattr(obj, field) != value


def test_a_programme_form_whose_scope_changed_meanwhile_is_refused(
    client, editor, second_editor, demo_bulletin
):
    programme = Programme.objects.get(bulletin=demo_bulletin, serial=1)
    page = _open(client, editor, programme)
    scope = programme.scopes.get(order=2)
    attribute(scope, user=second_editor, reason="同時修改範疇")
    scope.headline = "別人改的願景"
    scope.save()

    response = client.post(change_url(programme), form_data(page, name="五大信賴產業（修訂）"))

    assert response.status_code == 200
    scope_errors = " ".join(
        str(error)
        for inline in response.context["inline_admin_formsets"]
        for form in inline.formset.forms
        for error in form.non_field_errors()
    )
    assert "editor2" in scope_errors
    programme.refresh_from_db()
    scope.refresh_from_db()
    assert programme.name == "五大信賴產業推動方案"
    assert scope.headline == "別人改的願景"


def test_a_scope_form_whose_target_changed_meanwhile_is_refused(
    client, editor, second_editor, semiconductor
):
    page = _open(client, editor, semiconductor)
    target = semiconductor.targets.order_by("order").first()
    attribute(target, user=second_editor, reason="同時修改目標")
    target.text = "別人改的目標"
    target.save()

    response = client.post(change_url(semiconductor), form_data(page, note="我的備註"))

    assert response.status_code == 200
    semiconductor.refresh_from_db()
    target.refresh_from_db()
    assert semiconductor.note != "我的備註"
    assert target.text == "別人改的目標"


def test_an_admin_form_opened_before_an_import_and_saved_after_it_is_refused(
    client, editor, second_editor, demo_bulletin, semiconductor
):
    page = _open(client, editor, semiconductor)
    rows = rows_of(demo_bulletin)
    rows[0]["產業範疇說明"] = "匯入的說明。"
    import_bulletin(
        bulletin=demo_bulletin,
        content=csv_of(rows),
        file_name=FILE_NAME,
        user=second_editor,
        allow_delete=False,
    )

    response = client.post(change_url(semiconductor), form_data(page, headline="表單的願景"))

    assert response.status_code == 200
    assert "editor2" in _errors(response)
    semiconductor.refresh_from_db()
    assert (semiconductor.description, semiconductor.headline) == (
        "匯入的說明。",
        "成為全球半導體全供應鏈主導者",
    )


def test_an_import_confirmed_after_a_save_that_changed_no_cell_is_still_refused(
    demo_bulletin, editor, second_editor, semiconductor
):
    rows = rows_of(demo_bulletin)
    rows[0]["願景"] = "匯入的願景"
    content = csv_of(rows)
    preview = preview_import(
        bulletin=demo_bulletin, content=content, file_name=FILE_NAME, allow_delete=False
    )
    attribute(semiconductor, user=second_editor, reason="只改了部會以外的東西")
    semiconductor.save()

    with pytest.raises(ImportRefused):
        import_bulletin(
            bulletin=demo_bulletin,
            content=content,
            file_name=FILE_NAME,
            user=editor,
            allow_delete=False,
            expected_fingerprint=preview.fingerprint(),
        )
    semiconductor.refresh_from_db()
    assert semiconductor.headline == "成為全球半導體全供應鏈主導者"


def test_a_revert_against_a_newer_version_is_refused(client, editor, second_editor, semiconductor):
    original = semiconductor.history.first()
    attribute(semiconductor, user=editor, reason="改寫")
    semiconductor.headline = "改寫的願景"
    semiconductor.save()
    client.force_login(editor)
    url = reverse(
        "admin:catalogue_scope_simple_history", args=[semiconductor.pk, original.history_id]
    )
    page = client.get(url)
    attribute(semiconductor, user=second_editor, reason="再改")
    semiconductor.headline = "再改的願景"
    semiconductor.save()

    response = client.post(
        url, {"read_version": page.context["object"].version, "reason": "改回原來的願景"}
    )

    assert response.status_code == 200
    text = response.content.decode()
    assert "editor2" in text and "本次未儲存" in text
    semiconductor.refresh_from_db()
    assert semiconductor.headline == "再改的願景"
    with pytest.raises(StaleVersion):
        revert_to(original, user=editor, read_version=page.context["object"].version)


def test_an_orm_save_of_a_stale_object_is_refused_and_a_fresh_one_saves(
    editor, second_editor, semiconductor
):
    stale = Scope.objects.get(pk=semiconductor.pk)
    attribute(semiconductor, user=second_editor, reason="先存")
    semiconductor.headline = "先存的願景"
    semiconductor.save()

    stale.headline = "後存的願景"
    with pytest.raises(StaleVersion) as refusal:
        stale.save()
    assert "editor2" in str(refusal.value.message)
    semiconductor.refresh_from_db()
    assert semiconductor.headline == "先存的願景"

    fresh = Scope.objects.get(pk=semiconductor.pk)
    fresh.headline = "後存的願景"
    fresh.save()
    assert fresh.version == semiconductor.version + 1


def test_the_version_is_not_a_change_in_the_compare_view(editor, semiconductor):
    from catalogue.admin_history.diff import compare

    before = semiconductor.history.first()
    attribute(semiconductor, user=editor, reason="改寫")
    semiconductor.headline = "改寫的願景"
    semiconductor.save()
    after = semiconductor.history.first()
    assert after.version == before.version + 1
    assert [change.name for change in compare(before, after)] == ["headline"]


def test_the_pages_send_the_version_back_as_a_browser_would(client, editor, semiconductor):
    programme_page = _open(client, editor, semiconductor.programme).content.decode()
    scope_page = _open(client, editor, semiconductor).content.decode()
    version = f'value="{semiconductor.version}"'
    assert re_hidden("read_version", version).search(programme_page)
    assert re_hidden("scopes-0-read_version").search(programme_page)
    for prefix in ("targets", "strategies"):
        assert re_hidden(f"{prefix}-0-read_version").search(scope_page)


def re_hidden(name: str, value: str = "") -> "re.Pattern[str]":
    return re.compile(rf'<input type="hidden" name="{name}"[^>]*{value}')


def test_a_page_read_before_a_deletion_stays_stale_after_the_restore(
    client, editor, second_editor, semiconductor
):
    from catalogue.history import delete_with_history

    target = semiconductor.targets.order_by("order").last()
    target_id, text, url = target.pk, target.text, change_url(target)
    page = _open(client, editor, target)
    delete_with_history([target], user=second_editor, reason="誤刪")
    revert_to(Target.history.filter(id=target_id).first(), user=second_editor)

    response = client.post(url, form_data(page, text="舊頁面的目標"))

    assert response.status_code == 200
    assert Target.objects.get(pk=target_id).text == text


def test_a_save_that_fails_leaves_the_object_able_to_save_again(editor, semiconductor):
    from django.db import IntegrityError, transaction

    read = semiconductor.version
    semiconductor.order = 2  # taken by the next scope
    with pytest.raises(IntegrityError), transaction.atomic():
        semiconductor.save()
    assert semiconductor.version == read
    semiconductor.order, semiconductor.headline = 1, "修正後的願景"
    semiconductor.save()
    assert Scope.objects.get(pk=semiconductor.pk).headline == "修正後的願景"
