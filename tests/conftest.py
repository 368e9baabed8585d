"""Personas and data shared by every test: an editor, an approver, an outsider, and the demo."""
from typing import Any

import pytest
from django.contrib.auth.models import Group

from catalogue.demo import load_bulletin, read_demo_data
from catalogue.models import Bulletin
from catalogue.roles import APPROVERS, EDITORS

PASSWORD = "correct horse battery staple"


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
def superuser(db: None, django_user_model: Any) -> Any:
    return django_user_model.objects.create_superuser("root", "root@example.invalid", PASSWORD)


@pytest.fixture
def demo_bulletin(db: None) -> Bulletin:
    """The real 114.12.30 bulletin, loaded as bootstrap --demo loads it."""
    bulletin, _ = load_bulletin(read_demo_data(), user=None)
    return bulletin
