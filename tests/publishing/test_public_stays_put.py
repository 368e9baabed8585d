"""What the public relies on stays put: the bulletin's slug once it has a public edition, and
edition dates that a typo cannot push out of reach.

Renaming the slug would make the public site answer "no edition" and 404 every permalink; an
edition dated 2126-03-01 would refuse every realistic date after it, even once withdrawn.
"""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from tampering import tamper

from catalogue.models import Bulletin
from publishing import services, triggers
from publishing.exceptions import InvalidEdition
from publishing.models import Edition, latest_allowed_date

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the triggers exist on PostgreSQL only; SQLite keeps the model-level rules",
)


def _publish(bulletin, date, editor, approver) -> Edition:
    edition = services.create_edition(bulletin=bulletin, date=date, user=editor)
    edition = services.submit_edition(edition=edition, user=editor)
    edition = services.approve_edition(edition=edition, user=approver)
    return services.publish_edition(edition=edition, user=approver)


def _slug_form(client, bulletin, slug):
    page = client.get(reverse("admin:catalogue_bulletin_change", args=[bulletin.pk]))
    data = {
        "title": bulletin.title,
        "issuing_agency": bulletin.issuing_agency_id,
        "slug": slug,
        "change_reason": "",
        "read_version": page.context["adminform"].form["read_version"].value(),
    }
    return page, client.post(reverse("admin:catalogue_bulletin_change", args=[bulletin.pk]), data)


# The slug


def test_an_editor_cannot_rename_the_slug_in_the_admin_once_an_edition_is_public(
    client, editor, published_edition, demo_bulletin
):
    client.force_login(editor)
    page, response = _slug_form(client, demo_bulletin, "renamed")
    assert "slug" not in page.context["adminform"].form.fields
    assert response.status_code == 302
    demo_bulletin.refresh_from_db()
    assert demo_bulletin.slug == "policy-industries"
    assert client.get(reverse("public:home")).status_code == 200
    assert client.get(published_edition.get_absolute_url()).status_code == 200


def test_an_editor_may_rename_the_slug_before_anything_is_published(client, editor, demo_bulletin):
    client.force_login(editor)
    page, response = _slug_form(client, demo_bulletin, "renamed")
    assert "slug" in page.context["adminform"].form.fields
    assert response.status_code == 302
    demo_bulletin.refresh_from_db()
    assert demo_bulletin.slug == "renamed"


@pytest.mark.parametrize("status", ["published", "superseded", "withdrawn"])
def test_the_orm_refuses_to_rename_the_slug_of_a_bulletin_with_a_public_edition(
    published_edition, demo_bulletin, status
):
    tamper(published_edition, status=status, withdrawn_reason="有誤")
    demo_bulletin.slug = "renamed"
    with pytest.raises(ValidationError) as refusal:
        demo_bulletin.full_clean()
    assert "網址代稱" in str(refusal.value) and "不可變更" in str(refusal.value)
    with pytest.raises(ValidationError):
        demo_bulletin.save()
    assert Bulletin.objects.get(pk=demo_bulletin.pk).slug == "policy-industries"


def test_other_bulletin_fields_still_change_once_an_edition_is_public(
    published_edition, demo_bulletin
):
    demo_bulletin.title = "政府推動之政策性產業彙整表"
    demo_bulletin.full_clean()
    demo_bulletin.save()
    assert Bulletin.objects.get(pk=demo_bulletin.pk).title == "政府推動之政策性產業彙整表"


@postgresql_only
@pytest.mark.parametrize(
    "rename",
    [
        lambda b: Bulletin.objects.filter(pk=b.pk).update(slug="renamed"),
        lambda b: connection.cursor().execute(
            "UPDATE catalogue_bulletin SET slug = 'renamed' WHERE id = %s", [b.pk]
        ),
    ],
    ids=["queryset-update", "raw-sql"],
)
def test_postgresql_refuses_to_rename_the_slug_once_an_edition_is_public(
    published_edition, demo_bulletin, rename
):
    with pytest.raises(DatabaseError, match="網址代稱不可變更"), transaction.atomic():
        rename(demo_bulletin)
    assert Bulletin.objects.get(pk=demo_bulletin.pk).slug == "policy-industries"


@postgresql_only
def test_postgresql_lets_a_slug_change_before_publication(demo_bulletin):
    Bulletin.objects.filter(pk=demo_bulletin.pk).update(slug="renamed")
    assert Bulletin.objects.get(pk=demo_bulletin.pk).slug == "renamed"


def test_the_triggers_name_the_statuses_the_models_declare():
    sql = triggers.install_sql()
    slug_guard = sql[sql.index("catalogue_bulletin_slug_guard()") :]
    public = re.search(r"status IN \(([^)]*)\)", slug_guard).group(1)
    assert {s.strip(" '") for s in public.split(",")} == set(Edition.PUBLIC_STATUSES)
    date_guard = sql[sql.index("publishing_edition_date_guard()") :]
    setting = re.findall(r"status IN \(([^)]*)\)", date_guard)[1]
    assert {s.strip(" '") for s in setting.split(",")} == set(Edition.DATE_SETTING_STATUSES)


# Edition dates


def test_an_edition_dated_2126_is_refused(demo_bulletin, editor):
    with pytest.raises(InvalidEdition, match="版本日期不可晚於一年後"):
        services.create_edition(bulletin=demo_bulletin, date=datetime.date(2126, 3, 1), user=editor)
    assert not Edition.objects.exists()


def test_an_edition_may_be_dated_one_year_ahead_but_not_a_day_more(demo_bulletin, editor):
    latest = latest_allowed_date()
    assert latest == timezone.localdate().replace(year=timezone.localdate().year + 1)
    draft = services.create_edition(bulletin=demo_bulletin, date=latest, user=editor)
    with pytest.raises(InvalidEdition, match="版本日期不可晚於一年後"):
        services.update_edition(
            edition=draft, user=editor, date=latest + datetime.timedelta(days=1)
        )
    draft.refresh_from_db()
    assert draft.date == latest


def test_the_model_refuses_a_far_future_date_too(demo_bulletin, editor):
    edition = Edition(
        bulletin=demo_bulletin,
        date=datetime.date(2126, 3, 1),
        prepared_by=editor,
        snapshot_sha256="0" * 64,
    )
    with pytest.raises(ValidationError, match="版本日期不可晚於一年後"):
        edition.full_clean()


def test_a_withdrawn_edition_does_not_block_a_date(
    published_edition, demo_bulletin, editor, approver
):
    services.withdraw_edition(edition=published_edition, user=approver, comment="日期誤植")
    earlier = published_edition.date - datetime.timedelta(days=29)
    draft = services.create_edition(bulletin=demo_bulletin, date=earlier, user=editor)
    assert draft.date == earlier


def test_the_edition_in_force_still_blocks_an_earlier_date(
    published_edition, demo_bulletin, editor
):
    earlier = published_edition.date - datetime.timedelta(days=29)
    with pytest.raises(InvalidEdition, match="須晚於前一公告版本"):
        services.create_edition(bulletin=demo_bulletin, date=earlier, user=editor)


def test_a_superseded_edition_blocks_a_date_too(published_edition, demo_bulletin, editor, approver):
    _publish(demo_bulletin, datetime.date(2026, 3, 31), editor, approver)
    services.withdraw_edition(
        edition=Edition.objects.published().get(), user=approver, comment="有誤"
    )
    with pytest.raises(InvalidEdition, match=r"須晚於前一公告版本（114\.12\.30）"):
        services.create_edition(
            bulletin=demo_bulletin, date=datetime.date(2025, 12, 1), user=editor
        )
    draft = services.create_edition(
        bulletin=demo_bulletin, date=datetime.date(2026, 1, 15), user=editor
    )
    assert draft.date == datetime.date(2026, 1, 15)


@postgresql_only
def test_postgresql_refuses_a_draft_dated_before_the_edition_in_force(
    published_edition, demo_bulletin, editor
):
    draft = services.create_edition(
        bulletin=demo_bulletin, date=datetime.date(2026, 3, 31), user=editor
    )
    with pytest.raises(DatabaseError, match="版本日期須晚於"), transaction.atomic():
        with connection.cursor() as cursor:  # past the model's guard, to the trigger
            cursor.execute(
                "UPDATE publishing_edition SET date = %s WHERE id = %s",
                [datetime.date(2025, 1, 1), draft.pk],
            )
    assert Edition.objects.get(pk=draft.pk).date == datetime.date(2026, 3, 31)


def test_an_editor_cannot_delete_a_bulletin_the_public_site_shows(
    client, editor, published_edition, demo_bulletin
):
    client.force_login(editor)
    url = reverse("admin:catalogue_bulletin_delete", args=[demo_bulletin.pk])
    client.post(url, {"post": "yes"})
    assert Bulletin.objects.filter(pk=demo_bulletin.pk).exists()
    assert client.get(reverse("public:home")).status_code == 200
    assert client.get(published_edition.get_absolute_url()).status_code == 200
