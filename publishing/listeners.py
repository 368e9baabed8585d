"""Who listens to the steps' events (publishing.events), connected once at start-up
(PublishingConfig.ready): the work a step asks for (publishing.tasks), the mail to the people
it concerns (publishing.notifications) and the audit log line (operations.audit).

A new listener — a webhook, an alert, a cache to refresh — is connected here; the steps do
not change.
"""

from __future__ import annotations

from typing import Any

from operations import audit

from . import notifications, tasks
from .events import EditionEvent, edition_event
from .lifecycle import Action


def audit_line(sender: Any, event: EditionEvent, **kwargs: Any) -> None:
    """One audit line per line of an edition's trail, once the step commits."""
    line = event.transition
    if line is None:
        return
    edition = event.edition
    fields = {
        "edition_id": edition.pk,
        "bulletin_id": edition.bulletin_id,
        "date": edition.date.isoformat(),
        "action": line.action,
        "from_status": line.from_status,
        "to_status": line.to_status,
        "transition_id": line.pk,
    }
    if line.action == Action.PUBLISH:
        audit.log("publication", user=line.actor, snapshot_sha256=edition.snapshot_sha256, **fields)
    else:
        audit.log("transition", user=line.actor, **fields)


def connect() -> None:
    """Called once from PublishingConfig.ready()."""
    edition_event.connect(tasks.queue_work, dispatch_uid="publishing.tasks")
    edition_event.connect(notifications.mail_after_commit, dispatch_uid="publishing.mail")
    edition_event.connect(audit_line, dispatch_uid="publishing.audit")
