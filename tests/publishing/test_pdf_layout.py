"""The PDF's table laid out like the agency's, read back by position (pdftotext -bbox-layout):
no agency's name broken inside itself where its column holds it, no scope's title or
agencies left at a page's foot without their text, one line pitch in every column; for the
real bulletin and for a synthetic one ten times its size (catalogue/synth.py). The longest
texts every field allows are checked in test_pdf_long_text.py.
"""

import shutil
from collections import Counter
from io import StringIO
from typing import Any

import pytest
from demo_pdf import demo_snapshot, write_pdf
from django.core.management import call_command
from django.db import transaction
from pdf_layout import AGENCIES, SCOPE, Line, column_lines, lines, split_names, stranded_starts

from catalogue.models import Bulletin
from publishing.rendering.pdf import column_ems, text_ems
from publishing.snapshot import build_snapshot

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed"),
]
RECOGNITION = 4


@pytest.fixture(scope="module", params=[1, 10], ids=["1x", "10x"])
def table(
    request: pytest.FixtureRequest,
    django_db_setup: None,
    django_db_blocker: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[list[Line], dict[str, Any]]:
    if request.param == 1:
        snapshot = demo_snapshot(django_db_blocker)
    else:
        with django_db_blocker.unblock(), transaction.atomic():
            call_command(
                "synth_bulletin", scale=request.param, slug="layout", seed=5, stdout=StringIO()
            )
            snapshot = build_snapshot(Bulletin.objects.get(slug="layout"))
            transaction.set_rollback(True)
    folder = tmp_path_factory.mktemp(f"layout-{request.param}")
    return lines(write_pdf(snapshot, folder / "bulletin.pdf")), snapshot


def _agency_names(snapshot: dict[str, Any]) -> set[str]:
    return {a["name"] for p in snapshot["programmes"] for s in p["scopes"] for a in s["agencies"]}


def test_no_agency_name_that_its_column_holds_breaks_inside_itself(
    table: tuple[list[Line], dict[str, Any]],
) -> None:
    found, snapshot = table
    width = column_ems()["agencies"]
    names = {n for n in _agency_names(snapshot) if text_ems(n) <= width}
    assert "國家科學及技術委員會" in names and "行政院經貿談判辦公室" in names
    assert split_names(found, names) == []


def test_no_scope_title_or_agencies_stand_at_a_page_foot_without_their_text(
    table: tuple[list[Line], dict[str, Any]],
) -> None:
    found, _ = table
    assert len({x.page for x in found}) > 1
    assert stranded_starts(found) == []


def _pitches(found: list[Line], column: int) -> Counter[float]:
    """How far each line of a cell is below the one before it, in pt, in one column."""
    pitches: Counter[float] = Counter()
    furniture = {"部會/機關", "產業範疇", "認定方式", "（續）"}  # column headers, continuation
    for page in sorted({x.page for x in found}):
        column_of_page = [x for x in column_lines(found, page, column) if x.text not in furniture]
        for above, below in zip(column_of_page, column_of_page[1:], strict=False):
            if below.top - above.top < 17:
                pitches[round(below.top - above.top, 1)] += 1
    return pitches


def test_every_column_sets_its_lines_at_one_pitch(
    table: tuple[list[Line], dict[str, Any]],
) -> None:
    found, _ = table
    pitches = {c: _pitches(found, c) for c in (AGENCIES, SCOPE, RECOGNITION)}
    common = {c: p.most_common(1)[0][0] for c, p in pitches.items()}
    # The lines of a paragraph, the items of a list and the agencies' names: one pitch, and
    # nothing tighter (the 認定方式 column's list items were set at 8.8 pt, the others 11.1).
    assert len(set(common.values())) == 1, common
    assert all(min(p) >= common[SCOPE] - 0.3 for p in pitches.values()), pitches
