"""One ROC date-time formatter and one decimal formatter: every moment and figure the back
office and the commands show goes through catalogue.roc and catalogue.numbers."""

import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse

from catalogue.numbers import plain_decimal
from catalogue.roc import roc_datetime_short
from publishing.models import EditionTransition


def test_a_moment_is_shown_in_the_agencys_calendar_and_time_zone():
    moment = datetime.datetime(2025, 12, 30, 6, 5, 9, tzinfo=datetime.UTC)
    assert roc_datetime_short(moment) == "114.12.30 14:05"
    assert roc_datetime_short(moment, seconds=True) == "114.12.30 14:05:09"
    late = datetime.datetime(2025, 12, 31, 23, 30, tzinfo=ZoneInfo("UTC"))
    assert roc_datetime_short(late) == "115.01.01 07:30"


@pytest.mark.parametrize(
    ("value", "text"),
    [("528.0000", "528"), ("2.6600", "2.66"), ("15000.0000", "15000"), ("0.0500", "0.05")],
)
def test_a_figure_is_written_as_a_person_writes_it(value, text):
    assert plain_decimal(Decimal(value)) == text


def test_the_edition_page_shows_its_audit_trail_in_the_roc_calendar(
    client, published_edition, approver
):
    client.force_login(approver)
    page = client.get(reverse("admin:publishing_edition_change", args=[published_edition.pk]))
    text = page.content.decode()
    for transition in EditionTransition.objects.filter(edition=published_edition):
        assert roc_datetime_short(transition.at, seconds=True) in text
    assert roc_datetime_short(published_edition.published_at) in text
    assert f"{published_edition.published_at:%Y-%m-%d}" not in text


def test_the_edition_list_shows_publication_times_in_the_roc_calendar(
    client, published_edition, approver
):
    client.force_login(approver)
    page = client.get(reverse("admin:publishing_edition_changelist"))
    assert roc_datetime_short(published_edition.published_at) in page.content.decode()
    out = io.StringIO()
    call_command("edition", "list", stdout=out)
    assert out.getvalue().split("\t")[-1].strip() == roc_datetime_short(
        published_edition.published_at
    )
