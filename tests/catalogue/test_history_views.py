"""The history pages: every revision with who and why, compare two, revert (agencies too),
and a programme's page listing the changes of all its parts, deleted ones included."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from catalogue.history import attribute, delete_with_history, one_revision
from catalogue.models import Agency, Programme, Scope, Strategy, Target


@pytest.fixture
def scope(demo_bulletin) -> Scope:
    """【半導體】 of programme 1."""
    return Scope.objects.get(programme__bulletin=demo_bulletin, programme__serial=1, order=1)


def _edit(obj, user, reason: str, **values) -> None:
    for name, value in values.items():
        setattr(obj, name, value)
    attribute(obj, user=user, reason=reason)
    obj.save()


def _history_url(obj_or_model, pk=None) -> str:
    model_name = obj_or_model._meta.model_name
    return reverse(f"admin:catalogue_{model_name}_history", args=[pk or obj_or_model.pk])


def _compare_url(model, pk, old, new) -> str:
    url = reverse(f"admin:catalogue_{model._meta.model_name}_history_compare", args=[pk])
    return f"{url}?{urlencode({'old': old.history_id, 'new': new.history_id})}"


def _revision_url(record) -> str:
    model_name = record.instance_type._meta.model_name
    return reverse(
        f"admin:catalogue_{model_name}_simple_history", args=[record.id, record.history_id]
    )


def _revert(client, record, reason: str = "恢復原來的內容"):
    """Post the revert form as the page the editor was shown would: with the version it read."""
    page = client.get(_revision_url(record))
    data = {"read_version": page.context["object"].version, "reason": reason}
    return client.post(_revision_url(record), data)


def test_history_page_lists_who_when_why_and_what_changed(client, editor, scope):
    _edit(scope, editor, "修正願景", headline="成為全球半導體全供應鏈領航者")
    client.force_login(editor)
    response = client.get(_history_url(scope))
    assert response.status_code == 200
    page = response.content.decode()
    assert "修訂歷史" in page
    assert "editor1" in page
    assert "修正願景" in page
    assert "載入示範資料" in page
    assert "修改" in page and "新增" in page
    newest = response.context["page_obj"].object_list[0]
    assert newest.changed == ["願景"]


def test_compare_page_marks_the_changed_characters(client, approver, editor, scope):
    original = scope.history.first()
    _edit(scope, editor, "修正願景", headline="成為全球半導體全供應鏈領航者")
    changed = scope.history.first()
    client.force_login(approver)
    response = client.get(_compare_url(Scope, scope.pk, original, changed))
    assert response.status_code == 200
    [change] = response.context["changes"]
    assert change.label == "願景"
    assert change.old_marked == "成為全球半導體全供應鏈<del>主導</del>者"
    assert change.new_marked == "成為全球半導體全供應鏈<ins>領航</ins>者"
    assert "<del>主導</del>" in response.content.decode()


def test_compare_page_is_the_same_whichever_revision_is_picked_first(client, editor, scope):
    original = scope.history.first()
    _edit(scope, editor, "修正", title="半導體產業")
    changed = scope.history.first()
    client.force_login(editor)
    forwards = client.get(_compare_url(Scope, scope.pk, original, changed)).context["changes"]
    backwards = client.get(_compare_url(Scope, scope.pk, changed, original)).context["changes"]
    assert forwards == backwards


def test_compare_page_escapes_markup_typed_into_a_text(client, editor, scope):
    original = scope.history.first()
    _edit(scope, editor, "測試", note="<script>alert(1)</script>")
    client.force_login(editor)
    page = client.get(_compare_url(Scope, scope.pk, original, scope.history.first()))
    html = page.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "<ins>&lt;script&gt;alert(1)&lt;/script&gt;</ins>" in html


def test_compare_page_shows_agencies_as_sets_of_names(client, editor, scope):
    original = scope.history.first()
    nstc = Agency.objects.get(name="國家科學及技術委員會")
    with one_revision(scope, user=editor, reason="增列國科會"):
        scope.set_agencies([*scope.ordered_agencies, nstc])
    client.force_login(editor)
    response = client.get(_compare_url(Scope, scope.pk, original, scope.history.first()))
    [change] = response.context["changes"]
    assert change.label == "部會/機關"
    assert "<ins>國家科學及技術委員會</ins>" in change.new_marked
    assert "<del>" not in change.old_marked


def test_compare_page_refuses_revisions_of_another_object(client, editor, scope):
    other = Scope.objects.get(programme__serial=1, order=2)
    client.force_login(editor)
    response = client.get(
        _compare_url(Scope, scope.pk, scope.history.first(), other.history.first())
    )
    assert response.status_code == 302
    assert response["Location"] == _history_url(scope)


def test_editor_reverts_a_scope_and_its_agencies_in_one_revision(client, editor, scope):
    original = scope.history.first()
    agencies_before = set(scope.agencies.values_list("pk", flat=True))
    nstc = Agency.objects.get(name="國家科學及技術委員會")
    with one_revision(scope, user=editor, reason="改寫"):
        scope.description = "包括晶片設計（改寫）"
        scope.save()
        scope.set_agencies([nstc])
    client.force_login(editor)
    page = client.get(_revision_url(original))
    assert page.status_code == 200
    assert "還原至此版本" in page.content.decode()
    count = scope.history.count()

    response = _revert(client, original)

    assert response.status_code == 302
    scope.refresh_from_db()
    assert scope.description == original.description
    assert set(scope.agencies.values_list("pk", flat=True)) == agencies_before
    assert scope.history.count() == count + 1
    revision = scope.history.first()
    assert revision.history_user == editor
    assert revision.history_change_reason.startswith("還原至 ")
    assert f"#{original.history_id}" in revision.history_change_reason
    assert revision.history_change_reason.endswith("版本：恢復原來的內容")
    assert {row.agency_id for row in revision.agencies.all()} == agencies_before


def test_a_revert_without_a_reason_is_refused_and_changes_nothing(client, editor, scope):
    original = scope.history.first()
    _edit(scope, editor, "改寫", description="包括晶片設計（改寫）")
    count = scope.history.count()
    client.force_login(editor)

    response = _revert(client, original, reason="   ")

    assert response.status_code == 200
    assert "請填寫還原理由；未還原任何資料。" in response.content.decode()
    scope.refresh_from_db()
    assert scope.description == "包括晶片設計（改寫）"
    assert scope.history.count() == count


def test_the_reason_of_a_revert_is_shown_in_the_history_list(client, editor, scope):
    original = scope.history.first()
    _edit(scope, editor, "改寫", description="包括晶片設計（改寫）")
    client.force_login(editor)
    assert _revert(client, original, reason="誤改，恢復公告文字").status_code == 302
    page = client.get(_history_url(scope)).content.decode()
    assert f"#{original.history_id}） 版本：誤改，恢復公告文字" in page


def test_approver_sees_a_revision_but_cannot_revert_to_it(client, approver, editor, scope):
    original = scope.history.first()
    _edit(scope, editor, "改寫", description="包括晶片設計（改寫）")
    client.force_login(approver)
    page = client.get(_revision_url(original))
    assert page.status_code == 200
    assert "還原至此版本" not in page.content.decode()
    assert client.post(_revision_url(original)).status_code == 403
    scope.refresh_from_db()
    assert scope.description == "包括晶片設計（改寫）"


def test_revert_that_no_longer_fits_explains_why_in_chinese_and_changes_nothing(
    client, editor, scope
):
    original = scope.history.first()
    neighbour = Scope.objects.get(programme=scope.programme, order=2)
    _edit(scope, editor, "移到後面", order=9)
    _edit(neighbour, editor, "移到前面", order=1)
    count = scope.history.count()
    client.force_login(editor)
    response = _revert(client, original)
    assert response.status_code == 200
    assert "同一政策性產業內的產業範疇順序不可重複。" in response.content.decode()
    scope.refresh_from_db()
    assert scope.order == 9
    assert scope.history.count() == count


def test_reverting_to_the_current_state_is_not_offered(client, editor, scope):
    original = scope.history.first()
    _edit(scope, editor, "改", title="半導體產業")
    _edit(scope, editor, "改回", title="半導體")
    client.force_login(editor)
    page = client.get(_revision_url(original))
    assert "目前的內容與此版本相同" in page.content.decode()
    count = scope.history.count()
    _revert(client, original)
    assert scope.history.count() == count


def test_programme_history_lists_the_changes_of_its_parts_including_a_deleted_target(
    client, editor, approver, scope
):
    target = scope.targets.order_by("order").last()
    target_id = target.pk
    strategy = scope.strategies.first()
    _edit(strategy, editor, "補充策略", items=strategy.items + "\n新增一項")
    _edit(scope, editor, "修正願景", headline="新的願景")
    delete_with_history([target], user=editor, reason="目標已達成")
    client.force_login(approver)

    response = client.get(_history_url(scope.programme))

    assert response.status_code == 200
    entries = response.context["timeline_page"].object_list
    kinds = [(e.model, e.record.history_type, e.record.history_change_reason) for e in entries[:3]]
    assert kinds == [
        (Target, "-", "目標已達成"),
        (Scope, "~", "修正願景"),
        (Strategy, "~", "補充策略"),
    ]
    assert entries[0].record.id == target_id
    assert entries[2].changed == ["項目"]
    page = response.content.decode()
    assert "目標已達成" in page
    assert "刪除" in page
    assert "產業範疇、推動目標、推動策略與其他段落的變更" in page
    # Created rows of all 5 scopes and their parts are listed too, oldest last.
    programme_parts = Scope.objects.filter(programme=scope.programme)
    assert len(entries) >= programme_parts.count() + 3


def test_the_programmes_history_links_compare_a_part_with_its_previous_revision(
    client, editor, scope
):
    strategy = scope.strategies.first()
    _edit(strategy, editor, "補充策略", heading=strategy.heading + "（修訂）")
    client.force_login(editor)
    entries = client.get(_history_url(scope.programme)).context["timeline_page"].object_list
    entry = next(e for e in entries if e.model is Strategy and e.record.history_type == "~")
    response = client.get(entry.compare_url)
    assert response.status_code == 200
    [change] = response.context["changes"]
    assert change.new_marked.endswith("<ins>（修訂）</ins>")


def test_a_deleted_targets_history_and_revisions_stay_readable(client, editor, scope):
    target = scope.targets.order_by("order").last()
    target_id = target.pk
    _edit(target, editor, "改寫", text=target.text + "（修訂）")
    delete_with_history([target], user=editor, reason="刪除")
    client.force_login(editor)
    history = client.get(_history_url(Target, target_id))
    assert history.status_code == 200
    assert "已刪除" in history.content.decode()
    [deletion, change, created] = Target.history.filter(id=target_id)
    assert client.get(_compare_url(Target, target_id, created, change)).status_code == 200


def test_editor_restores_a_deleted_target_from_its_history(client, editor, scope):
    target = scope.targets.order_by("order").last()
    target_id = target.pk
    delete_with_history([target], user=editor, reason="誤刪")
    deletion = Target.history.filter(id=target_id).first()
    client.force_login(editor)
    response = client.post(_revision_url(deletion), {"reason": "誤刪，恢復"})
    assert response.status_code == 302
    restored = Target.objects.get(pk=target_id)
    assert restored.text == target.text
    assert Target.history.filter(id=target_id).first().history_type == "+"


def test_scope_history_lists_the_changes_of_its_targets(client, editor, scope):
    target = scope.targets.first()
    _edit(target, editor, "更新數值", text=target.text + "（更新）")
    client.force_login(editor)
    entries = client.get(_history_url(scope)).context["timeline_page"].object_list
    assert (entries[0].model, entries[0].record.history_change_reason) == (Target, "更新數值")


def test_a_programmes_own_revision_can_be_reverted(client, editor, demo_bulletin):
    programme = Programme.objects.get(bulletin=demo_bulletin, serial=4)
    original = programme.history.first()
    _edit(programme, editor, "改期", period_end=120, open_end="")
    client.force_login(editor)
    assert _revert(client, original).status_code == 302
    programme.refresh_from_db()
    assert (programme.period_end, programme.open_end) == (None, "迄今")
