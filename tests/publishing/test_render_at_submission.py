"""Sign what you see: an edition's files are rendered when it is submitted, the approver opens
them with their size and SHA-256, approval needs them rendered from what the edition holds, and
publication makes exactly those bytes public."""

import datetime
import hashlib

import pytest
from django.urls import reverse
from workers import DATABASE_TASKS

from publishing import services
from publishing.exceptions import InvalidEdition
from publishing.models import Edition, EditionFile, EditionTask
from publishing.rendering import source_sha256
from publishing.rules import rules_for

Status = Edition.Status


def _hashes(edition: Edition) -> dict[str, str]:
    return dict(edition.files.values_list("format", "sha256"))


def test_submission_renders_every_format_from_the_submitted_content(submitted_edition):
    files = list(submitted_edition.files.all())
    assert {f.format for f in files} == set(EditionFile.Format.values)
    for file in files:
        with file.file.storage.open(file.file.name, "rb") as handle:
            data = handle.read()
        assert (file.size, file.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    render = submitted_edition.transitions.get(action="render")
    assert render.actor is None
    pdf = submitted_edition.files.get(format="pdf")
    assert pdf.sha256 in render.comment
    assert submitted_edition.tasks.get().state == EditionTask.State.DONE


def test_the_approver_sees_each_file_with_its_size_and_sha256_and_opens_the_pdf_inline(
    client, submitted_edition, approver
):
    client.force_login(approver)
    page = client.get(reverse("admin:publishing_edition_change", args=[submitted_edition.pk]))
    text = page.content.decode()
    pdf = submitted_edition.files.get(format="pdf")
    link = reverse("admin:publishing_edition_file", args=[submitted_edition.pk, "pdf"])
    assert pdf.sha256 in text and f'href="{link}"' in text and str(pdf.size) in text

    response = client.get(link)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert hashlib.sha256(response.content).hexdigest() == pdf.sha256
    assert "no-store" in response["Cache-Control"]


def test_the_files_of_an_unpublished_edition_are_for_staff_only(
    client, submitted_edition, outsider
):
    link = reverse("admin:publishing_edition_file", args=[submitted_edition.pk, "pdf"])
    assert client.get(link).status_code == 302  # to the admin's login
    client.force_login(outsider)
    assert client.get(link).status_code in (302, 403)
    date = submitted_edition.date.isoformat()
    assert (
        client.get(f"/editions/{date}/{submitted_edition.file_basename()}.pdf").status_code == 404
    )


def test_the_confirmation_pages_summarise_the_diff_and_name_the_files(
    client, submitted_edition, approver
):
    client.force_login(approver)
    for action in ("approve", "reject"):
        url = reverse("admin:publishing_edition_transition", args=[submitted_edition.pk, action])
        text = client.get(url).content.decode()
        assert "首次公告" in text  # the diff's summary for a first edition
        for file in submitted_edition.files.all():
            assert file.filename in text and file.sha256 in text


def test_the_same_content_submitted_again_gives_the_same_files(submitted_edition, editor):
    first = _hashes(submitted_edition)
    draft = services.recall_edition(edition=submitted_edition, user=editor, comment="再看一次")
    again = services.submit_edition(edition=draft, user=editor)
    assert _hashes(again) == first
    assert again.transitions.filter(action="render").count() == 2


def test_a_changed_edition_is_rendered_again_when_submitted_again(
    submitted_edition, editor, approver
):
    first = set(submitted_edition.files.values_list("pk", flat=True))
    draft = services.recall_edition(edition=submitted_edition, user=editor, comment="改日期")
    draft = services.update_edition(
        edition=draft, user=editor, date=draft.date + datetime.timedelta(days=1)
    )
    again = services.submit_edition(edition=draft, user=editor)
    files = list(again.files.all())
    assert len(files) == len(first) and not first & {f.pk for f in files}
    assert {f.source_sha256 for f in files} == {source_sha256(again)}
    assert all(f.file.name.startswith(f"editions/policy-industries/{again.date}/") for f in files)
    assert services.approve_edition(edition=again, user=approver).status == Status.APPROVED


def test_approval_is_refused_until_the_files_of_the_current_content_are_rendered(
    settings, draft_edition, editor, approver
):
    settings.TASKS = DATABASE_TASKS  # nobody runs the worker here
    edition = services.submit_edition(edition=draft_edition, user=editor)
    with pytest.raises(InvalidEdition, match="公告檔案尚未依這個版本目前的內容產生完成，不能核定"):
        services.approve_edition(edition=edition, user=approver)
    assert Edition.objects.get(pk=edition.pk).status == Status.SUBMITTED
    assert not rules_for(edition).can(approver, "approve")


def test_publication_makes_public_the_very_bytes_the_approver_saw(
    client, approved_edition, approver
):
    approved = _hashes(approved_edition)
    published = services.publish_edition(edition=approved_edition, user=approver)
    # Every file as approved; the PDF sealed, its signed bytes following the approved ones.
    sealed = {f.format: f for f in published.files.all()}["pdf"]
    assert sealed.unsigned_sha256 == approved["pdf"]
    assert _hashes(published) == {**approved, "pdf": sealed.sha256}
    manifest = client.get(f"/editions/{published.date.isoformat()}/manifest.json").json()
    entries = {f["format"]: f for f in manifest["files"]}
    assert {fmt: f["sha256"] for fmt, f in entries.items()} == _hashes(published)
    assert entries["pdf"]["unsigned_sha256"] == approved["pdf"]
    page = client.get(f"/editions/{published.date.isoformat()}/")
    assert page.status_code == 200
    download = client.get(f"/editions/{published.date.isoformat()}/{published.file_basename()}.pdf")
    signed = b"".join(download.streaming_content) if download.streaming else download.content
    assert hashlib.sha256(signed[: sealed.unsigned_size]).hexdigest() == approved["pdf"]


def test_deleting_a_draft_takes_the_files_of_its_earlier_submission(
    submitted_edition, editor, superuser
):
    draft = services.recall_edition(edition=submitted_edition, user=editor, comment="不要了")
    services.delete_edition(edition=draft, user=superuser)
    assert not EditionFile.objects.exists()
    assert not Edition.objects.filter(pk=draft.pk).exists()


def test_a_rendering_that_fails_shows_its_reason_and_keeps_the_files(submitted_edition, editor):
    from tampering import tamper

    from publishing import tasks
    from publishing.snapshot import snapshot_sha256

    files = _hashes(submitted_edition)
    snapshot = submitted_edition.snapshot
    snapshot["programmes"][0]["scopes"][0]["description"] = "含有罕用字𠀀的說明"
    tamper(submitted_edition, snapshot=snapshot, snapshot_sha256=snapshot_sha256(snapshot))

    job = tasks.request_rendering(edition=submitted_edition, user=editor)

    assert job.state == EditionTask.State.FAILED
    assert "U+20000" in job.reason
    assert _hashes(submitted_edition) == files
