"""What the admin's front page shows each person: their work first, then what happened lately.

Reads only (a selectors module). An editor sees their drafts, their rejected editions with the
reasons, and how many catalogue rows changed since the last edition; an approver sees the
editions awaiting a decision, each marked when four eyes keeps them from approving it (the
reason comes from publishing.rules, which decides), and the approved editions waiting for
publication. Both see the editions in force and the last steps and catalogue revisions. A
person without a role sees nothing.

The queries do not grow with the catalogue, the editions or the history: lists are fetched
whole with their related rows, the history of each catalogue model is cut to its last rows in
the database. Each bulletin has at most one edition under review (a database constraint), and
asking whether four eyes allows it costs one query; so the number grows with the bulletins
only, of which the agency keeps one.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as N_

from accounts.people import user_label
from catalogue.models import Agency, Bulletin, Programme, Scope, Section, Strategy, Target

from . import lifecycle, tasks
from .diff import diff_snapshots
from .lifecycle import Action, Status
from .models import Edition, EditionTransition
from .rules import has_permission, rules_for
from .snapshot import build_snapshot, snapshot_programmes, snapshot_sha256

RECENT = 10
CATALOGUE_VIEW_PERMISSION = "catalogue.view_bulletin"
# The column that names a row of each catalogue model in the activity list (its __str__ may
# read related rows: one query per line).
HISTORY_LABELS: tuple[tuple[type[Any], str], ...] = (
    (Bulletin, "title"),
    (Programme, "name"),
    (Scope, "title"),
    (Target, "text"),
    (Strategy, "heading"),
    (Section, "heading"),
    (Agency, "name"),
)
HISTORY_TYPES = {"+": N_("新增"), "~": N_("修改"), "-": N_("刪除")}


@dataclass
class Decision:
    """An edition waiting for someone, and whether this person may take the step now."""

    edition: Edition
    action: str
    allowed: bool
    reason: str = ""

    @property
    def scheduled_for(self) -> datetime.datetime | None:
        # Scheduled publication may add Edition.scheduled_for; without it there is no date.
        return getattr(self.edition, "scheduled_for", None)

    @property
    def url(self) -> str:
        return edition_url(self.edition)


@dataclass
class Rejected:
    edition: Edition
    reason: str
    by: str

    @property
    def url(self) -> str:
        return edition_url(self.edition)


@dataclass
class CatalogueChanges:
    """Catalogue rows changed since the newest edition of a bulletin took its snapshot."""

    bulletin: Bulletin
    base: Edition | None  # the edition compared with; None: the bulletin has none yet
    count: int | None  # None: no edition yet, the whole catalogue is new

    @property
    def url(self) -> str:
        return reverse("admin:catalogue_changes", args=[self.bulletin.pk])


@dataclass
class Activity:
    at: datetime.datetime
    who: str
    what: str
    subject: str
    comment: str
    url: str


@dataclass
class Trouble:
    edition: Edition
    reason: str

    @property
    def url(self) -> str:
        return edition_url(self.edition)


@dataclass
class Dashboard:
    is_editor: bool = False
    is_approver: bool = False
    drafts: list[Edition] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    changes: list[CatalogueChanges] = field(default_factory=list)
    awaiting: list[Decision] = field(default_factory=list)
    approved: list[Decision] = field(default_factory=list)
    in_force: list[Edition] = field(default_factory=list)
    activity: list[Activity] = field(default_factory=list)
    # The background work that needs an operator (what /healthz answers 503 for).
    troubles: list[Trouble] = field(default_factory=list)

    @property
    def is_member(self) -> bool:
        return self.is_editor or self.is_approver


def edition_url(edition: Edition) -> str:
    return reverse("admin:publishing_edition_change", args=[edition.pk])


def dashboard_for(user: Any) -> Dashboard:
    """The front page of the admin for user."""
    board = Dashboard(
        is_editor=has_permission(user, lifecycle.PREPARE),
        is_approver=has_permission(user, lifecycle.APPROVE),
    )
    if board.is_editor:
        board.drafts = my_drafts(user)
        board.rejected = my_rejected(user)
        board.changes = catalogue_changes()
    if board.is_approver:
        board.awaiting = decisions(user, Status.SUBMITTED, Action.APPROVE)
        board.approved = decisions(user, Status.APPROVED, Action.PUBLISH)
        board.troubles = [Trouble(edition, reason) for edition, reason in tasks.troubles()]
    if board.is_member or user.has_perm(CATALOGUE_VIEW_PERMISSION):
        board.in_force = list(_editions().published().order_by("bulletin__title"))
        board.activity = recent_activity()
    return board


def _editions() -> Any:
    """Editions with what a list shows, without their snapshots (large, and not shown)."""
    return Edition.objects.select_related("bulletin", "prepared_by").defer("snapshot")


def my_drafts(user: Any) -> list[Edition]:
    """Drafts user prepared or worked on."""
    mine = Q(prepared_by=user) | Q(
        transitions__actor=user, transitions__action__in=lifecycle.CONTRIBUTING_ACTIONS
    )
    return list(_editions().defer("diff").filter(mine, status=Status.DRAFT).distinct())


def my_rejected(user: Any) -> list[Rejected]:
    """Rejected editions user prepared or submitted, with the last rejection's reason."""
    mine = Q(prepared_by=user) | Q(transitions__actor=user, transitions__action=Action.SUBMIT)
    rejections = EditionTransition.objects.filter(action=Action.REJECT).select_related("actor")
    editions = (
        _editions()
        .defer("diff")
        .filter(mine, status=Status.REJECTED)
        .distinct()
        .prefetch_related(
            Prefetch("transitions", queryset=rejections.order_by("at", "pk"), to_attr="rejections")
        )
    )
    out = []
    for edition in editions:
        last = edition.rejections[-1] if edition.rejections else None
        out.append(
            Rejected(
                edition,
                reason=last.comment if last else "",
                by=user_label(last.actor) if last and last.actor else "",
            )
        )
    return out


def decisions(user: Any, status: str, action: str) -> list[Decision]:
    """Editions in status, each with whether user may take action on it, and why not."""
    out = []
    for edition in _editions().filter(status=status).order_by("date"):
        refused = rules_for(edition).refusal(user, action)
        if refused is not None:
            out.append(Decision(edition, action, allowed=False, reason=str(refused)))
        else:
            out.append(Decision(edition, action, allowed=True))
    return out


def catalogue_changes() -> list[CatalogueChanges]:
    """Per bulletin, the rows changed since its newest edition (under review or public)."""
    unpublished = Edition.objects.unpublished().filter(bulletin=OuterRef("pk"))
    latest_public = Edition.objects.public().filter(bulletin=OuterRef("pk"))
    bulletins = list(
        Bulletin.objects.select_related("issuing_agency")
        .annotate(
            open_id=Subquery(unpublished.values("pk")[:1]),
            public_id=Subquery(latest_public.order_by("-published_at", "-pk").values("pk")[:1]),
        )
        .prefetch_related(Prefetch("programmes", queryset=snapshot_programmes()))
    )
    wanted = {b.open_id or b.public_id for b in bulletins} - {None}
    bases = {e.pk: e for e in Edition.objects.filter(pk__in=wanted).defer("diff")}
    out = []
    for bulletin in bulletins:
        base = bases.get(bulletin.open_id or bulletin.public_id)
        now = build_snapshot(bulletin, programmes=bulletin.programmes.all())
        count: int | None = None
        if base is not None and snapshot_sha256(now) == base.snapshot_sha256:
            count = 0
        elif base is not None:
            count = len(diff_snapshots(base.snapshot, now)["changes"])
        out.append(CatalogueChanges(bulletin, base, count))
    return out


def recent_activity(limit: int = RECENT) -> list[Activity]:
    """The last steps on editions and revisions of the catalogue, newest first."""
    lines = (
        EditionTransition.objects.select_related("actor", "edition__bulletin")
        .defer("edition__snapshot", "edition__diff")
        .order_by("-at", "-pk")[:limit]
    )
    found = [
        Activity(
            at=line.at,
            who=user_label(line.actor),
            what=line.get_action_display(),
            subject=gettext("{bulletin} {date} 版").format(
                bulletin=line.edition.bulletin.title, date=line.edition.roc_date
            ),
            comment=line.comment,
            url=edition_url(line.edition),
        )
        for line in lines
    ]
    for model, label in HISTORY_LABELS:
        records = model.history.select_related("history_user").order_by("-history_date")
        for record in records[:limit]:
            found.append(
                Activity(
                    at=record.history_date,
                    who=user_label(record.history_user),
                    what=gettext(HISTORY_TYPES[record.history_type]),
                    subject=f"{model._meta.verbose_name}「{getattr(record, label)}」",
                    comment=record.history_change_reason or "",
                    url=reverse(
                        f"admin:catalogue_{model._meta.model_name}_history", args=[record.id]
                    ),
                )
            )
    found.sort(key=lambda entry: entry.at, reverse=True)
    return found[:limit]
