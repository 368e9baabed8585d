"""What the steps announce: one event per step taken, sent inside the step's transaction.

A step (publishing.services) checks, writes and records; what should follow — the mail to
the people concerned, the rendering of a submitted edition's files, the queued publication,
the audit line — listens here instead of being called by the step (publishing.listeners
connects them). So a step knows nothing of mail, queues or logs, and a new listener (a webhook,
an alert) is a function connected to `edition_event`, not a change to every step.

The signal is sent inside the step's transaction, before it commits: a listener that writes
(a queued job) writes in the same transaction, so the work exists exactly when the step does;
a listener whose effect must not happen for a step that rolls back (mail, a log line) defers it
with `transaction.on_commit`. A listener that raises rolls the step back: listeners that must
not (mail) catch their own errors.

Besides the steps of lifecycle.Action, two events are not steps: PUBLICATION_QUEUED (an
approver asked the worker to publish, now or at a scheduled moment) and PUBLICATION_FAILED
(the worker's publication was refused or failed; nothing changed).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.dispatch import Signal

PUBLICATION_QUEUED = "publication_queued"
PUBLICATION_FAILED = "publish_failed"

# Sent with sender=EditionEvent and event=the EditionEvent.
edition_event = Signal()


@dataclass(frozen=True)
class EditionEvent:
    """One thing that happened to an edition.

    name: a lifecycle.Action value, PUBLICATION_QUEUED or PUBLICATION_FAILED. actor: the person
    (None for the worker's own steps). source/target: the statuses before and after (the same
    for a step that keeps the status). comment: what the person wrote, or the reason of a
    failure. transition: the audit line the step wrote, if any. details: what else the event
    carries (PUBLICATION_QUEUED: job, run_after).
    """

    name: str
    edition: Any
    actor: Any = None
    source: str = ""
    target: str = ""
    comment: str = ""
    transition: Any = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def run_after(self) -> datetime.datetime | None:
        return self.details.get("run_after")


def emit(event: EditionEvent) -> None:
    """Tell every listener, now, inside the caller's transaction."""
    edition_event.send(sender=EditionEvent, event=event)
