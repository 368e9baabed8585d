"""The longest text every field allows, unbroken, stays inside its column of the PDF."""

import datetime
import math
import shutil
from pathlib import Path
from typing import Any

import pytest
from pdf_layout import edges, lines, pages, split_names, stranded_starts

from catalogue.models import Agency, Bulletin, Programme, Scope, Section, Strategy, Target
from publishing.rendering.document import Document
from publishing.rendering.pdf import breakable, render_pdf
from publishing.snapshot import build_snapshot

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed"),
]

MM = 72 / 25.4
# The template's columns (pdf.LAYOUT, read by bulletin.typ): their rules' x in pt.
EDGES = edges()
# Typst trims the blank half of an opening bracket at the start of a line (【 at 9 pt), which
# moves the glyph's box half an em left, into the cell's 4 pt inset but never past the rule.
TOLERANCE = 4.5 + 0.5


def _longest(field_model: Any, name: str, pattern: str) -> str:
    length = field_model._meta.get_field(name).max_length
    return (pattern * length)[:length]


def _saved(obj: Any) -> Any:
    obj.full_clean()  # the longest text the rule allows, not one character more
    obj.save()
    return obj


@pytest.fixture
def longest_bulletin(db: None) -> Bulletin:
    agency = _saved(Agency(name=_longest(Agency, "name", "W")))
    bulletin = _saved(
        Bulletin(title=_longest(Bulletin, "title", "M"), issuing_agency=agency, slug="longest")
    )
    programme = _saved(
        Programme(
            bulletin=bulletin,
            serial=1,
            name=_longest(Programme, "name", "W"),
            period_start=113,
            period_end=117,
        )
    )
    scope = _saved(
        Scope(
            programme=programme,
            order=1,
            title=_longest(Scope, "title", "0123456789"),
            description=_longest(Scope, "description", "https://example.gov.tw/W"),
            headline=_longest(Scope, "headline", "W"),
            note=_longest(Scope, "note", "@"),
        )
    )
    scope.set_agencies([agency])
    _saved(Target(scope=scope, order=1, text=_longest(Target, "text", "W")))
    _saved(Strategy(scope=scope, order=1, heading=_longest(Strategy, "heading", "W"), items="x"))
    _saved(Strategy(scope=scope, order=2, heading="策略", items=_longest(Strategy, "items", "W")))
    _saved(Section(scope=scope, order=1, heading=_longest(Section, "heading", "）"), items="y"))
    return bulletin


def _words(path: Path) -> list[dict[str, float]]:
    words = []
    for page in pages(path):
        height = float(page.get("height"))
        for word in page.iter("{http://www.w3.org/1999/xhtml}word"):
            box = {k: float(word.get(k)) for k in ("xMin", "xMax", "yMin", "yMax")}
            words.append({**box, "page_height": height, "text": word.text or "", "page": page})
    return words


def _column(word: dict[str, Any]) -> int | None:
    for index, (left, right) in enumerate(zip(EDGES, EDGES[1:], strict=False)):
        if word["xMin"] >= left - TOLERANCE and word["xMax"] <= right + TOLERANCE:
            return index
    return None


def test_the_longest_unbroken_text_of_every_field_stays_inside_its_column(
    longest_bulletin: Bulletin, tmp_path: Path
) -> None:
    path = tmp_path / "longest.pdf"
    document = Document(build_snapshot(longest_bulletin), datetime.date(2025, 12, 30))
    path.write_bytes(render_pdf(document))

    words = _words(path)
    # The title and the date above the table span the page between its margins.
    first_page_words = [w for w in words if w["page"] is words[0]["page"]]
    # The longest programme name heads its scopes in a row that cannot break: the table may
    # start on the second page, below nothing but the title.
    table_top = next((w["yMin"] for w in first_page_words if w["text"] == "序號"), math.inf)
    above, table = [], []
    for word in words:
        first_page = word["page"] is words[0]["page"]
        (above if first_page and word["yMax"] < table_top else table).append(word)
    assert above and all(w["xMin"] >= EDGES[0] and w["xMax"] <= EDGES[-1] for w in above)
    outside = [(w["text"][:20], w["xMin"], w["xMax"]) for w in table if _column(w) is None]
    assert outside == []
    assert all(0 <= w["yMin"] and w["yMax"] <= w["page_height"] for w in words)
    text = "".join(w["text"] for w in words)

    def column_text(index: int) -> str:
        # A scope is one row: its cells sit side by side, so read each column on its own,
        # without the column's header and the page number that each page repeats.
        return "".join(
            w["text"]
            for w in table
            if _column(w) == index
            and w["text"] not in ("產業範疇", "認定方式")
            and w["yMin"] < w["page_height"] - 16 * MM
        )

    # Every character is there (the note breaks across a page, under the repeated header).
    recognition = column_text(4)
    assert "W" * 300 in recognition and "）" * 300 in recognition
    assert "0123456789" * 20 in column_text(3)
    assert text.count("@") == 1000
    # The scope's cell runs over several pages; read on its own, no address is cut.
    assert column_text(3).count("https://example.gov.tw/") == 2000 // 24


def test_the_longest_texts_keep_each_scope_start_with_its_text(
    longest_bulletin: Bulletin, tmp_path: Path
) -> None:
    path = tmp_path / "longest.pdf"
    path.write_bytes(
        render_pdf(Document(build_snapshot(longest_bulletin), datetime.date(2025, 12, 30)))
    )
    found = lines(path)
    assert stranded_starts(found) == []
    # The longest agency name (100 × W) is wider than its column: it breaks, as it must.
    assert split_names(found, {"W" * 100}) == ["W" * 100]


def test_a_run_wider_than_its_column_is_cut_into_clusters_and_chinese_is_not() -> None:
    assert breakable("W" * 20, 7.0) == tuple("W" * 20)
    assert breakable("見 " + "W" * 9 + " 等", 7.0) == ("見 W", *"W" * 7, "W 等")
    assert breakable("半導體產業" * 10, 7.0) == "半導體產業" * 10
    assert breakable("IC設計 2.5D/3D", 7.0) == "IC設計 2.5D/3D"
    # The forbidden path beside it: an ordinary word that fits its column is not cut.
    assert breakable("Tensorflow and Python", 7.0) == "Tensorflow and Python"
    assert (
        breakable("架構 : 深度學習框架 (Tensorflow...)", 38.0)
        == "架構 : 深度學習框架 (Tensorflow...)"
    )
