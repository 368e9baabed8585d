"""Steps announce what they did: one event per step, inside its transaction; a refused step
announces nothing; whatever follows a step (mail, queued work, the audit line) listens."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from publishing import services
from publishing.events import PUBLICATION_QUEUED, EditionEvent, edition_event
from publishing.exceptions import ReasonRequired
from publishing.lifecycle import Action
from publishing.models import Edition, EditionTask
from publishing.rules import rules_for

Status = Edition.Status


@pytest.fixture
def heard():
    """The events a listener of our own hears, each with whether a transaction was open."""
    events: list[tuple[EditionEvent, bool]] = []

    def listen(sender, event, **kwargs):
        events.append((event, connection.in_atomic_block))

    edition_event.connect(listen, dispatch_uid="test.listener")
    yield events
    edition_event.disconnect(dispatch_uid="test.listener")


def test_each_step_announces_one_event_inside_its_transaction(
    heard, demo_bulletin, editor, approver
):
    edition = services.create_edition(
        bulletin=demo_bulletin, date=datetime.date(2025, 12, 30), user=editor
    )
    edition = services.submit_edition(edition=edition, user=editor)  # the worker renders
    edition = services.approve_edition(edition=edition, user=approver)
    services.publish_edition(edition=edition, user=approver, comment="公告")

    # The test settings' worker renders inside the submission: the render step's event comes
    # while the submission's is being heard.
    names = sorted(event.name for event, _ in heard)
    assert names == sorted(["create", "submit", "render", "approve", "publish"])
    assert all(in_transaction for _, in_transaction in heard)
    publish = heard[-1][0]
    assert (publish.source, publish.target) == (Status.APPROVED, Status.PUBLISHED)
    assert publish.actor == approver
    assert publish.comment == "公告"
    assert publish.transition == edition.transitions.get(action=Action.PUBLISH)


def test_publishing_over_the_edition_in_force_announces_its_supersession(
    heard, published_edition, demo_bulletin, editor, approver, second_approver
):
    newer = services.create_edition(
        bulletin=demo_bulletin, date=datetime.date(2026, 3, 31), user=editor
    )
    newer = services.submit_edition(edition=newer, user=editor)
    newer = services.approve_edition(edition=newer, user=second_approver)
    heard.clear()

    services.publish_edition(edition=newer, user=second_approver)

    named = [(event.name, event.edition.pk) for event, _ in heard]
    assert named == [(Action.SUPERSEDE, published_edition.pk), (Action.PUBLISH, newer.pk)]


def test_a_refused_step_announces_nothing(heard, submitted_edition, approver):
    heard.clear()
    with pytest.raises(ReasonRequired):
        services.reject_edition(edition=submitted_edition, user=approver, comment=" ")
    assert heard == []
    assert Edition.objects.get(pk=submitted_edition.pk).status == Status.SUBMITTED


def test_publishing_in_the_background_announces_the_queued_publication_and_the_step(
    heard, approved_edition, approver
):
    heard.clear()

    services.publish_edition(edition=approved_edition, user=approver, background=True)

    # The test settings' worker runs the queued work at once, in the same transaction, while
    # the queued publication's event is being heard.
    assert sorted(event.name for event, _ in heard) == sorted([PUBLICATION_QUEUED, Action.PUBLISH])
    job = approved_edition.tasks.get(kind=EditionTask.Kind.PUBLISH)
    assert job.state == EditionTask.State.DONE


def test_the_rules_read_an_edition_once_however_many_steps_are_asked(
    approved_edition, approver, second_approver, editor
):
    rules = rules_for(Edition.objects.get(pk=approved_edition.pk))
    with CaptureQueriesContext(connection) as queries:
        for person in (approver, second_approver, editor):
            rules.allowed_actions(person)
    # The edition's contributing lines and its files; the people's permissions are cached on
    # each user by Django.
    ours = [q["sql"] for q in queries.captured_queries if '"publishing_' in q["sql"]]
    assert len(ours) == 2


def test_approving_from_the_admin_asks_the_rules_once(client, submitted_edition, approver):
    client.force_login(approver)
    url = reverse("admin:publishing_edition_transition", args=[submitted_edition.pk, "approve"])
    form = {"comment": "", "version": submitted_edition.updated_at.isoformat()}

    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, form)

    assert response.status_code == 302
    assert Edition.objects.get(pk=submitted_edition.pk).status == Status.APPROVED
    files_read = [
        q["sql"]
        for q in queries.captured_queries
        if 'FROM "publishing_editionfile"' in q["sql"] and '"source_sha256"' in q["sql"]
    ]
    assert len(files_read) == 1
