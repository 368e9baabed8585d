"""Preparing, freezing, chaining and publishing editions through publishing.services."""

import datetime
import hashlib

import pytest
from django.core.files.storage import default_storage
from tampering import tamper

from catalogue.models import Programme, Scope, Target
from publishing import services
from publishing.exceptions import EditionFrozen, InvalidEdition, NotAllowed, RenderingError
from publishing.models import Edition, EditionFile
from publishing.snapshot import build_snapshot, snapshot_sha256

pytestmark = pytest.mark.django_db

Status = Edition.Status
LATER = datetime.date(2026, 3, 31)


def _next_edition(bulletin, editor, approver, *, date=LATER, note="第二版") -> Edition:
    edition = services.create_edition(bulletin=bulletin, date=date, user=editor, change_note=note)
    edition = services.submit_edition(edition=edition, user=editor)
    edition = services.approve_edition(edition=edition, user=approver)
    return services.publish_edition(edition=edition, user=approver)


def test_an_editor_prepares_a_draft_frozen_from_the_catalogue(draft_edition, demo_bulletin, editor):
    assert draft_edition.status == Status.DRAFT
    assert draft_edition.prepared_by == editor
    assert draft_edition.snapshot == build_snapshot(demo_bulletin)
    assert draft_edition.snapshot_sha256 == snapshot_sha256(build_snapshot(demo_bulletin))
    assert draft_edition.transitions.get().action == "create"


def test_an_approver_or_outsider_cannot_prepare_an_edition(demo_bulletin, approver, outsider):
    for user in (approver, outsider):
        with pytest.raises(NotAllowed, match="只有編輯可以建立版本"):
            services.create_edition(bulletin=demo_bulletin, date=LATER, user=user)
    assert not Edition.objects.exists()


def test_a_bulletin_has_at_most_one_unpublished_edition(draft_edition, demo_bulletin, editor):
    with pytest.raises(InvalidEdition, match="已有一個尚未公告的版本"):
        services.create_edition(bulletin=demo_bulletin, date=LATER, user=editor)
    assert Edition.objects.count() == 1


def test_a_new_edition_cannot_take_the_date_of_a_published_one(
    published_edition, demo_bulletin, editor
):
    with pytest.raises(InvalidEdition, match="須晚於前一公告版本"):
        services.create_edition(bulletin=demo_bulletin, date=published_edition.date, user=editor)


def test_a_new_edition_must_be_dated_after_the_last_published_one(
    published_edition, demo_bulletin, editor
):
    with pytest.raises(InvalidEdition, match=r"須晚於前一公告版本（114\.12\.30）"):
        services.create_edition(
            bulletin=demo_bulletin, date=datetime.date(2025, 6, 30), user=editor
        )


def test_refreshing_a_draft_takes_in_catalogue_changes(draft_edition, editor):
    Programme.objects.filter(serial=4).update(name="新南向政策推動計畫（修訂）")
    refreshed = services.refresh_edition(edition=draft_edition, user=editor)
    assert refreshed.snapshot["programmes"][3]["name"] == "新南向政策推動計畫（修訂）"
    assert refreshed.snapshot_sha256 == snapshot_sha256(refreshed.snapshot)
    assert refreshed.snapshot_sha256 != draft_edition.snapshot_sha256


def test_the_snapshot_is_unchanged_by_later_catalogue_edits_and_deletions(submitted_edition):
    frozen = Edition.objects.get(pk=submitted_edition.pk).snapshot
    Programme.objects.filter(serial=4).update(name="改名")
    Target.objects.filter(scope__programme__serial=1).delete()
    Scope.objects.filter(programme__serial=2).delete()
    Programme.objects.filter(serial=9).delete()
    stored = Edition.objects.get(pk=submitted_edition.pk)
    assert stored.snapshot == frozen
    assert snapshot_sha256(stored.snapshot) == stored.snapshot_sha256
    assert len(stored.snapshot["programmes"]) == 9


def test_a_submitted_snapshot_cannot_be_replaced(submitted_edition, demo_bulletin):
    submitted_edition.snapshot = {"programmes": []}
    with pytest.raises(EditionFrozen, match="送審後內容已凍結"):
        submitted_edition.save()
    assert Edition.objects.get(pk=submitted_edition.pk).snapshot != {"programmes": []}


def test_publishing_chains_the_edition_to_the_previous_one(
    published_edition, demo_bulletin, editor, approver
):
    assert published_edition.previous is None
    assert published_edition.previous_sha256 == ""
    assert published_edition.diff["first_edition"] is True
    Programme.objects.filter(serial=4).update(name="新南向政策推動計畫（修訂）")
    second = _next_edition(demo_bulletin, editor, approver)
    first = Edition.objects.get(pk=published_edition.pk)
    assert second.previous == first
    assert second.previous_sha256 == first.snapshot_sha256
    assert second.previous_sha256 == snapshot_sha256(first.snapshot)
    assert second.snapshot_sha256 == snapshot_sha256(Edition.objects.get(pk=second.pk).snapshot)
    assert second.diff["summary"]["changed"] == 1
    assert second.diff["changes"][0]["fields"][0]["new"] == "新南向政策推動計畫（修訂）"


def test_publishing_supersedes_the_edition_in_force(
    published_edition, demo_bulletin, editor, approver
):
    second = _next_edition(demo_bulletin, editor, approver)
    first = Edition.objects.get(pk=published_edition.pk)
    assert first.status == Status.SUPERSEDED
    assert second.status == Status.PUBLISHED
    assert Edition.objects.latest_published(demo_bulletin) == second
    supersede = first.transitions.last()
    assert (supersede.action, supersede.actor, supersede.from_status, supersede.to_status) == (
        "supersede",
        approver,
        Status.PUBLISHED,
        Status.SUPERSEDED,
    )


def test_the_chain_runs_through_a_withdrawn_edition(
    published_edition, demo_bulletin, editor, approver, second_approver
):
    services.withdraw_edition(edition=published_edition, user=second_approver, comment="有誤")
    second = _next_edition(demo_bulletin, editor, approver)
    assert second.previous_sha256 == published_edition.snapshot_sha256
    assert Edition.objects.get(pk=published_edition.pk).status == Status.WITHDRAWN


def test_publishing_stores_each_rendered_file_once_with_its_hash(published_edition):
    files = list(published_edition.files.all())
    assert files
    for stored in files:
        with default_storage.open(stored.file.name, "rb") as handle:
            data = handle.read()
        assert stored.size == len(data)
        assert stored.sha256 == hashlib.sha256(data).hexdigest()
        assert stored.content_type == EditionFile.CONTENT_TYPES[stored.format]
        assert stored.file.name.startswith("editions/policy-industries/2025-12-30/")
    assert published_edition.published_at is not None


def test_a_rendering_failure_leaves_the_submitted_edition_as_it_was(
    demo_bulletin, editor, approver, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    edition = services.create_edition(bulletin=demo_bulletin, date=LATER, user=editor)
    edition = services.submit_edition(edition=edition, user=editor)
    files = list(EditionFile.objects.values_list("pk", "sha256"))
    stored_files = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    # U+F0000 is a private-use character: no configured font has a glyph for it. Submission
    # refuses it in the catalogue; here it sits in the frozen snapshot itself.
    snapshot = edition.snapshot
    snapshot["programmes"][3]["name"] = "新南向政策推動計畫\U000f0000"
    tamper(edition, snapshot=snapshot, snapshot_sha256=snapshot_sha256(snapshot))
    trail = edition.transitions.count()
    with pytest.raises(RenderingError):
        services.render_edition(edition=edition)
    stored = Edition.objects.get(pk=edition.pk)
    assert stored.status == Status.SUBMITTED
    assert list(EditionFile.objects.values_list("pk", "sha256")) == files
    assert stored.transitions.count() == trail
    assert sorted(p for p in tmp_path.rglob("*") if p.is_file()) == stored_files
    # The files no longer come from what the edition holds: nobody can approve them.
    with pytest.raises(InvalidEdition, match="公告檔案尚未依這個版本目前的內容產生完成"):
        services.approve_edition(edition=stored, user=approver)


def test_the_draft_diff_compares_with_the_edition_in_force(
    published_edition, demo_bulletin, editor
):
    Programme.objects.filter(serial=4).update(name="新南向政策推動計畫（修訂）")
    draft = services.create_edition(bulletin=demo_bulletin, date=LATER, user=editor)
    diff = services.current_diff(draft)
    assert diff["summary"]["changed"] == 1
    assert draft.diff is None
