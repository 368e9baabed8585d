"""The Republic of China (Minguo) calendar, as the agency writes its dates: year 1 is 1912.

The ONE place where dates are read and written the agency's way. Everything a person sees
shows 115.12.01 (a day) or 115.12.01 14:05 (a moment, in Asia/Taipei); every date a person
types is read by `parse_roc_date`, which takes 115.12.01, 115-12-01, 115/12/01, 1151201,
115年12月1日 and the western 2026-12-01 (what a browser's date picker sends).
"""

import datetime
import re

from django.utils import timezone
from django.utils.translation import gettext

ROC_OFFSET = 1911
# Year 1 to 3 digits and a separator (. - /) or the Chinese 年月日; 民國 may come first.
_SEPARATED = re.compile(
    r"^(?:民國)?\s*(?P<year>\d{1,4})\s*[./\-年]\s*(?P<month>\d{1,2})\s*[./\-月]\s*(?P<day>\d{1,2})\s*日?$"
)
# 1151201, 991231, 10101: the last four digits are month and day, the rest the ROC year.
_DIGITS = re.compile(r"^(?P<year>\d{1,3})(?P<month>\d{2})(?P<day>\d{2})$")


class RocDateError(ValueError):
    """Text that is not a date; its message says why, in words an editor understands."""


def roc_year(western_year: int) -> int:
    return western_year - ROC_OFFSET


def western_year(roc: int) -> int:
    return roc + ROC_OFFSET


def roc_date_short(day: datetime.date) -> str:
    """114.12.30 — the form of the bulletin's heading, and of every date on screen."""
    return f"{roc_year(day.year)}.{day.month:02d}.{day.day:02d}"


def roc_date_filename(day: datetime.date) -> str:
    """114-12-30 — the form inside file names (published files, exports): no dots before the
    extension, the same order as on screen."""
    return roc_date_short(day).replace(".", "-")


def roc_datetime_short(moment: datetime.datetime, *, seconds: bool = False) -> str:
    """114.12.30 14:05 (or 14:05:09) — a moment in the agency's calendar and time zone."""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    clock = f"{local.hour:02d}:{local.minute:02d}"
    if seconds:
        clock += f":{local.second:02d}"
    return f"{roc_date_short(local.date())} {clock}"


def roc_display(value: datetime.date | datetime.datetime | None, *, seconds: bool = False) -> str:
    """A date or a moment, whichever it is, the agency's way; "" for none (an empty cell)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return roc_datetime_short(value, seconds=seconds)
    return roc_date_short(value)


def roc_date_long(day: datetime.date) -> str:
    """中華民國114年12月30日 — the form of formal text."""
    # The published files are rendered in Chinese; only the pages of other languages differ.
    return gettext("中華民國%(year)d年%(month)d月%(day)d日") % {
        "year": roc_year(day.year),
        "month": day.month,
        "day": day.day,
    }


def parse_roc_date(text: str) -> datetime.date:
    """Read a date as a person types it (see the module docstring); RocDateError says why not.

    A year of one to three digits is a ROC year, of four digits a western one (2026-12-01).
    """
    text = text.strip().replace("\u3000", " ")
    text = text.translate(_FULL_WIDTH)
    match = _SEPARATED.match(text) or _DIGITS.match(text)
    if match is None:
        raise RocDateError(
            gettext("無法辨識的日期「{text}」：請輸入民國日期，例如 115.12.01 或 1151201。").format(
                text=text
            )
        )
    year_text = match["year"]
    year, month, day = int(year_text), int(match["month"]), int(match["day"])
    if len(year_text) < 4:
        if year < 1:
            raise RocDateError(gettext("日期無效：民國紀年從 1 年起。"))
        year = western_year(year)
    elif year <= ROC_OFFSET:
        raise RocDateError(gettext("日期無效：西元年須晚於 1911 年。"))
    shown = roc_year(year)
    if not 1 <= month <= 12:
        raise RocDateError(
            gettext("日期無效：月份須為 1 到 12，不是 {month}。").format(month=month)
        )
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise RocDateError(
            gettext("日期無效：{year} 年 {month} 月沒有 {day} 日。").format(
                year=shown, month=month, day=day
            )
        ) from None


# Full-width digits and punctuation, as a Chinese input method types them.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．－／", "0123456789.-/")
