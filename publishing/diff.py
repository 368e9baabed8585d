"""What changed between two snapshots of a bulletin, changed text marked character by character.

Rows are matched by their stable catalogue id, so an edited row is "changed", not removed and
added again. A row is "moved" when it sits under another parent, or when its order among the
siblings it shares with the old snapshot changed (rows shifted by an insertion are not moved).
Text is compared by character with the project's one text diff (catalogue.textdiff), the same
that marks the admin's compare view.

The result is plain JSON, stored in Edition.diff:

    {"first_edition": false,
     "summary": {"added": 1, "removed": 0, "changed": 2, "moved": 0},
     "changes": [{"kind": "target", "action": "changed", "id": 17,
                  "path": "1 五大信賴產業推動方案 › 【半導體】 › 推動目標 3",
                  "fields": [{"field": "text", "label": "推動目標", "old": "…", "new": "…",
                              "segments": [["equal", "半導體"], ["delete", "材料"],
                                           ["insert", "設備"]]}],
                  "from": null, "to": null}]}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as N_

from catalogue.textdiff import Segment, render_segments, text_segments

__all__ = ["diff_snapshots", "render_segments", "text_segments"]

Key = tuple[str, int]

ACTIONS = ("added", "removed", "changed", "moved")
AGENCY_SEPARATOR = "、"

# (field, label) per kind, in the order a reader meets them in the table. Labels are stored in
# the diff as Chinese msgids (gettext_noop); templates translate them on display.
FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "programme": (
        ("serial", N_("序號")),
        ("name", N_("政策性產業")),
        ("period_display", N_("實施期間")),
    ),
    "scope": (
        ("title", N_("範疇名稱")),
        ("description", N_("產業範疇說明")),
        ("agencies", N_("部會/機關")),
        ("headline", N_("願景")),
        ("note", N_("備註")),
    ),
    "target": (
        ("text", N_("推動目標")),
        ("value", N_("數值")),
        ("unit", N_("單位")),
        ("deadline_year", N_("目標年")),
    ),
    "strategy": (("heading", N_("標題")), ("items", N_("項目"))),
    "section": (("heading", N_("標題")), ("items", N_("項目"))),
}


@dataclass
class _Node:
    kind: str
    id: int
    parent: Key | None
    index: int  # place in document order
    position: str  # 1-2-3: programme serial, then 1-based places
    path: str
    values: dict[str, Any] = field(default_factory=dict)


def diff_snapshots(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    """The changes from old to new; for a first edition (old is None) a flag and no changes."""
    if old is None:
        return {"first_edition": True, "summary": dict.fromkeys(ACTIONS, 0), "changes": []}
    before, after = _flatten(old), _flatten(new)
    moved = _moved(before, after)
    changes: list[dict[str, Any]] = []
    for key, node in after.items():
        previous = before.get(key)
        if previous is None:
            if node.parent is None or node.parent in before:
                changes.append(_entry("added", None, node))
        elif key in moved:
            changes.append(_entry("moved", previous, node))
        elif _changed_fields(previous, node):
            changes.append(_entry("changed", previous, node))
    for key, node in before.items():
        if key not in after and (node.parent is None or node.parent in after):
            changes.append(_entry("removed", node, None))
    summary = {action: sum(c["action"] == action for c in changes) for action in ACTIONS}
    return {"first_edition": False, "summary": summary, "changes": changes}


def _flatten(snapshot: dict[str, Any]) -> dict[Key, _Node]:
    """Every row of the snapshot by (kind, id), in document order."""
    nodes: dict[Key, _Node] = {}

    def add(node: _Node) -> Key:
        node.index = len(nodes)
        nodes[(node.kind, node.id)] = node
        return (node.kind, node.id)

    for programme in snapshot["programmes"]:
        serial = str(programme["serial"])
        p_path = f"{serial} {programme['name']}"
        p_key = add(
            _Node(
                "programme",
                programme["id"],
                None,
                0,
                serial,
                p_path,
                {
                    "serial": serial,
                    "name": programme["name"],
                    "period_display": programme.get("period_display", ""),
                },
            )
        )
        for s_place, scope in enumerate(programme["scopes"], start=1):
            s_pos = f"{serial}-{s_place}"
            s_path = f"{p_path} › {_scope_label(scope)}"
            s_key = add(
                _Node(
                    "scope",
                    scope["id"],
                    p_key,
                    0,
                    s_pos,
                    s_path,
                    {
                        "title": scope["title"],
                        "description": scope["description"],
                        "agencies": [a["name"] for a in scope["agencies"]],
                        "headline": scope["headline"],
                        "note": scope["note"],
                    },
                )
            )
            for place, target in enumerate(scope["targets"], start=1):
                add(
                    _Node(
                        "target",
                        target["id"],
                        s_key,
                        0,
                        f"{s_pos}-{place}",
                        f"{s_path} › {N_('推動目標')} {place}",
                        {
                            "text": target["text"],
                            "value": _text(target["value"]),
                            "unit": target["unit"],
                            "deadline_year": _text(target["deadline_year"]),
                        },
                    )
                )
            for place, part in enumerate(scope["strategies"], start=1):
                add(
                    _Node(
                        "strategy",
                        part["id"],
                        s_key,
                        0,
                        f"{s_pos}-{place}",
                        f"{s_path} › {N_('推動策略')} {place}",
                        _headed(part),
                    )
                )
            for place, part in enumerate(scope["sections"], start=1):
                add(
                    _Node(
                        "section",
                        part["id"],
                        s_key,
                        0,
                        f"{s_pos}-{place}",
                        f"{s_path} › {part['heading']}",
                        _headed(part),
                    )
                )
    return nodes


def _scope_label(scope: dict[str, Any]) -> str:
    if scope["title"]:
        return f"【{scope['title']}】"
    text = scope["description"]
    return text if len(text) <= 20 else f"{text[:20]}…"


def _headed(part: dict[str, Any]) -> dict[str, Any]:
    return {"heading": part["heading"], "items": "\n".join(part["items"])}


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _moved(before: dict[Key, _Node], after: dict[Key, _Node]) -> set[Key]:
    """Rows under another parent, or out of order among the siblings both snapshots share."""
    moved: set[Key] = set()
    siblings: dict[tuple[str, Key], list[Key]] = {}
    for key, node in after.items():
        previous = before.get(key)
        if previous is None or node.parent is None:
            continue
        if previous.parent != node.parent:
            moved.add(key)
        else:
            siblings.setdefault((node.kind, node.parent), []).append(key)
    for new_order in siblings.values():
        old_order = sorted(new_order, key=lambda k: before[k].index)
        matcher = SequenceMatcher(None, old_order, new_order, autojunk=False)
        kept = {
            k
            for block in matcher.get_matching_blocks()
            for k in new_order[block.b : block.b + block.size]
        }
        moved.update(set(new_order) - kept)
    return moved


def _changed_fields(old: _Node | None, new: _Node | None) -> list[dict[str, Any]]:
    node = new or old
    assert node is not None
    result = []
    for name, label in FIELDS[node.kind]:
        was = old.values[name] if old else _empty(name)
        now = new.values[name] if new else _empty(name)
        if was != now:
            result.append(_field(name, label, was, now))
    return result


def _empty(name: str) -> Any:
    return [] if name == "agencies" else ""


def _field(name: str, label: str, old: Any, new: Any) -> dict[str, Any]:
    if name == "agencies":
        return {
            "field": name,
            "label": label,
            "old": AGENCY_SEPARATOR.join(old),
            "new": AGENCY_SEPARATOR.join(new),
            "segments": list_segments(old, new),
            "added": [a for a in new if a not in old],
            "removed": [a for a in old if a not in new],
        }
    return {
        "field": name,
        "label": label,
        "old": old,
        "new": new,
        "segments": text_segments(old, new),
    }


def _entry(action: str, old: _Node | None, new: _Node | None) -> dict[str, Any]:
    node = new or old
    assert node is not None
    return {
        "kind": node.kind,
        "action": action,
        "id": node.id,
        "path": node.path,
        "fields": _changed_fields(old, new),
        "from": old.position if old else None,
        "to": new.position if new else None,
    }


# Segments


def list_segments(old: list[str], new: list[str]) -> list[Segment]:
    """Segments over whole names (agencies), separated by 、."""
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    items: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            items += [("equal", name) for name in old[i1:i2]]
            continue
        items += [("delete", name) for name in old[i1:i2]]
        items += [("insert", name) for name in new[j1:j2]]
    # A separator belongs to the side(s) where a name precedes it: 、 joins names within old
    # and within new, so it is equal only where both sides continue a list.
    segments: list[Segment] = []
    seen_old = seen_new = False
    for tag, name in items:
        in_old, in_new = tag != "insert", tag != "delete"
        sep_old, sep_new = in_old and seen_old, in_new and seen_new
        if sep_old or sep_new:
            sep_tag = "equal" if sep_old and sep_new else ("delete" if sep_old else "insert")
            _append(segments, sep_tag, AGENCY_SEPARATOR)
        _append(segments, tag, name)
        seen_old, seen_new = seen_old or in_old, seen_new or in_new
    return segments


def _append(segments: list[Segment], tag: str, text: str) -> None:
    if not text:
        return
    if segments and segments[-1][0] == tag:
        segments[-1][1] += text
    else:
        segments.append([tag, text])


# Display


def segments_as_text(segments: list[Segment]) -> str:
    """Segments as plain text: [-deleted-]{+inserted+}, as wdiff writes them."""
    marks = {"equal": "{}", "delete": "[-{}-]", "insert": "{{+{}+}}"}
    return "".join(marks[tag].format(text) for tag, text in segments)


ACTION_LABELS = {
    "added": N_("新增"),
    "removed": N_("刪除"),
    "changed": N_("修改"),
    "moved": N_("移動"),
}


def summary_text(diff: dict[str, Any]) -> str:
    """新增 1、刪除 0、修改 2、移動 0 — or 首次公告 for a first edition."""
    if diff.get("first_edition"):
        return gettext("首次公告")
    return "、".join(
        f"{gettext(ACTION_LABELS[action])} {diff['summary'][action]}" for action in ACTIONS
    )


def marked_changes(diff: dict[str, Any]) -> list[dict[str, Any]]:
    """The diff's changes, each field with its segments as marked HTML ("html"), for a page."""
    return [
        {
            **change,
            "fields": [
                {**item, "html": render_segments(item["segments"])} for item in change["fields"]
            ],
        }
        for change in diff["changes"]
    ]


def diff_as_text(diff: dict[str, Any]) -> str:
    """The whole diff as readable lines, for the command line."""
    lines = [summary_text(diff)]
    for change in diff["changes"]:
        head = f"[{gettext(ACTION_LABELS[change['action']])}] {change['path']}"
        if change["action"] == "moved":
            head += f"（{change['from']} → {change['to']}）"
        lines.append(head)
        for item in change["fields"]:
            text = segments_as_text(item["segments"]).replace("\n", " / ")
            lines.append(f"    {gettext(item['label'])}：{text}")
    return "\n".join(lines)
