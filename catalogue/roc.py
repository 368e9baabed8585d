"""The Republic of China (Minguo) calendar, as the agency writes its dates: year 1 is 1912."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext

ROC_OFFSET = 1911


def roc_year(western_year: int) -> int:
    return western_year - ROC_OFFSET


def western_year(roc: int) -> int:
    return roc + ROC_OFFSET


def roc_date_short(day: datetime.date) -> str:
    """114.12.30 — the form of the bulletin's heading."""
    return f"{roc_year(day.year)}.{day.month:02d}.{day.day:02d}"


def roc_datetime_short(moment: datetime.datetime, *, seconds: bool = False) -> str:
    """114.12.30 14:05 (or 14:05:09) — a moment in the agency's calendar and time zone."""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    clock = f"{local.hour:02d}:{local.minute:02d}"
    if seconds:
        clock += f":{local.second:02d}"
    return f"{roc_date_short(local.date())} {clock}"


def roc_date_long(day: datetime.date) -> str:
    """中華民國114年12月30日 — the form of formal text."""
    # The published files are rendered in Chinese; only the pages of other languages differ.
    return gettext("中華民國%(year)d年%(month)d月%(day)d日") % {
        "year": roc_year(day.year),
        "month": day.month,
        "day": day.day,
    }


def parse_roc_date_short(text: str) -> datetime.date:
    """Read 114.12.30 (or 114-12-30, 114/12/30) back into a date; ValueError when it is not one."""
    parts = text.replace("-", ".").replace("/", ".").split(".")
    if len(parts) != 3 or not all(p.strip().isdigit() for p in parts):
        raise ValueError(f"不是民國日期：{text}")
    year, month, day = (int(p) for p in parts)
    return datetime.date(western_year(year), month, day)
