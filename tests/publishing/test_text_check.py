"""Before any rendering, every text that a file could not carry is listed with its place."""

import json
from typing import Any

import pytest
from tampering import tamper

from catalogue.models import Scope, Strategy
from publishing import services
from publishing.exceptions import RenderingError
from publishing.models import Edition, EditionFile
from publishing.snapshot import snapshot_sha256

pytestmark = pytest.mark.django_db


def _freeze(edition: Edition, change: Any) -> Edition:
    """Write a text into an edition's frozen snapshot, as a snapshot made before the rule was."""
    snapshot = json.loads(json.dumps(edition.snapshot))
    change(snapshot)
    tamper(edition, snapshot=snapshot, snapshot_sha256=snapshot_sha256(snapshot))
    return edition


def test_rendering_lists_every_bad_text_with_its_place_and_changes_nothing(
    submitted_edition: Edition, approver: Any
) -> None:
    def plant(snapshot: dict[str, Any]) -> None:
        scope = snapshot["programmes"][0]["scopes"][0]
        scope["description"] = "包括\x07晶片設計"
        scope["strategies"][1]["items"][0] = "項目\u202e(113-117年)"

    files = list(EditionFile.objects.values_list("pk", "sha256"))
    _freeze(submitted_edition, plant)

    # The files are rendered after each submission (publishing.tasks): that is where it stops.
    with pytest.raises(RenderingError) as refusal:
        services.render_edition(edition=submitted_edition)

    message = str(refusal.value)
    assert "下列 2 處文字無法公告" in message
    assert "序號 1 第 1 個產業範疇「產業範疇說明」：含有不允許的控制字元 U+0007" in message
    assert (
        "序號 1 第 1 個產業範疇推動策略第 2 項的第 1 個項目：含有不允許的文字方向控制字元 U+202E"
        in (message)
    )
    submitted_edition.refresh_from_db()
    assert submitted_edition.status == Edition.Status.SUBMITTED
    assert list(EditionFile.objects.values_list("pk", "sha256")) == files


def test_a_clean_edition_publishes(approved_edition: Edition, approver: Any) -> None:
    edition = services.publish_edition(edition=approved_edition, user=approver)
    assert edition.status == Edition.Status.PUBLISHED


def test_submitting_refuses_a_text_the_pdf_fonts_cannot_draw_naming_its_place(
    draft_edition: Edition, editor: Any
) -> None:
    # The catalogue accepts the character (it is not a control character); the PDF's fonts
    # have no glyph for it: the editor hears it at submission, with the row, not at publishing.
    scope = Scope.objects.filter(programme__serial=2).order_by("order").first()
    Strategy.objects.create(scope=scope, order=9, heading="罕用字𠀀", items="")
    draft_edition = services.refresh_edition(edition=draft_edition, user=editor)

    with pytest.raises(RenderingError) as refusal:
        services.submit_edition(edition=draft_edition, user=editor)

    assert "序號 2 第 1 個產業範疇推動策略第" in str(refusal.value)
    assert "「𠀀」(U+20000)" in str(refusal.value)
    draft_edition.refresh_from_db()
    assert draft_edition.status == Edition.Status.DRAFT


def test_an_edition_note_or_reason_with_a_control_character_is_refused(
    published_edition: Edition, demo_bulletin: Any, editor: Any, approver: Any
) -> None:
    import datetime

    from publishing.exceptions import InvalidEdition

    with pytest.raises(InvalidEdition) as refusal:
        services.create_edition(
            bulletin=demo_bulletin,
            date=datetime.date(2026, 2, 1),
            user=editor,
            change_note="修正\x1b[31m",
        )
    assert str(refusal.value) == (
        "本版異動說明含有不允許的控制字元 U+001B（第 1 行第 3 個字）；請刪除這個字元。"
    )
    with pytest.raises(InvalidEdition):
        services.withdraw_edition(edition=published_edition, user=approver, comment="理由\u202e")
    published_edition.refresh_from_db()
    assert published_edition.status == Edition.Status.PUBLISHED
    assert Edition.objects.count() == 1
    # A browser's CRLF in a reason is no control character.
    services.withdraw_edition(edition=published_edition, user=approver, comment="資料\r\n有誤")
