"""403, 404, 500 and a refused form answer in Chinese in the site's look, public and admin."""

import pytest
from django.test import Client, override_settings
from django.urls import path, reverse

from config import urls as config_urls

pytestmark = pytest.mark.django_db


def test_a_missing_public_page_answers_the_chinese_404_in_the_site_look(client):
    response = client.get("/no-such-page/")

    text = response.content.decode()
    assert response.status_code == 404
    assert "找不到網頁（404）" in text
    assert 'class="site-header"' in text
    assert "Not Found" not in text


def test_a_missing_admin_page_answers_the_chinese_404_with_a_way_back_to_the_admin(client, editor):
    client.force_login(editor)

    response = client.get("/admin/catalogue/nonexistent/")

    text = response.content.decode()
    assert response.status_code == 404
    assert "找不到網頁（404）" in text
    assert "回到管理後台" in text


def test_an_outsider_in_the_admin_gets_the_chinese_403(client, editor):
    client.force_login(editor)

    response = client.get(reverse("admin:auth_user_changelist"))

    text = response.content.decode()
    assert response.status_code == 403
    assert "沒有權限（403）" in text
    assert "回到管理後台" in text


def test_a_form_without_its_csrf_token_answers_the_chinese_403(editor, password):
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("admin:login"), {"username": "x", "password": "y"})

    text = response.content.decode()
    assert response.status_code == 403
    assert "表單已失效（403）" in text
    assert "CSRF verification failed" not in text


def test_a_server_error_answers_the_chinese_500_without_the_database(settings):
    from django.template import loader

    # Django's server_error renders 500.html with an empty context and no request.
    html = loader.get_template("500.html").render({})

    assert "系統發生錯誤（500）" in html
    assert "/static/public/site" in html


def _broken(request):
    raise RuntimeError("boom")


# The site's URLs plus one view that fails, for the test below (ROOT_URLCONF=this module).
urlpatterns = [path("broken/", _broken), *config_urls.urlpatterns]


@override_settings(ROOT_URLCONF=__name__)
def test_an_exception_in_a_view_answers_the_chinese_500_not_a_debug_page():
    client = Client(raise_request_exception=False)

    response = client.get("/broken/")

    text = response.content.decode()
    assert response.status_code == 500
    assert "系統發生錯誤（500）" in text
    assert "Traceback" not in text and "boom" not in text
