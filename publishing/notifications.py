"""E-mail to the people an edition's step concerns, in Traditional Chinese, after the step commits.

One entry point, `notify(event, edition_id, actor_id, reason)`, takes ids only: it re-reads the
edition, so it runs in the task worker (`send_notification`), queued once the step commits
(`mail_after_commit` listens to the steps' events, publishing.listeners) or at once when a
publication the worker took failed (its failure is recorded already).
Who may decide is asked of publishing.rules, never worked out again here, so four eyes
excludes the same people from the mail as from the button.

Each person may turn the mail off (NotificationSetting); people without an address, inactive
accounts and the person who took the step (except for a failed publication, which they asked
for) get none.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from accounts.people import user_label

from . import lifecycle
from .events import PUBLICATION_FAILED, EditionEvent
from .lifecycle import Action
from .models import Edition, NotificationSetting
from .rules import rules_for

logger = logging.getLogger(__name__)

SUBMIT, REJECT, APPROVE, PUBLISH, WITHDRAW = (
    Action.SUBMIT,
    Action.REJECT,
    Action.APPROVE,
    Action.PUBLISH,
    Action.WITHDRAW,
)
PUBLISH_FAILED = PUBLICATION_FAILED


@dataclass(frozen=True)
class Event:
    """One kind of mail: its subject and first sentence ({date} is the edition's ROC date)."""

    subject: Any
    sentence: Any


EVENTS: dict[str, Event] = {
    SUBMIT: Event(_("{date} 版待您核定"), _("{actor} 已將 {date} 版送審，請您核定或退回。")),
    REJECT: Event(_("{date} 版已退回"), _("{actor} 退回了 {date} 版。")),
    APPROVE: Event(_("{date} 版已核定"), _("{actor} 核定了 {date} 版，可以公告了。")),
    PUBLISH: Event(_("{date} 版已公告"), _("{actor} 公告了 {date} 版。")),
    WITHDRAW: Event(_("{date} 版已撤回"), _("{actor} 撤回了已公告的 {date} 版。")),
    PUBLISH_FAILED: Event(
        _("{date} 版公告失敗"), _("{date} 版公告失敗，版本仍為已核定，未公告任何內容。")
    ),
}
SUBJECT_PREFIX = _("[政策性產業彙整表]")


def mail_after_commit(sender: Any, event: EditionEvent, **kwargs: Any) -> None:
    """Send the event's mail once the step's transaction commits; nothing if it rolls back.

    Events without mail (recall, reopen, supersede, render…) pass through. A failed
    publication is mailed at once: the failure is recorded, there is nothing to wait for.
    """
    if event.name not in EVENTS:
        return
    actor = event.actor
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    edition_id, name, reason = event.edition.pk, event.name, event.comment

    def send() -> None:
        send_notification.enqueue(
            event=name, edition_id=edition_id, actor_id=actor_id, reason=reason
        )

    if name == PUBLICATION_FAILED:
        send()
    else:
        # robust: a queue or mail server down must not turn a committed step into an error
        transaction.on_commit(send, robust=True)


@task()
def send_notification(
    *, event: str, edition_id: int, actor_id: int | None, reason: str = ""
) -> int:
    """The mail of one event, sent by the task worker (at once where the backend is immediate):
    a slow mail server holds up neither the step nor the page that took it."""
    return notify(event, edition_id, actor_id, reason)


def notify(event: str, edition_id: int, actor_id: int | None, reason: str = "") -> int:
    """Mail the people event concerns about edition_id; return how many mails were sent."""
    if event not in EVENTS:
        raise ValueError(f"unknown notification event {event!r}")
    edition = (
        Edition.objects.select_related("bulletin", "prepared_by").filter(pk=edition_id).first()
    )
    if edition is None:
        return 0
    User = get_user_model()
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    people = [
        person
        for person in recipients(event, edition, actor)
        if person.is_active and person.email and wants_mail(person)
    ]
    if not people:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        messages = [_message(event, edition, actor, person, reason) for person in people]
    sent = get_connection().send_messages(messages) or 0
    logger.info("notification %s edition=%s sent=%s", event, edition_id, sent)
    return sent


def recipients(event: str, edition: Edition, actor: Any | None) -> list[Any]:
    """Who event concerns: those who may decide a submitted edition, or those who took part."""
    if event == SUBMIT:
        rules = rules_for(edition)
        people = [
            person for person in _holders(lifecycle.APPROVE) if rules.can(person, Action.APPROVE)
        ]
    elif event == REJECT:
        people = _by_ids([edition.prepared_by_id, rules_for(edition).submitter_id])
    else:
        people = _by_ids([edition.prepared_by_id, *_participant_ids(edition)])
    if event != PUBLISH_FAILED and actor is not None:
        people = [person for person in people if person.pk != actor.pk]
    return people


def wants_mail(user: Any) -> bool:
    """True unless the person turned the mail off."""
    setting = NotificationSetting.objects.filter(user=user).first()
    return setting is None or setting.email_enabled


def backoffice_url(path: str) -> str:
    """path in the back office, as an absolute URL (BACKOFFICE_URL: mail has no request to ask)."""
    return settings.BACKOFFICE_URL.rstrip("/") + path


def edition_admin_url(edition: Edition) -> str:
    """The edition's admin page as an absolute URL."""
    return backoffice_url(reverse("admin:publishing_edition_change", args=[edition.pk]))


def _holders(permission: str) -> list[Any]:
    """Active people holding publishing.<permission>: by a group, by themselves, as superuser."""
    perm = Permission.objects.get(content_type__app_label="publishing", codename=permission)
    query = Q(is_superuser=True) | Q(groups__permissions=perm) | Q(user_permissions=perm)
    return list(get_user_model().objects.filter(query, is_active=True).distinct().order_by("pk"))


def _by_ids(ids: list[int | None]) -> list[Any]:
    wanted = {pk for pk in ids if pk is not None}
    return list(get_user_model().objects.filter(pk__in=wanted).order_by("pk"))


def _participant_ids(edition: Edition) -> list[int]:
    """Everyone who took a step on the edition: prepared, submitted, approved, published…"""
    return list(
        edition.transitions.filter(actor__isnull=False)
        .values_list("actor_id", flat=True)
        .distinct()
    )


def _message(
    event: str, edition: Edition, actor: Any | None, person: Any, reason: str
) -> EmailMultiAlternatives:
    kind = EVENTS[event]
    actor_name = user_label(actor)
    context = {
        "person": user_label(person),
        "sentence": str(kind.sentence).format(date=edition.roc_date, actor=actor_name),
        "bulletin": edition.bulletin.title,
        "edition": edition,
        "reason": reason.strip(),
        "url": edition_admin_url(edition),
        "settings_url": backoffice_url(reverse("admin:notification_settings")),
    }
    subject = f"{SUBJECT_PREFIX} {str(kind.subject).format(date=edition.roc_date)}"
    mail = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("publishing/mail/notification.txt", context),
        to=[person.email],
    )
    mail.attach_alternative(
        render_to_string("publishing/mail/notification.html", context), "text/html"
    )
    return mail
