"""Dates the agency's way: one reader (catalogue.roc.parse_roc_date) for every date a person
types, one formatter for every date shown, one form field for every date box."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from catalogue.forms import RocDateField, RocDateInput
from catalogue.roc import (
    RocDateError,
    parse_roc_date,
    roc_date_filename,
    roc_date_short,
    roc_display,
)

DAY = datetime.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hant"):
        yield


@pytest.mark.parametrize(
    "text",
    [
        "115.12.01",
        "115.12.1",
        "115-12-01",
        "115/12/01",
        "1151201",
        "2026-12-01",
        "115年12月1日",
        "民國115年12月1日",
        " 115.12.01 ",
        "１１５．１２．０１",
    ],
)
def test_every_way_an_editor_writes_a_day_reads_the_same_day(text):
    assert parse_roc_date(text) == DAY


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("1.01.01", datetime.date(1912, 1, 1)),
        ("10101", datetime.date(1912, 1, 1)),
        ("99.12.31", datetime.date(2010, 12, 31)),
        ("991231", datetime.date(2010, 12, 31)),
        ("100.01.01", datetime.date(2011, 1, 1)),
        ("1000101", datetime.date(2011, 1, 1)),
    ],
)
def test_a_roc_year_has_one_to_three_digits(text, day):
    assert parse_roc_date(text) == day


def test_leap_days_follow_the_western_year_of_the_roc_year():
    assert parse_roc_date("113.02.29") == datetime.date(2024, 2, 29)
    assert parse_roc_date("1130229") == datetime.date(2024, 2, 29)
    with pytest.raises(RocDateError, match="日期無效：114 年 2 月沒有 29 日"):
        parse_roc_date("114.02.29")
    # 89 is 2000: divisible by 400, so a leap year.
    assert parse_roc_date("89.02.29") == datetime.date(2000, 2, 29)
    with pytest.raises(RocDateError, match="189 年 2 月沒有 29 日"):
        parse_roc_date("189.02.29")  # 2100: divisible by 100 only


def test_a_day_the_month_lacks_is_refused_with_the_reason():
    with pytest.raises(RocDateError) as refused:
        parse_roc_date("115.02.30")
    assert str(refused.value) == "日期無效：115 年 2 月沒有 30 日。"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("115.13.01", "月份須為 1 到 12"),
        ("115.00.10", "月份須為 1 到 12"),
        ("0.12.01", "民國紀年從 1 年起"),
        ("1900-01-01", "西元年須晚於 1911 年"),
        ("115.12", "無法辨識的日期"),
        ("115..01", "無法辨識的日期"),
        ("20261201", "無法辨識的日期"),
        ("1151", "無法辨識的日期"),
        ("12/01/2026", "無法辨識的日期"),
        ("115.12.01 14:05", "無法辨識的日期"),
        ("abc", "無法辨識的日期"),
        ("", "無法辨識的日期"),
    ],
)
def test_what_is_not_a_day_is_refused(text, reason):
    with pytest.raises(RocDateError, match=reason):
        parse_roc_date(text)


def test_a_day_is_shown_and_named_in_files_one_way_each():
    assert roc_date_short(DAY) == "115.12.01"
    assert roc_date_short(datetime.date(1912, 1, 1)) == "1.01.01"
    assert roc_date_filename(DAY) == "115-12-01"
    assert roc_display(DAY) == "115.12.01"
    assert roc_display(None) == ""
    moment = datetime.datetime(2026, 12, 1, 6, 5, 9, tzinfo=datetime.UTC)
    assert roc_display(moment) == "115.12.01 14:05"
    assert roc_display(moment, seconds=True) == "115.12.01 14:05:09"


def test_every_shown_day_reads_back_as_itself():
    day = datetime.date(1912, 1, 1)
    while day.year < 2100:
        assert parse_roc_date(roc_date_short(day)) == day
        day += datetime.timedelta(days=37)


@pytest.mark.parametrize("text", ["115.12.01", "1151201", "2026-12-01"])
def test_the_date_field_takes_what_the_help_text_shows(text):
    assert RocDateField().clean(text) == DAY


def test_the_date_field_names_what_is_wrong():
    field = RocDateField()
    with pytest.raises(ValidationError) as refused:
        field.clean("115.02.30")
    assert refused.value.messages == ["日期無效：115 年 2 月沒有 30 日。"]


def test_the_date_box_shows_the_roc_day_and_gives_the_picker_the_western_one():
    html = RocDateInput().render("date", DAY, attrs={"id": "id_date"})
    assert 'value="115.12.01"' in html
    assert 'type="date"' in html and 'value="2026-12-01"' in html
    assert 'data-roc-date-for="id_date"' in html
    assert "<script" not in html  # the Content-Security-Policy allows no inline script


def test_the_date_box_keeps_what_was_typed_when_it_is_refused():
    html = RocDateInput().render("date", "115.02.30", attrs={"id": "id_date"})
    assert 'value="115.02.30"' in html
    assert 'type="date" class="roc-date-picker" min="1912-01-01" value=""' in html


def test_admin_lists_we_did_not_write_show_moments_the_agencys_way(client, superuser):
    from axes.models import AccessLog
    from django.urls import reverse

    moment = datetime.datetime(2026, 12, 2, 3, 7, tzinfo=datetime.UTC)
    AccessLog.objects.create(username="someone", ip_address="192.0.2.1")
    AccessLog.objects.update(attempt_time=moment)  # the model stamps it with now
    client.force_login(superuser)
    page = client.get(reverse("admin:axes_accesslog_changelist")).content.decode()
    assert "115.12.02 11:07" in page
    assert "2026年12月2日" not in page


def test_accounts_and_the_edition_history_show_moments_the_agencys_way(
    client, superuser, draft_edition
):
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django.urls import reverse

    client.force_login(superuser)
    account = client.get(reverse("admin:auth_user_change", args=[superuser.pk]))
    assert roc_display(superuser.date_joined) in account.content.decode()
    LogEntry.objects.create(
        user=superuser,
        content_type=ContentType.objects.get_for_model(draft_edition),
        object_id=str(draft_edition.pk),
        object_repr=str(draft_edition),
        action_flag=CHANGE,
        change_message="改日期",
    )
    entry = LogEntry.objects.get()
    history = client.get(reverse("admin:publishing_edition_history", args=[draft_edition.pk]))
    text = history.content.decode()
    assert roc_display(entry.action_time) in text
    assert "年" not in text.split("<tbody>")[1].split("</tbody>")[0]
