"""Who wrote an edition's content: the catalogue revisions behind each row of its diff.

Four eyes is about content, not only about the edition: whoever wrote a revision of a row that
changed since the previous public edition may not approve or publish the edition that carries
it. A row's revisions count from the moment the previous public edition's snapshot was taken
up to the moment this edition's snapshot was taken; rows added or removed with their parent
count with it. A scope whose list of agencies reads differently also carries the revisions of
those agencies (renaming an agency changes every scope that names it). A first edition carries
every revision of every row up to its snapshot.

The revisions are written into the diff (each change gets "revisions"; a first edition's diff
gets them at its top level), so the stored diff of a submitted edition says who wrote what.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from catalogue.models import Agency, Programme, Scope, Section, Strategy, Target

from .lifecycle import Action

Key = tuple[str, int]
MODELS = {
    "agency": Agency,
    "programme": Programme,
    "scope": Scope,
    "target": Target,
    "strategy": Strategy,
    "section": Section,
}
SNAPSHOT_ACTIONS = (Action.CREATE, Action.REFRESH)


def snapshot_taken_at(edition: Any) -> datetime.datetime | None:
    """When the edition's snapshot was last taken from the catalogue (create or refresh)."""
    line = edition.transitions.filter(action__in=SNAPSHOT_ACTIONS).order_by("at", "pk").last()
    return line.at if line else None


def attach_revisions(
    diff: dict[str, Any], *, edition: Any | None, previous: Any | None, snapshot: dict[str, Any]
) -> dict[str, Any]:
    """The diff with the catalogue revisions behind each of its rows.

    edition None: snapshot is the catalogue as it is now (the changes not yet in an edition).
    """
    since = snapshot_taken_at(previous) if previous is not None else None
    until = snapshot_taken_at(edition) if edition is not None else None
    if diff.get("first_edition"):
        paths = {key: path for key, _parent, path in _walk(snapshot)}
        for scope_key, agency_ids in _scope_agencies(snapshot).items():
            for agency_id in agency_ids:
                paths.setdefault(("agency", agency_id), paths[scope_key])
        found = _revisions(set(paths), since=since, until=until)
        revisions = [{**r, "path": paths[key]} for key in paths for r in found.get(key, [])]
        return {**diff, "revisions": revisions}
    old = previous.snapshot if previous is not None else {"programmes": []}
    children = _children(snapshot) | _children(old)
    owners: dict[Key, Key] = {}
    for change in diff["changes"]:
        key = (change["kind"], change["id"])
        owners[key] = key
        if change["action"] in ("added", "removed"):
            for child in _descendants(key, children):
                owners[child] = key
    agencies = _scope_agencies(snapshot, old)
    for change in diff["changes"]:
        if change["kind"] == "scope" and any(
            f["field"] == "agencies" for f in change.get("fields", [])
        ):
            for agency_id in agencies.get(("scope", change["id"]), ()):
                owners.setdefault(("agency", agency_id), ("scope", change["id"]))
    found = _revisions(set(owners), since=since, until=until)
    by_change: dict[Key, list[dict[str, Any]]] = defaultdict(list)
    for row, owner in owners.items():
        by_change[owner].extend(found.get(row, []))
    changes = [
        {**change, "revisions": by_change[(change["kind"], change["id"])]}
        for change in diff["changes"]
    ]
    return {**diff, "changes": changes}


def authored_rows(diff: dict[str, Any] | None, user_id: int | None) -> list[str]:
    """The paths of the diff's rows that user_id wrote a revision of."""
    if not diff or user_id is None:
        return []
    if diff.get("first_edition"):
        mine = [r for r in diff.get("revisions", []) if r["user_id"] == user_id]
        return list(dict.fromkeys(r["path"] for r in mine))
    return [
        change["path"]
        for change in diff.get("changes", [])
        if any(r["user_id"] == user_id for r in change.get("revisions", []))
    ]


def _revisions(
    keys: set[Key], *, since: datetime.datetime | None, until: datetime.datetime | None
) -> dict[Key, list[dict[str, Any]]]:
    """Revisions with an author of the rows keys, in (since, until], one query per kind."""
    found: dict[Key, list[dict[str, Any]]] = defaultdict(list)
    ids: dict[str, list[int]] = defaultdict(list)
    for kind, pk in keys:
        ids[kind].append(pk)
    for kind, pks in ids.items():
        history = MODELS[kind].history.filter(id__in=pks, history_user__isnull=False)
        if since is not None:
            history = history.filter(history_date__gt=since)
        if until is not None:
            history = history.filter(history_date__lte=until)
        for row in history.order_by("history_date", "history_id").values(
            "id", "history_id", "history_user_id", "history_user__username", "history_date"
        ):
            found[(kind, row["id"])].append(
                {
                    "kind": kind,
                    "row": row["id"],
                    "id": row["history_id"],
                    "user_id": row["history_user_id"],
                    "user": row["history_user__username"],
                    "at": row["history_date"].isoformat(),
                }
            )
    return found


def _scope_agencies(*snapshots: dict[str, Any]) -> dict[Key, set[int]]:
    """The agencies each scope names, in any of the snapshots."""
    named: dict[Key, set[int]] = defaultdict(set)
    for snapshot in snapshots:
        for programme in snapshot.get("programmes", []):
            for scope in programme.get("scopes", []):
                named[("scope", scope["id"])] |= {a["id"] for a in scope.get("agencies", [])}
    return named


def _children(snapshot: dict[str, Any]) -> dict[Key, set[Key]]:
    children: dict[Key, set[Key]] = defaultdict(set)
    for key, parent, _path in _walk(snapshot):
        if parent is not None:
            children[parent].add(key)
    return children


def _descendants(key: Key, children: dict[Key, set[Key]]) -> list[Key]:
    out, stack = [], list(children.get(key, ()))
    while stack:
        child = stack.pop()
        out.append(child)
        stack.extend(children.get(child, ()))
    return out


def _walk(snapshot: dict[str, Any]) -> Iterable[tuple[Key, Key | None, str]]:
    """(row, parent, path) for every catalogue row of a snapshot."""
    for programme in snapshot.get("programmes", []):
        p_key = ("programme", programme["id"])
        p_path = f"{programme['serial']} {programme['name']}"
        yield p_key, None, p_path
        for scope in programme.get("scopes", []):
            s_key = ("scope", scope["id"])
            s_path = f"{p_path} › {scope['title']}"
            yield s_key, p_key, s_path
            for kind, rows in (
                ("target", scope.get("targets", [])),
                ("strategy", scope.get("strategies", [])),
                ("section", scope.get("sections", [])),
            ):
                for row in rows:
                    yield (kind, row["id"]), s_key, f"{s_path} › {row['order']}"
