"""One character diff: the admin's compare view and the edition diff mark the same edit alike.

How fast the diff is on long texts is measured in bench/diff.py, not here: a timed test fails
on a busy machine for no fault of the code.
"""

import datetime

import pytest

from catalogue.admin_history.diff import compare
from catalogue.history import attribute
from catalogue.models import Scope
from catalogue.textdiff import mark_changes, render_segments, text_segments
from publishing import services

REWRITES = [
    ("成為全球半導體全供應鏈主導者", "成為全球半導體全供應鏈領航者"),
    ("推動AI、軟體、資安等數位經濟產業", "推動AI與資安等數位經濟產業，2026年產值突破兆元"),
    ("臺北\n新北", "臺北\n桃園\n新北"),
    ("甲乙丙", "丁乙戊"),
    ("<b>舊</b>", "<script>新</script>"),
]


def _sides(segments: list[list[str]]) -> tuple[str, str]:
    old = render_segments(s for s in segments if s[0] != "insert")
    new = render_segments(s for s in segments if s[0] != "delete")
    return old, new


@pytest.mark.parametrize(("before", "after"), REWRITES)
def test_the_compare_view_marks_exactly_the_edition_diffs_segments(before, after):
    assert mark_changes(before, after) == _sides(text_segments(before, after))


def test_a_scope_edit_is_marked_alike_in_the_compare_view_and_the_edition_diff(
    demo_bulletin, editor, approver, published_edition
):
    scope = Scope.objects.get(programme__bulletin=demo_bulletin, programme__serial=1, order=1)
    before = scope.history.first()
    old_text = scope.description
    scope.description = old_text.replace("晶圓代工", "先進封裝與晶圓代工")
    attribute(scope, user=editor, reason="補充說明")
    scope.save()
    compared = {c.name: c for c in compare(before, scope.history.first())}["description"]

    draft = services.create_edition(
        bulletin=demo_bulletin, date=datetime.date(2026, 3, 31), user=editor
    )
    [change] = services.current_diff(draft)["changes"]
    [field] = change["fields"]

    assert field["field"] == "description"
    assert (compared.old_marked, compared.new_marked) == _sides(field["segments"])
    assert "<ins>先進封裝與</ins>" in compared.new_marked


def test_long_texts_still_rebuild_both_sides():
    before = "半導體、人工智慧與資安產業。\n" * 2000
    after = before.replace("資安", "通訊", 500) + "新增一行。"
    segments = text_segments(before, after)
    assert "".join(t for tag, t in segments if tag != "insert") == before
    assert "".join(t for tag, t in segments if tag != "delete") == after


def test_deletions_come_before_insertions_within_a_change():
    segments = text_segments("甲乙丙", "丁乙戊")
    assert [tag for tag, _text in segments] == ["delete", "insert"]
