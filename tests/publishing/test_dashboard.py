"""The admin's front page: each person's own work, what four eyes forbids them and why, what
happened lately, in a number of queries that does not grow with the data."""

from typing import Any

import pytest
from django.urls import reverse

from catalogue.history import attribute
from catalogue.models import Programme
from publishing.admin_site import BackOfficeSite

pytestmark = pytest.mark.django_db


def _front_page(client: Any, user: Any) -> Any:
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return response


def _rename(programme: Programme, name: str, user: Any) -> None:
    attribute(programme, user=user, reason="測試修改")
    programme.name = name
    programme.save()


def test_the_admin_site_is_the_back_office_site() -> None:
    from django.contrib import admin

    assert isinstance(
        admin.site._wrapped if hasattr(admin.site, "_wrapped") else admin.site, BackOfficeSite
    )


def test_editor_sees_their_draft(client: Any, editor: Any, draft_edition: Any) -> None:
    page = _front_page(client, editor)
    assert page.context["dashboard"].drafts == [draft_edition]
    assert reverse("admin:publishing_edition_change", args=[draft_edition.pk]) in page.text
