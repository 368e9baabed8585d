"""A scope's agencies keep the order the agency's table gives them (經濟部 first in programme 2,
國科會 first in programme 3): in the database, the admin, the spreadsheets, the history and the
snapshot."""

import csv
import hashlib
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from catalogue.admin.forms import AGENCY_SLOTS
from catalogue.history import one_revision, revert_to
from catalogue.models import Agency, Scope, ScopeAgency
from catalogue.spreadsheet.services import export_bulletin, import_bulletin
from publishing.diff import diff_snapshots
from publishing.rendering.document import Document
from publishing.rendering.html import render_html
from publishing.snapshot import build_snapshot

pytestmark = pytest.mark.django_db

SEED = Path(__file__).resolve().parents[2] / "catalogue" / "demo" / "seed-114-12-30.txt"


def _seed_agencies(serial: int) -> list[str]:
    """The agencies of a programme's first row in the seed, in the seed's order."""
    for line in SEED.read_text(encoding="utf-8").splitlines():
        cells = line.split("\t")
        if cells[0] == str(serial):
            return [name for name in re.split(r"[\s、]+", cells[2]) if name]
    raise AssertionError(serial)


def _scope(bulletin: Any, serial: int, order: int = 1) -> Scope:
    return Scope.objects.get(programme__bulletin=bulletin, programme__serial=serial, order=order)


def _names(scope: Scope) -> list[str]:
    return [agency.name for agency in scope.ordered_agencies]


def test_demo_scopes_name_their_agencies_in_the_seeds_order(demo_bulletin: Any) -> None:
    assert _names(_scope(demo_bulletin, 2)) == _seed_agencies(2)
    assert _names(_scope(demo_bulletin, 3)) == _seed_agencies(3)
    # Not one global order: 經濟部 comes first in one, second in the other.
    assert _seed_agencies(2)[0] == "經濟部" and _seed_agencies(3)[1] == "經濟部"


def test_the_database_refuses_an_agency_twice_or_a_place_twice(demo_bulletin: Any) -> None:
    scope = _scope(demo_bulletin, 2)
    first = scope.agency_links.get(position=1)
    other = Agency.objects.exclude(scopes=scope).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        ScopeAgency.objects.create(scope=scope, agency=first.agency, position=9)
    with pytest.raises(IntegrityError), transaction.atomic():
        ScopeAgency.objects.create(scope=scope, agency=other, position=1)


def _admin_post(client: Any, scope: Scope, agencies: list[Agency], **extra: str) -> Any:
    url = reverse("admin:catalogue_scope_change", args=[scope.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: "" if value is None else str(value)
        for name, value in (
            (form.add_prefix(n), form[n].value())
            for n in form.fields
            if n not in ("agency_list", "programme")
        )
    }
    data["programme"] = str(scope.programme_id)
    data.update(
        {
            f"agency_list_{index}": str(agencies[index].pk) if index < len(agencies) else ""
            for index in range(AGENCY_SLOTS)
        }
    )
    for prefix in ("targets", "strategies", "sections"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(extra)
    return client.post(url, data)


def test_reordering_in_the_admin_writes_one_revision_of_the_scope(
    client: Any, editor: Any, demo_bulletin: Any
) -> None:
    scope = _scope(demo_bulletin, 2)
    agencies = list(reversed(scope.ordered_agencies))
    before = (scope.history.count(), scope.version)
    client.force_login(editor)
    response = _admin_post(client, scope, agencies, change_reason="依公告表排序")
    assert response.status_code == 302
    scope.refresh_from_db()
    assert scope.ordered_agencies == agencies
    assert (scope.history.count(), scope.version) == (before[0] + 1, before[1] + 1)
    revision = scope.history.first()
    assert revision.history_user == editor
    assert [r.agency_id for r in revision.agencies.order_by("position")] == [a.pk for a in agencies]


def test_adding_an_agency_in_the_admin_is_a_change_of_the_scope(
    client: Any, editor: Any, demo_bulletin: Any
) -> None:
    scope = _scope(demo_bulletin, 4)
    agencies = [*scope.ordered_agencies, Agency.objects.exclude(scopes=scope).first()]
    before = scope.history.count()
    client.force_login(editor)
    assert _admin_post(client, scope, agencies).status_code == 302
    assert scope.ordered_agencies == agencies
    assert scope.history.count() == before + 1


def test_the_admin_refuses_an_agency_named_twice(
    client: Any, editor: Any, demo_bulletin: Any
) -> None:
    scope = _scope(demo_bulletin, 2)
    before = _names(scope)
    first = scope.ordered_agencies[0]
    client.force_login(editor)
    response = _admin_post(client, scope, [first, first])
    assert response.status_code == 200
    assert "重複" in str(response.context["adminform"].form.errors)
    assert _names(scope) == before


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_agency_column_order_is_the_order_and_round_trips(
    demo_bulletin: Any, editor: Any
) -> None:
    exported = export_bulletin(bulletin=demo_bulletin, file_format="csv")
    rows = _csv_rows(exported)
    column = rows[0].index("部會/機關")
    scope = _scope(demo_bulletin, 3)
    row = next(r for r in rows[1:] if "智慧科技" in r)
    assert row[column] == "、".join(_seed_agencies(3))  # the export keeps the order
    row[column] = "、".join(reversed(_seed_agencies(3)))
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    before = scope.history.count()

    plan = import_bulletin(
        bulletin=demo_bulletin,
        content=out.getvalue().encode("utf-8-sig"),
        file_name="彙整表.csv",
        user=editor,
        allow_delete=False,
    )

    assert plan.change_count == 1
    assert _names(scope) == list(reversed(_seed_agencies(3)))
    assert scope.history.count() == before + 1
    again = _csv_rows(export_bulletin(bulletin=demo_bulletin, file_format="csv"))
    assert next(r for r in again[1:] if "智慧科技" in r)[column] == row[column]


def test_reverting_brings_the_old_order_back(demo_bulletin: Any, editor: Any) -> None:
    scope = _scope(demo_bulletin, 3)
    original = scope.history.first()
    with one_revision(scope, user=editor, reason="調換順序"):
        scope.save()
        scope.set_agencies(list(reversed(scope.ordered_agencies)))
    assert _names(scope) != _seed_agencies(3)

    revert_to(original, user=editor)

    scope.refresh_from_db()
    assert _names(scope) == _seed_agencies(3)


def test_the_snapshot_lists_agencies_in_order_and_a_reorder_is_a_change(
    demo_bulletin: Any, editor: Any
) -> None:
    before = build_snapshot(demo_bulletin)
    scope = _scope(demo_bulletin, 3)
    with one_revision(scope, user=editor, reason="調換順序"):
        scope.save()
        scope.set_agencies(list(reversed(scope.ordered_agencies)))
    after = build_snapshot(demo_bulletin)

    names = [a["name"] for a in after["programmes"][2]["scopes"][0]["agencies"]]
    assert names == list(reversed(_seed_agencies(3)))
    [change] = diff_snapshots(before, after)["changes"]
    assert change["kind"] == "scope" and change["id"] == scope.pk
    assert [f["field"] for f in change["fields"]] == ["agencies"]


def test_a_published_edition_renders_as_published_after_a_reorder(
    published_edition: Any, editor: Any
) -> None:
    stored = published_edition.files.get(format="html")
    html = render_html(Document.of(published_edition))
    scope = Scope.objects.get(pk=published_edition.snapshot["programmes"][2]["scopes"][0]["id"])
    with one_revision(scope, user=editor, reason="調換順序"):
        scope.save()
        scope.set_agencies(list(reversed(scope.ordered_agencies)))
    published_edition.refresh_from_db()
    assert render_html(Document.of(published_edition)) == html
    assert hashlib.sha256(html).hexdigest() == stored.sha256
