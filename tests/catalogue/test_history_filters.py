"""A programme's history page can be narrowed to one part, one person and a span of days,
at the same cost in queries as the whole list."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue.admin.programmes import ProgrammeAdmin
from catalogue.history import attribute, one_revision
from catalogue.models import Agency, Programme


@pytest.fixture
def programme(demo_bulletin, editor, second_editor) -> Programme:
    """Programme 1 with a target changed by editor1 and a scope's agencies by editor2."""
    programme = Programme.objects.get(bulletin=demo_bulletin, serial=1)
    scope = programme.scopes.order_by("order").first()
    target = scope.targets.first()
    attribute(target, user=editor, reason="更新目標數值")
    target.text += "（更新）"
    target.save()
    with one_revision(scope, user=second_editor, reason="調整主辦部會"):
        scope.set_agencies([Agency.objects.get(name="國家科學及技術委員會")])
    return programme


def _page(client, programme, **query):
    url = reverse("admin:catalogue_programme_history", args=[programme.pk])
    return client.get(url, query)


def _reasons(response) -> set[str]:
    listed = [*response.context["page_obj"], *response.context["timeline_page"]]
    return {entry.record.history_change_reason for entry in listed}


def test_programme_history_filtered_by_part_lists_only_that_part(client, editor, programme):
    client.force_login(editor)
    assert _reasons(_page(client, programme, part="target")) == {
        "更新目標數值",
        "載入示範資料：114.12.30 公告之彙整表",
    }
    assert _reasons(_page(client, programme, part="agencies")) >= {"調整主辦部會"}
    assert "更新目標數值" not in _reasons(_page(client, programme, part="agencies"))


def test_programme_history_filtered_by_person_lists_only_their_changes(
    client, editor, second_editor, programme
):
    client.force_login(editor)
    assert _reasons(_page(client, programme, who=second_editor.pk)) == {"調整主辦部會"}
    response = _page(client, programme, who=editor.pk, part="scope")
    assert _reasons(response) == set()
    assert "沒有符合篩選條件的變更。" in response.content.decode()


def test_programme_history_filtered_by_roc_days(client, editor, programme):
    client.force_login(editor)
    everything = _reasons(_page(client, programme))
    assert _reasons(_page(client, programme, since="1.01.01", until="2999-01-01")) == everything
    assert _reasons(_page(client, programme, until="1.01.01")) == set()


def test_a_wrong_day_in_the_filter_is_named_and_the_list_stays_whole(client, editor, programme):
    client.force_login(editor)
    response = _page(client, programme, since="115.02.30")
    assert "日期無效：115 年 2 月沒有 30 日。" in response.content.decode()
    assert _reasons(response) == _reasons(_page(client, programme))


def test_the_page_links_keep_the_filters(client, editor, programme, monkeypatch):
    monkeypatch.setattr(ProgrammeAdmin, "history_list_per_page", 1)
    client.force_login(editor)
    response = _page(client, programme, part="scope")
    assert response.context["timeline_page"].has_other_pages()
    assert "?part=scope&amp;tp=2" in response.content.decode()


def test_a_filtered_history_costs_the_same_queries_as_the_whole(client, editor, programme):
    client.force_login(editor)
    url = reverse("admin:catalogue_programme_history", args=[programme.pk])
    client.get(url)
    costs = []
    for query in ({}, {"part": "target", "who": editor.pk, "since": "115.01.01"}):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, query).status_code == 200
        costs.append(len(queries))
    assert costs[0] == costs[1]
