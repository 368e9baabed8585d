"""Personas and data shared by every test: an editor, an approver, an outsider, and the demo."""

import datetime
from typing import Any

import pytest
import recorded_load
from django.contrib.auth.models import Group
from django.utils import translation

from accounts.roles import APPROVERS, EDITORS
from catalogue.models import Bulletin

# A real S3-compatible bucket (moto_server), for the tests that store editions there.
pytest_plugins = ["bucket"]


@pytest.fixture(autouse=True)
def leave_the_default_language_behind() -> Any:
    """LocaleMiddleware leaves a request's language active in the thread; every test starts
    in the site's language (Traditional Chinese), whatever the test before it asked for."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def forget_rendered_public_pages() -> Any:
    """Each test renders the public tables afresh (publishing.pages keeps them per process)."""
    from django.core.cache import caches

    caches["public_pages"].clear()
    yield


@pytest.fixture(autouse=True, scope="session")
def test_seal_certificate() -> None:
    """One self-signed test certificate per session (settings.PDF_SEAL_DEMO_DIR), so every
    publication in the tests signs its PDF as production does."""
    from django.conf import settings

    from publishing.rendering.seal import ensure_demo_certificate

    ensure_demo_certificate(settings.PDF_SEAL_DEMO_DIR, subject="測試用電子簽章（非正式）")


PASSWORD = "correct horse battery staple"


@pytest.fixture
def password() -> str:
    """The personas' password, for tests that sign in through the real login form."""
    return PASSWORD


def _staff(django_user_model: Any, username: str, group: str | None) -> Any:
    user = django_user_model.objects.create_user(
        username=username, password=PASSWORD, is_staff=group is not None
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(db: None, django_user_model: Any) -> Any:
    """A member of 編輯: keeps the catalogue."""
    return _staff(django_user_model, "editor1", EDITORS)


@pytest.fixture
def second_editor(db: None, django_user_model: Any) -> Any:
    return _staff(django_user_model, "editor2", EDITORS)


@pytest.fixture
def approver(db: None, django_user_model: Any) -> Any:
    """A member of 核定: signs off editions."""
    return _staff(django_user_model, "approver1", APPROVERS)


@pytest.fixture
def second_approver(db: None, django_user_model: Any) -> Any:
    return _staff(django_user_model, "approver2", APPROVERS)


@pytest.fixture
def outsider(db: None, django_user_model: Any) -> Any:
    """Has an account but no role, and no admin access."""
    return _staff(django_user_model, "outsider", None)


@pytest.fixture
def staff_without_role(db: None, django_user_model: Any) -> Any:
    """May sign in to the admin but holds no permission."""
    return django_user_model.objects.create_user(username="staff", password=PASSWORD, is_staff=True)


@pytest.fixture
def both_roles(db: None, django_user_model: Any) -> Any:
    """A member of 編輯 and of 核定."""
    user = _staff(django_user_model, "both", EDITORS)
    user.groups.add(Group.objects.get(name=APPROVERS))
    return user


@pytest.fixture
def superuser(db: None, django_user_model: Any) -> Any:
    return django_user_model.objects.create_superuser("root", "root@example.invalid", PASSWORD)


@pytest.fixture
def demo_bulletin(db: None) -> Bulletin:
    """The real 114.12.30 bulletin, loaded as bootstrap --demo loads it (for real once per
    process, then as the same rows: tests/recorded_load.py)."""
    return recorded_load.demo_bulletin()


# Editions of the demo bulletin at each step, prepared and submitted by `editor`, approved and
# published by `approver` (through publishing.services, as every caller does).
EDITION_DATE = datetime.date(2025, 12, 30)


@pytest.fixture
def draft_edition(demo_bulletin: Bulletin, editor: Any) -> Any:
    from publishing import services

    return services.create_edition(
        bulletin=demo_bulletin,
        date=EDITION_DATE,
        user=editor,
        change_note="114年12月30日公告版本。",
    )


@pytest.fixture
def submitted_edition(draft_edition: Any, editor: Any) -> Any:
    from publishing import services

    return services.submit_edition(edition=draft_edition, user=editor)


@pytest.fixture
def approved_edition(submitted_edition: Any, approver: Any) -> Any:
    from publishing import services

    return services.approve_edition(edition=submitted_edition, user=approver)


@pytest.fixture
def published_edition(approved_edition: Any, approver: Any) -> Any:
    from publishing import services

    return services.publish_edition(edition=approved_edition, user=approver)
