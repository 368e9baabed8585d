"""The diff between two snapshots, on crafted snapshots whose every change is known."""

import copy
import json
from typing import Any

import pytest

from publishing.diff import (
    diff_as_text,
    diff_snapshots,
    list_segments,
    render_segments,
    text_segments,
)


def _snapshot(*programmes: dict[str, Any]) -> dict[str, Any]:
    return {
        "format": "policy-industries-snapshot",
        "version": 1,
        "bulletin": {"id": 1, "slug": "policy-industries", "title": "彙整表"},
        "programmes": list(programmes),
    }


def _programme(pk: int, serial: int, name: str, *scopes: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": pk,
        "serial": serial,
        "name": name,
        "period_start": 113,
        "period_end": 117,
        "open_end": "",
        "period_display": "113-117年",
        "scopes": list(scopes),
    }


def _scope(pk: int, title: str, *, agencies: tuple[str, ...] = ("經濟部",), **parts: Any) -> dict:
    return {
        "id": pk,
        "order": pk,
        "title": title,
        "description": f"{title}的說明",
        "agencies": [{"id": i, "name": name, "short_name": ""} for i, name in enumerate(agencies)],
        "headline": parts.get("headline", ""),
        "targets": list(parts.get("targets", [])),
        "strategies": list(parts.get("strategies", [])),
        "sections": list(parts.get("sections", [])),
        "note": "",
    }


def _target(pk: int, text: str) -> dict[str, Any]:
    return {"id": pk, "order": pk, "text": text, "value": None, "unit": "", "deadline_year": None}


def _part(pk: int, heading: str, *items: str) -> dict[str, Any]:
    return {"id": pk, "order": pk, "heading": heading, "items": list(items)}


@pytest.fixture
def old() -> dict[str, Any]:
    semiconductors = _scope(
        11,
        "半導體",
        targets=[
            _target(101, "穩固晶圓代工全球第1"),
            _target(102, "IC設計產業維持全球前2名"),
            _target(103, "半導體材料產值增加3成"),
        ],
        strategies=[
            _part(201, "發展先進製程", "先進封裝", "矽光子"),
            _part(202, "組成設備及材料國家隊", "國產設備"),
            _part(203, "強化IC設計", "研發補助"),
        ],
    )
    ai = _scope(12, "人工智能", agencies=("數位發展部",))
    capital = _scope(21, "首都圈", sections=[_part(301, "首都圈黃金廊帶", "臺北", "新北")])
    return _snapshot(
        _programme(1, 1, "五大信賴產業推動方案", semiconductors, ai),
        _programme(2, 2, "區域產業推動方案", capital),
    )


def _only(diff: dict[str, Any]) -> dict[str, Any]:
    assert len(diff["changes"]) == 1, diff["changes"]
    return diff["changes"][0]


def test_a_first_edition_has_no_changes_but_says_so(old):
    diff = diff_snapshots(None, old)
    assert diff == {
        "first_edition": True,
        "summary": {"added": 0, "removed": 0, "changed": 0, "moved": 0},
        "changes": [],
    }


def test_identical_snapshots_have_no_changes(old):
    diff = diff_snapshots(old, copy.deepcopy(old))
    assert diff["first_edition"] is False
    assert diff["summary"] == {"added": 0, "removed": 0, "changed": 0, "moved": 0}
    assert diff["changes"] == []


def test_edited_target_text_is_marked_character_by_character(old):
    new = copy.deepcopy(old)
    new["programmes"][0]["scopes"][0]["targets"][2]["text"] = "半導體設備產值增加3成"
    change = _only(diff_snapshots(old, new))
    assert change["kind"] == "target"
    assert change["action"] == "changed"
    assert change["id"] == 103
    assert change["path"] == "1 五大信賴產業推動方案 › 【半導體】 › 推動目標 3"
    assert change["fields"] == [
        {
            "field": "text",
            "label": "推動目標",
            "old": "半導體材料產值增加3成",
            "new": "半導體設備產值增加3成",
            "segments": [
                ["equal", "半導體"],
                ["delete", "材料"],
                ["insert", "設備"],
                ["equal", "產值增加3成"],
            ],
        }
    ]


def test_an_added_scope_is_one_change_and_does_not_move_its_siblings(old):
    new = copy.deepcopy(old)
    scopes = new["programmes"][0]["scopes"]
    scopes.insert(0, _scope(13, "軍工", targets=[_target(104, "無人機產值成長10倍")]))
    diff = diff_snapshots(old, new)
    change = _only(diff)
    assert (change["kind"], change["action"], change["id"]) == ("scope", "added", 13)
    assert change["path"] == "1 五大信賴產業推動方案 › 【軍工】"
    assert {f["field"]: f["new"] for f in change["fields"]}["agencies"] == "經濟部"
    assert diff["summary"] == {"added": 1, "removed": 0, "changed": 0, "moved": 0}


def test_a_removed_target_and_a_removed_programme_are_listed_once_each(old):
    new = copy.deepcopy(old)
    del new["programmes"][0]["scopes"][0]["targets"][0]
    del new["programmes"][1]
    diff = diff_snapshots(old, new)
    removed = [(c["kind"], c["id"]) for c in diff["changes"]]
    assert removed == [("target", 101), ("programme", 2)]
    assert all(c["action"] == "removed" for c in diff["changes"])
    target = diff["changes"][0]
    assert target["fields"][0]["segments"] == [["delete", "穩固晶圓代工全球第1"]]
    assert diff["summary"]["removed"] == 2


def test_reordered_strategies_are_moved_not_changed(old):
    new = copy.deepcopy(old)
    strategies = new["programmes"][0]["scopes"][0]["strategies"]
    strategies[0], strategies[1] = strategies[1], strategies[0]
    change = _only(diff_snapshots(old, new))
    assert (change["kind"], change["action"]) == ("strategy", "moved")
    assert change["id"] in (201, 202)
    assert change["fields"] == []
    moved_from = {201: "1-1-1", 202: "1-1-2"}[change["id"]]
    moved_to = {201: "1-1-2", 202: "1-1-1"}[change["id"]]
    assert (change["from"], change["to"]) == (moved_from, moved_to)


def test_a_scope_moved_to_another_programme_is_moved(old):
    new = copy.deepcopy(old)
    ai = new["programmes"][0]["scopes"].pop(1)
    new["programmes"][1]["scopes"].append(ai)
    change = _only(diff_snapshots(old, new))
    assert (change["kind"], change["action"], change["id"]) == ("scope", "moved", 12)
    assert (change["from"], change["to"]) == ("1-2", "2-2")
    assert change["path"] == "2 區域產業推動方案 › 【人工智能】"


def test_a_renumbered_programme_changes_its_serial(old):
    new = copy.deepcopy(old)
    new["programmes"][1]["serial"] = 3
    change = _only(diff_snapshots(old, new))
    assert (change["kind"], change["action"], change["id"]) == ("programme", "changed", 2)
    assert change["fields"][0]["field"] == "serial"
    assert (change["fields"][0]["old"], change["fields"][0]["new"]) == ("2", "3")


def test_agencies_are_compared_as_names(old):
    new = copy.deepcopy(old)
    new["programmes"][0]["scopes"][0]["agencies"] = [
        {"id": 0, "name": "經濟部", "short_name": ""},
        {"id": 9, "name": "國家科學及技術委員會", "short_name": "國科會"},
    ]
    field = _only(diff_snapshots(old, new))["fields"][0]
    assert field["field"] == "agencies"
    assert field["label"] == "部會/機關"
    assert (field["old"], field["new"]) == ("經濟部", "經濟部、國家科學及技術委員會")
    assert field["added"] == ["國家科學及技術委員會"]
    assert field["removed"] == []
    assert field["segments"] == [["equal", "經濟部"], ["insert", "、國家科學及技術委員會"]]


def test_replaced_agency_segments_rebuild_both_lists():
    segments = list_segments(["經濟部", "國科會", "內政部"], ["經濟部", "數位發展部", "內政部"])
    old = "".join(text for tag, text in segments if tag != "insert")
    new = "".join(text for tag, text in segments if tag != "delete")
    assert (old, new) == ("經濟部、國科會、內政部", "經濟部、數位發展部、內政部")


def test_list_items_are_compared_as_lines(old):
    new = copy.deepcopy(old)
    new["programmes"][1]["scopes"][0]["sections"][0]["items"] = ["臺北", "桃園", "新北"]
    change = _only(diff_snapshots(old, new))
    assert (change["kind"], change["path"]) == (
        "section",
        "2 區域產業推動方案 › 【首都圈】 › 首都圈黃金廊帶",
    )
    field = change["fields"][0]
    assert (field["field"], field["old"], field["new"]) == (
        "items",
        "臺北\n新北",
        "臺北\n桃園\n新北",
    )
    assert field["segments"] == [["equal", "臺北\n"], ["insert", "桃園\n"], ["equal", "新北"]]


def test_a_lone_shared_character_between_changes_is_folded_into_the_change():
    assert text_segments("甲乙丙", "丁乙戊") == [["delete", "甲乙丙"], ["insert", "丁乙戊"]]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("", "新增的文字"),
        ("刪除的文字", ""),
        ("推動AI、軟體、資安等數位經濟產業", "推動AI與資安等數位經濟產業，2026年產值突破兆元"),
        ("成為全球半導體全供應鏈主導者", "成為全球AI影響力中心"),
    ],
)
def test_segments_rebuild_the_old_and_the_new_text(before, after):
    segments = text_segments(before, after)
    assert "".join(t for tag, t in segments if tag != "insert") == before
    assert "".join(t for tag, t in segments if tag != "delete") == after


def test_the_diff_is_plain_json(old):
    new = copy.deepcopy(old)
    new["programmes"][0]["name"] = "六大信賴產業推動方案"
    diff = diff_snapshots(old, new)
    assert json.loads(json.dumps(diff, ensure_ascii=False)) == diff


def test_rendered_segments_escape_the_text():
    html = render_segments([["equal", "A&B"], ["delete", "<b>"], ["insert", "<script>"]])
    assert html == "A&amp;B<del>&lt;b&gt;</del><ins>&lt;script&gt;</ins>"


def test_the_text_form_marks_deletions_and_insertions(old):
    new = copy.deepcopy(old)
    new["programmes"][0]["scopes"][0]["targets"][2]["text"] = "半導體設備產值增加3成"
    text = diff_as_text(diff_snapshots(old, new))
    assert text.splitlines() == [
        "新增 0、刪除 0、修改 1、移動 0",
        "[修改] 1 五大信賴產業推動方案 › 【半導體】 › 推動目標 3",
        "    推動目標：半導體[-材料-]{+設備+}產值增加3成",
    ]
