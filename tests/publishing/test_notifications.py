"""E-mail about editions: to whom, in which language, with which link, and never before the
step commits or to someone who turned it off."""

from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from publishing import services
from publishing.models import NotificationSetting
from publishing.notifications import PUBLISH_FAILED, notify

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def addresses(db: None) -> None:
    """Every persona created in a test gets an address, as the demo accounts have."""
    from django.db.models.signals import pre_save

    def give_address(sender: Any, instance: Any, **kwargs: Any) -> None:
        if not instance.email:
            instance.email = f"{instance.username}@example.invalid"

    from django.contrib.auth import get_user_model

    pre_save.connect(give_address, sender=get_user_model(), weak=False)
    yield
    pre_save.disconnect(give_address, sender=get_user_model())


def _to(*users: Any) -> set[str]:
    return {user.email for user in users}


def _sent_to() -> set[str]:
    return {address for message in mail.outbox for address in message.to}


def test_submission_mails_every_approver_who_may_decide(
    editor: Any,
    approver: Any,
    second_approver: Any,
    draft_edition: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_edition(edition=draft_edition, user=editor)
    assert _sent_to() == _to(approver, second_approver)
    message = mail.outbox[0]
    assert message.subject == "[政策性產業彙整表] 114.12.30 版待您核定"
    link = "http://testserver" + reverse("admin:publishing_edition_change", args=[draft_edition.pk])
    assert link in message.body
    html, kind = message.alternatives[0]
    assert kind == "text/html" and f'href="{link}"' in html


def test_submission_does_not_mail_an_approver_four_eyes_excludes(
    demo_bulletin: Any,
    both_roles: Any,
    approver: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    import datetime

    edition = services.create_edition(
        bulletin=demo_bulletin, date=datetime.date(2025, 12, 30), user=both_roles
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_edition(edition=edition, user=both_roles)
    assert _sent_to() == _to(approver)


def test_an_inactive_approver_gets_no_mail(
    editor: Any,
    approver: Any,
    second_approver: Any,
    draft_edition: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    second_approver.is_active = False
    second_approver.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_edition(edition=draft_edition, user=editor)
    assert _sent_to() == _to(approver)


def test_rejection_mails_the_preparer_and_submitter_with_the_reason(
    editor: Any,
    second_editor: Any,
    approver: Any,
    draft_edition: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    submitted = services.submit_edition(edition=draft_edition, user=second_editor)
    with django_capture_on_commit_callbacks(execute=True):
        services.reject_edition(edition=submitted, user=approver, comment="第3項目標年有誤")
    assert _sent_to() == _to(editor, second_editor)
    assert all("第3項目標年有誤" in message.body for message in mail.outbox)
    assert mail.outbox[0].subject == "[政策性產業彙整表] 114.12.30 版已退回"


def test_approval_mails_those_involved_but_not_the_approver(
    editor: Any,
    approver: Any,
    second_approver: Any,
    submitted_edition: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_edition(edition=submitted_edition, user=approver)
    assert _sent_to() == _to(editor)
    assert mail.outbox[0].subject == "[政策性產業彙整表] 114.12.30 版已核定"


def test_publication_and_withdrawal_mail_those_involved(
    editor: Any,
    approver: Any,
    second_approver: Any,
    approved_edition: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        published = services.publish_edition(edition=approved_edition, user=second_approver)
    assert _sent_to() == _to(editor, approver)
    assert {m.subject for m in mail.outbox} == {"[政策性產業彙整表] 114.12.30 版已公告"}
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_edition(edition=published, user=approver, comment="資料有誤")
    assert _sent_to() == _to(editor, second_approver)
    assert "資料有誤" in mail.outbox[0].body


def test_a_failed_publication_mails_the_publisher_too(
    editor: Any, approver: Any, approved_edition: Any
) -> None:
    sent = notify(PUBLISH_FAILED, approved_edition.pk, approver.pk, "PDF 產生失敗")
    assert sent == 2
    assert _sent_to() == _to(editor, approver)
    assert mail.outbox[0].subject == "[政策性產業彙整表] 114.12.30 版公告失敗"
    assert "PDF 產生失敗" in mail.outbox[0].body


def test_a_person_who_turned_notifications_off_gets_none(
    editor: Any,
    approver: Any,
    second_approver: Any,
    draft_edition: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    NotificationSetting.objects.create(user=second_approver, email_enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_edition(edition=draft_edition, user=editor)
    assert _sent_to() == _to(approver)


def test_nothing_is_sent_when_the_transaction_rolls_back(
    editor: Any, approver: Any, draft_edition: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.submit_edition(edition=draft_edition, user=editor)
            raise RuntimeError("something after the step failed")
    assert callbacks == []
    assert mail.outbox == []


def test_mail_is_in_traditional_chinese_whatever_language_the_actor_reads(
    editor: Any, approver: Any, draft_edition: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.submit_edition(edition=draft_edition, user=editor)
    assert mail.outbox[0].subject.endswith("版待您核定")
    assert "您好" in mail.outbox[0].body


def test_a_reason_is_escaped_in_the_html_mail(
    editor: Any, approver: Any, submitted_edition: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.reject_edition(edition=submitted_edition, user=approver, comment="<b>不對</b>")
    html, _kind = mail.outbox[0].alternatives[0]
    assert "&lt;b&gt;不對&lt;/b&gt;" in html
    assert "<b>不對</b>" in mail.outbox[0].body  # plain text stays as written


def test_each_person_turns_their_own_mail_off_in_the_admin(client: Any, approver: Any) -> None:
    client.force_login(approver)
    url = reverse("admin:notification_settings")
    page = client.get(url)
    assert page.status_code == 200 and approver.email in page.text
    client.post(url, {})  # the box unticked
    assert NotificationSetting.objects.get(user=approver).email_enabled is False
    client.post(url, {"email_enabled": "on"})
    assert NotificationSetting.objects.get(user=approver).email_enabled is True


def test_the_settings_page_is_reachable_from_the_front_page_and_the_user_menu(
    client: Any, editor: Any
) -> None:
    client.force_login(editor)
    page = client.get(reverse("admin:index")).text
    assert page.count(reverse("admin:notification_settings")) == 2


def test_someone_without_admin_access_cannot_open_the_settings_page(
    client: Any, outsider: Any
) -> None:
    client.force_login(outsider)
    response = client.get(reverse("admin:notification_settings"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_mail_links_start_with_the_back_office_address_never_the_public_one(
    editor: Any,
    approver: Any,
    draft_edition: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.BACKOFFICE_URL = "http://127.0.0.1:19100"
    settings.PUBLIC_SITE_URL = "https://public.invalid"
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_edition(edition=draft_edition, user=editor)
    body = mail.outbox[0].body
    edition_page = reverse("admin:publishing_edition_change", args=[draft_edition.pk])
    assert f"http://127.0.0.1:19100{edition_page}" in body
    assert f"http://127.0.0.1:19100{reverse('admin:notification_settings')}" in body
    assert "public.invalid" not in body
