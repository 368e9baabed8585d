"""Load the agency's 114.12.30 bulletin, hand-structured in demo/, into the catalogue."""

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from .history import attribute, one_revision
from .models import Agency, Bulletin, Programme, Scope, Section, Strategy, Target

DEMO_FILE = Path(__file__).resolve().parent / "demo" / "policy-industries-114-12-30.json"
DEMO_REASON = "載入示範資料：114.12.30 公告之彙整表"


def read_demo_data(path: Path = DEMO_FILE) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


@transaction.atomic
def load_bulletin(
    data: dict[str, Any], *, user: AbstractBaseUser | None, reason: str = DEMO_REASON
) -> tuple[Bulletin, bool]:
    """Create the bulletin unless one with its slug exists; return it and whether it was made.

    An existing bulletin is left as it is, so that running the demo set-up again never
    overwrites what editors changed since.
    """
    existing = Bulletin.objects.filter(slug=data["bulletin"]["slug"]).first()
    if existing is not None:
        return existing, False

    agencies = {}
    for position, row in enumerate(data["agencies"], start=1):
        agency = Agency.objects.filter(name=row["name"]).first()
        if agency is None:
            agency = Agency(name=row["name"], short_name=row["short_name"], order=position * 10)
            _save(agency, user=user, reason=reason)
        agencies[agency.name] = agency

    bulletin = Bulletin(
        title=data["bulletin"]["title"],
        slug=data["bulletin"]["slug"],
        issuing_agency=agencies[data["bulletin"]["issuing_agency"]],
    )
    _save(bulletin, user=user, reason=reason)
    for row in data["programmes"]:
        _load_programme(bulletin, row, agencies, user=user, reason=reason)
    return bulletin, True


def _load_programme(
    bulletin: Bulletin, row: dict[str, Any], agencies: dict[str, Agency], **who: Any
) -> None:
    programme = Programme(
        bulletin=bulletin,
        serial=row["serial"],
        name=row["name"],
        period_start=row["period_start"],
        period_end=row["period_end"],
        open_end=row.get("period_end_text", ""),
    )
    _save(programme, **who)
    for order, scope_row in enumerate(row["scopes"], start=1):
        scope = Scope(
            programme=programme,
            order=order,
            title=scope_row["title"],
            description=scope_row["description"],
            headline=scope_row.get("headline", ""),
            note=scope_row.get("note", ""),
        )
        scope.full_clean(exclude=["agencies"])
        with one_revision(scope, **who):
            scope.save()
            # In the order the bulletin names them (經濟部 first in programme 2).
            scope.set_agencies([agencies[name] for name in scope_row["agencies"]])
        for position, target in enumerate(scope_row.get("targets", []), start=1):
            value = target.get("value")
            _save(
                Target(
                    scope=scope,
                    order=position,
                    text=target["text"],
                    value=Decimal(value) if value not in (None, "") else None,
                    unit=target.get("unit", ""),
                    deadline_year=target.get("deadline_year"),
                ),
                **who,
            )
        for model, key in ((Strategy, "strategies"), (Section, "sections")):
            for position, part in enumerate(scope_row.get(key, []), start=1):
                _save(
                    model(
                        scope=scope,
                        order=position,
                        heading=part["heading"],
                        items="\n".join(part["items"]),
                    ),
                    **who,
                )


def _save(obj: Any, *, user: AbstractBaseUser | None, reason: str) -> None:
    obj.full_clean()
    attribute(obj, user=user, reason=reason)
    obj.save()
