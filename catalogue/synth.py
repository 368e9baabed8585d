"""A synthetic bulletin N times the 114.12.30 one, for benchmarks (`manage.py synth_bulletin`).

Each copy of the real bulletin keeps its shape (programmes, scopes, targets, strategies,
sections, agencies per scope) and its texts' lengths and characters: every line of every text
is the real line with its clauses (split at ，、；) shuffled, and the names are drawn from the
real ones, so the layout, the glyph check and the diff see text like the real bulletin's.
A seed fixes the result. Rows are written in bulk with their first revision
(simple-history's `bulk_create_with_history`, a scope's agencies in its revision too): a
100× bulletin takes seconds, where saving row by row took minutes.
"""

import random
import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from operations import audit

from .demo import read_demo_data
from .history import attribute
from .models import Agency, Bulletin, Programme, Scope, Section, Strategy, Target

SYNTH_REASON = "產生合成資料：114.12.30 彙整表的 %(scale)s 倍"
BATCH = 500
_CLAUSE_END = re.compile(r"(?<=[，、；])")


def shuffled_line(line: str, rng: random.Random) -> str:
    """line with its clauses in another order: same length, same characters."""
    clauses = [c for c in _CLAUSE_END.split(line) if c]
    if len(clauses) < 2:
        return line
    # The last clause keeps its place, so the line still ends as the real one (。 or nothing).
    head = clauses[:-1]
    rng.shuffle(head)
    return "".join(head + clauses[-1:])


def shuffled(text: str, rng: random.Random) -> str:
    return "\n".join(shuffled_line(line, rng) for line in text.split("\n"))


def _clean(obj: models.Model) -> models.Model:
    # Field rules (text rules, lengths) and clean(); unique constraints are the database's job,
    # checked once by the bulk insert rather than by a query per row.
    obj.clean_fields()
    obj.clean()
    return obj


@transaction.atomic
def synth_bulletin(*, scale: int, slug: str, seed: int = 0, user: Any = None) -> Bulletin:
    """Create the bulletin `slug`, scale times the demo bulletin; refuse an existing slug."""
    if scale < 1:
        raise ValidationError(_("倍數須為 1 以上的整數。"))
    if Bulletin.objects.filter(slug=slug).exists():
        raise ValidationError(
            _("已有網址代稱為「%(slug)s」的彙整表；請換一個代稱。") % {"slug": slug}
        )
    data = read_demo_data()
    rng = random.Random(seed)
    reason = SYNTH_REASON % {"scale": scale}
    history = {"default_user": user, "default_change_reason": reason, "batch_size": BATCH}
    history["default_date"] = timezone.now()

    agencies = {}
    for position, row in enumerate(data["agencies"], start=1):
        agency = Agency.objects.filter(name=row["name"]).first()
        if agency is None:
            agency = Agency(name=row["name"], short_name=row["short_name"], order=position * 10)
            agency.full_clean()
            attribute(agency, user=user, reason=reason)
            agency.save()
        agencies[agency.name] = agency
    bulletin = Bulletin(
        title=f"{data['bulletin']['title']}（合成 {scale} 倍）",
        slug=slug,
        issuing_agency=agencies[data["bulletin"]["issuing_agency"]],
    )
    bulletin.full_clean()
    attribute(bulletin, user=user, reason=reason)
    bulletin.save()

    real = data["programmes"]
    names = [p["name"] for p in real]
    programmes, scope_rows = [], []
    for copy in range(scale):
        for row in real:
            programme = Programme(
                bulletin=bulletin,
                serial=len(programmes) + 1,
                name=row["name"] if copy == 0 else rng.choice(names),
                period_start=row["period_start"],
                period_end=row["period_end"],
                open_end=row.get("period_end_text", ""),
            )
            programmes.append(_clean(programme))
            scope_rows.append((programme, row["scopes"]))
    bulk_create_with_history(programmes, Programme, **history)

    scopes, parts = [], []
    for programme, rows in scope_rows:
        for order, row in enumerate(rows, start=1):
            scope = Scope(
                programme=programme,
                order=order,
                title=row["title"],
                description=shuffled(row["description"], rng),
                headline=shuffled(row.get("headline", ""), rng),
                note=shuffled(row.get("note", ""), rng),
            )
            scope.clean_fields(exclude=["agencies"])
            scopes.append(scope)
            parts.append((scope, row))
    bulk_create_with_history(scopes, Scope, **history)
    _agencies_with_history(parts, agencies)

    targets, strategies, sections = [], [], []
    for scope, row in parts:
        for order, target in enumerate(row.get("targets", []), start=1):
            value = target.get("value")
            targets.append(
                _clean(
                    Target(
                        scope=scope,
                        order=order,
                        text=shuffled(target["text"], rng),
                        value=Decimal(value) if value not in (None, "") else None,
                        unit=target.get("unit", ""),
                        deadline_year=target.get("deadline_year"),
                    )
                )
            )
        for model, key, bucket in (
            (Strategy, "strategies", strategies),
            (Section, "sections", sections),
        ):
            for order, part in enumerate(row.get(key, []), start=1):
                items = [shuffled_line(item, rng) for item in part["items"]]
                rng.shuffle(items)
                bucket.append(
                    _clean(
                        model(
                            scope=scope,
                            order=order,
                            heading=part["heading"],
                            items="\n".join(items),
                        )
                    )
                )
    for model, objs in ((Target, targets), (Strategy, strategies), (Section, sections)):
        bulk_create_with_history(objs, model, **history)
    # Bulk revisions send no per-row signal: one audit line names the whole batch instead.
    audit.log(
        "catalogue_synth",
        user=user,
        bulletin_id=bulletin.pk,
        scale=scale,
        seed=seed,
        rows={"programme": len(programmes), "scope": len(scopes), "target": len(targets)},
    )
    return bulletin


def _agencies_with_history(
    parts: list[tuple[Scope, dict[str, Any]]], agencies: dict[str, Agency]
) -> None:
    """Each scope's agencies, and the same agencies in its first revision (simple-history keeps
    a revision's many-to-many rows in a table of their own)."""
    through = Scope.agencies.through
    links = [
        through(scope_id=scope.pk, agency_id=agencies[name].pk, position=position)
        for scope, row in parts
        for position, name in enumerate(row["agencies"], start=1)
    ]
    through.objects.bulk_create(links, batch_size=BATCH)
    recorder = Scope._history_recorder  # type: ignore[attr-defined]
    m2m_history = recorder.m2m_models[Scope._meta.get_field("agencies")]
    revisions = dict(
        Scope.history.filter(id__in=[scope.pk for scope, _ in parts]).values_list(
            "id", "history_id"
        )
    )
    rows = [
        m2m_history(
            id=link.pk,
            scope_id=link.scope_id,
            agency_id=link.agency_id,
            position=link.position,
            history_id=revisions[link.scope_id],
        )
        for link in through.objects.filter(scope_id__in=revisions).order_by("pk")
    ]
    m2m_history.objects.bulk_create(rows, batch_size=BATCH)
