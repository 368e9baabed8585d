"""Five wrong passwords for one user from one address lock that pair out, recorded in the DB."""

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")


def _login(client, username, password, ip="192.0.2.10"):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip, follow=False
    )


def _fail(client, username, times, ip="192.0.2.10"):
    for _ in range(times):
        response = _login(client, username, "wrong password", ip=ip)
        assert response.status_code in (200, 429)
    return response


def test_four_failures_then_the_right_password_signs_in(client, editor, password):
    _fail(client, editor.username, 4)

    response = _login(client, editor.username, password)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(editor.pk)


def test_the_fifth_failure_locks_the_user_out_with_a_chinese_page(client, editor):
    response = _fail(client, editor.username, 5)

    assert response.status_code == 429
    text = response.content.decode()
    assert "登入已暫停" in text
    assert "連續登入失敗 5 次" in text
    assert "30 分鐘後再試" in text


def test_a_locked_out_user_is_refused_even_with_the_right_password(client, editor, password):
    _fail(client, editor.username, 5)

    response = _login(client, editor.username, password)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_out_is_recorded_in_the_database(client, editor):
    _fail(client, editor.username, 5)

    attempt = AccessAttempt.objects.get(username=editor.username)
    assert attempt.failures_since_start == 5
    assert attempt.ip_address == "192.0.2.10"


def test_the_lock_out_holds_for_one_address_only(client, editor, password):
    _fail(client, editor.username, 5, ip="192.0.2.10")

    response = _login(client, editor.username, password, ip="198.51.100.7")

    assert response.status_code == 302


def test_the_cool_off_is_read_from_the_settings(client, editor, settings):
    import datetime

    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=90)

    response = _fail(client, editor.username, 5)

    assert "90 分鐘後再試" in response.content.decode()


def test_axes_reset_lifts_the_lock_out(client, editor, password):
    _fail(client, editor.username, 5)

    call_command("axes_reset_username", editor.username, stdout=open("/dev/null", "w"))
    response = _login(client, editor.username, password)

    assert response.status_code == 302


def test_a_superuser_lifts_the_lock_out_in_the_admin(client, editor, superuser, password):
    _fail(client, editor.username, 5)
    attempt = AccessAttempt.objects.get(username=editor.username)
    admin = client.__class__()
    admin.force_login(superuser)

    page = admin.get(reverse("admin:axes_accessattempt_changelist"))
    admin.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})

    assert page.status_code == 200
    assert not AccessAttempt.objects.filter(username=editor.username).exists()
    assert _login(client, editor.username, password).status_code == 302


def test_an_editor_cannot_see_or_lift_lock_outs(client, editor, second_editor):
    _fail(client, editor.username, 5)
    other = client.__class__()
    other.force_login(second_editor)

    response = other.get(reverse("admin:axes_accessattempt_changelist"))

    assert response.status_code == 403
    assert AccessAttempt.objects.filter(username=editor.username).exists()


def test_password_validators_refuse_a_short_common_password(editor):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("password", user=editor)
    validate_password("a much longer passphrase 2026", user=editor)
