"""Who may do what in the catalogue admin: editors change, approvers read, outsiders are refused."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import NoReverseMatch, reverse

from catalogue.models import Programme, Scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(demo_bulletin) -> Programme:
    return Programme.objects.get(bulletin=demo_bulletin, serial=1)


def _change_url(obj) -> str:
    return reverse(f"admin:catalogue_{obj._meta.model_name}_change", args=[obj.pk])


def test_editor_sees_a_programme_in_chinese_with_a_save_button_and_a_reason_field(
    client, editor, programme
):
    client.force_login(editor)
    page = client.get(_change_url(programme)).content.decode()
    assert 'name="_save"' in page
    assert "變更說明" in page
    assert "實施起始年（民國）" in page
    assert "產業範疇" in page


def test_editor_can_change_a_programme(client, editor, programme):
    client.force_login(editor)
    response = client.post(
        _change_url(programme),
        {
            "bulletin": programme.bulletin_id,
            "serial": 1,
            "name": "五大信賴產業推動方案（修訂）",
            "period_start": 113,
            "period_end": 117,
            "open_end": "",
            "change_reason": "",
            "read_version": programme.version,
            "scopes-TOTAL_FORMS": 0,
            "scopes-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.name == "五大信賴產業推動方案（修訂）"


def test_approver_may_read_a_programme_but_gets_no_save_button(client, approver, programme):
    client.force_login(approver)
    response = client.get(_change_url(programme))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="_save"' not in page
    assert 'name="change_reason"' not in page
    assert "五大信賴產業推動方案" in page


def test_approver_cannot_save_a_programme(client, approver, programme):
    client.force_login(approver)
    response = client.post(
        _change_url(programme),
        {
            "bulletin": programme.bulletin_id,
            "serial": 1,
            "name": "改名",
            "period_start": 113,
            "period_end": 117,
        },
    )
    assert response.status_code == 403
    programme.refresh_from_db()
    assert programme.name == "五大信賴產業推動方案"
    assert programme.history.count() == 1


def test_approver_cannot_add_or_delete_in_the_catalogue(client, approver, programme):
    client.force_login(approver)
    assert client.get(reverse("admin:catalogue_programme_add")).status_code == 403
    delete = reverse("admin:catalogue_programme_delete", args=[programme.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Programme.objects.filter(pk=programme.pk).exists()


def test_approver_may_read_every_catalogue_list(client, approver, demo_bulletin):
    client.force_login(approver)
    for model in ("agency", "bulletin", "programme", "scope", "target", "strategy", "section"):
        assert client.get(reverse(f"admin:catalogue_{model}_changelist")).status_code == 200


def test_outsider_is_sent_to_the_login_page(client, outsider, programme):
    client.force_login(outsider)
    response = client.get(_change_url(programme))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_anonymous_visitor_is_sent_to_the_login_page_for_history_too(client, programme):
    response = client.get(reverse("admin:catalogue_programme_history", args=[programme.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_without_a_role_is_refused(client, django_user_model, programme):
    staff = django_user_model.objects.create_user("staff", password="x", is_staff=True)
    client.force_login(staff)
    assert client.get(_change_url(programme)).status_code == 403
    assert client.get(reverse("admin:catalogue_programme_changelist")).status_code == 403


@pytest.mark.parametrize("persona", ["editor", "approver"])
def test_nobody_but_a_superuser_holds_a_right_on_history_rows(request, persona):
    user = request.getfixturevalue(persona)
    history_perms = Permission.objects.filter(
        content_type__app_label="catalogue", content_type__model__startswith="historical"
    )
    assert history_perms.exists()
    assert not any(user.has_perm(f"catalogue.{perm.codename}") for perm in history_perms)


def test_history_rows_have_no_admin_pages_to_delete_them(client, superuser, programme):
    client.force_login(superuser)
    with pytest.raises(NoReverseMatch):
        reverse("admin:catalogue_historicalprogramme_changelist")
    assert client.get("/admin/catalogue/historicalprogramme/").status_code == 404
    revision = programme.history.first()
    url = f"/admin/catalogue/historicalprogramme/{revision.history_id}/delete/"
    assert client.post(url, {"post": "yes"}).status_code == 404
    assert programme.history.count() == 1


def test_editor_sees_scope_pages_with_targets_strategies_and_sections_inline(
    client, editor, demo_bulletin
):
    client.force_login(editor)
    scope = Scope.objects.get(programme__bulletin=demo_bulletin, programme__serial=1, order=1)
    page = client.get(_change_url(scope)).content.decode()
    for heading in ("推動目標", "推動策略", "其他段落", "部會/機關", "願景"):
        assert heading in page


def test_programme_list_shows_roc_periods_and_filters_by_agency(client, editor, demo_bulletin):
    client.force_login(editor)
    response = client.get(reverse("admin:catalogue_programme_changelist"))
    page = response.content.decode()
    assert "實施期間（民國）" in page
    assert "113-117年" in page
    assert "106年-迄今" in page
    assert "114年-未定" in page
    nstc = Scope.objects.get(programme__serial=3, order=1).agencies.first()
    filtered = client.get(
        reverse("admin:catalogue_programme_changelist"), {"scopes__agencies__id__exact": nstc.pk}
    )
    names = [p.serial for p in filtered.context["cl"].result_list]
    assert 3 in names
    assert len(names) == len(set(names))


@pytest.mark.parametrize(
    ("query", "serial"),
    [
        ("半導體", 1),  # a scope title
        ("首都圈", 2),  # a scope title in programme 2
        ("新南向", 4),  # the programme's name
        ("淨零", 9),
    ],
)
def test_programme_search_finds_names_and_texts(client, editor, demo_bulletin, query, serial):
    client.force_login(editor)
    response = client.get(reverse("admin:catalogue_programme_changelist"), {"q": query})
    serials = [p.serial for p in response.context["cl"].result_list]
    assert serial in serials
    assert len(serials) == len(set(serials))


def test_programme_search_finds_target_and_strategy_texts(client, editor, demo_bulletin):
    client.force_login(editor)
    scope = Scope.objects.get(programme__serial=1, order=1)
    target = scope.targets.first().text[:8]
    item = scope.strategies.first().item_list[0][:8]
    for query in (target, item):
        response = client.get(reverse("admin:catalogue_programme_changelist"), {"q": query})
        assert 1 in [p.serial for p in response.context["cl"].result_list]
