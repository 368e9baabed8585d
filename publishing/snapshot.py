"""The frozen form of a bulletin: versioned JSON that every rendering and diff reads.

Format "policy-industries-snapshot", version 1. Every catalogue row carries its stable id
so that a diff can tell a moved or edited row from a new one.
"""

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, QuerySet

from catalogue.models import Bulletin, Programme, Scope, format_period
from catalogue.numbers import plain_decimal

SNAPSHOT_FORMAT = "policy-industries-snapshot"
SNAPSHOT_VERSION = 1


def snapshot_programmes() -> QuerySet[Programme]:
    """Programmes with everything a snapshot reads prefetched; filter or prefetch it by bulletin."""
    scopes = Scope.objects.prefetch_related(
        "agency_links__agency", "targets", "strategies", "sections"
    ).order_by("order")
    return Programme.objects.order_by("serial").prefetch_related(
        Prefetch("scopes", queryset=scopes)
    )


def build_snapshot(
    bulletin: Bulletin, programmes: Iterable[Programme] | None = None
) -> dict[str, Any]:
    """The bulletin's whole catalogue as it is now, in a fixed number of queries.

    programmes: the bulletin's programmes from snapshot_programmes(), when the caller prefetched
    them for several bulletins at once (the admin dashboard).
    """
    if programmes is None:
        programmes = snapshot_programmes().filter(bulletin=bulletin)
    agency = bulletin.issuing_agency
    return {
        "format": SNAPSHOT_FORMAT,
        "version": SNAPSHOT_VERSION,
        "bulletin": {
            "id": bulletin.pk,
            "slug": bulletin.slug,
            "title": bulletin.title,
            "full_title": bulletin.full_title,
            "issuing_agency": _agency(agency),
        },
        "programmes": [_programme(p) for p in programmes],
    }


def _agency(agency: Any) -> dict[str, Any]:
    return {"id": agency.pk, "name": agency.name, "short_name": agency.short_name}


def _programme(programme: Programme) -> dict[str, Any]:
    return {
        "id": programme.pk,
        "serial": programme.serial,
        "name": programme.name,
        "period_start": programme.period_start,
        "period_end": programme.period_end,
        "open_end": programme.open_end,
        "period_display": format_period(
            programme.period_start, programme.period_end, programme.open_end
        ),
        "scopes": [_scope(s) for s in programme.scopes.all()],
    }


def _scope(scope: Scope) -> dict[str, Any]:
    return {
        "id": scope.pk,
        "order": scope.order,
        "title": scope.title,
        "description": scope.description,
        # In the scope's order. Snapshots frozen before the order was kept list them in the
        # global order they were shown in then; they render as they were published.
        "agencies": [_agency(a) for a in scope.ordered_agencies],
        "headline": scope.headline,
        "targets": [
            {
                "id": t.pk,
                "order": t.order,
                "text": t.text,
                "value": None if t.value is None else plain_decimal(t.value),
                "unit": t.unit,
                "deadline_year": t.deadline_year,
            }
            for t in sorted(scope.targets.all(), key=lambda t: t.order)
        ],
        "strategies": [_headed_list(s) for s in sorted(scope.strategies.all(), key=_order)],
        "sections": [_headed_list(s) for s in sorted(scope.sections.all(), key=_order)],
        "note": scope.note,
    }


def _order(obj: Any) -> int:
    return obj.order


def _headed_list(part: Any) -> dict[str, Any]:
    return {"id": part.pk, "order": part.order, "heading": part.heading, "items": part.item_list}


def canonical_bytes(snapshot: dict[str, Any]) -> bytes:
    """The one byte form of a snapshot that its SHA-256 is taken over."""
    return json.dumps(snapshot, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(
        "utf-8"
    )


def snapshot_sha256(snapshot: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_bytes(snapshot)).hexdigest()
