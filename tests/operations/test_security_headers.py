"""Every page says what it may load (CSP), and no page relies on inline script or style."""

from html.parser import HTMLParser

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from operations.middleware import SecurityHeadersMiddleware

pytestmark = pytest.mark.django_db


class InlineCode(HTMLParser):
    """Collects what a strict CSP would block: inline scripts, <style>, style= and on*= ."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _value in attrs}
        if tag == "script" and "src" not in names:
            self.found.append("inline <script>")
        if tag == "style":
            self.found.append("<style>")
        if "style" in names:
            self.found.append(f"style= on <{tag}>")
        self.found += [f"{name}= on <{tag}>" for name in names if name.startswith("on")]


def inline_code(html: bytes) -> list[str]:
    parser = InlineCode()
    parser.feed(html.decode())
    return parser.found


def test_public_pages_carry_a_strict_csp_and_need_no_inline_code(client, published_edition):
    for url in ("/", "/editions/", published_edition.get_absolute_url()):
        response = client.get(url)

        assert response.status_code == 200, url
        csp = response["Content-Security-Policy"]
        assert "script-src 'self';" in csp and "style-src 'self';" in csp
        assert "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert inline_code(response.content) == [], url


def test_admin_pages_carry_the_same_csp_and_need_no_inline_code(
    client, published_edition, superuser
):
    programme = published_edition.bulletin.programmes.first()
    login = client.get(reverse("admin:login"))
    assert inline_code(login.content) == []
    pages = [
        reverse("admin:index"),
        reverse("admin:catalogue_programme_changelist"),
        reverse("admin:catalogue_programme_change", args=[programme.pk]),
        reverse("admin:publishing_edition_change", args=[published_edition.pk]),
        reverse("admin:axes_accessattempt_changelist"),
    ]
    client.force_login(superuser)
    for url in pages:
        response = client.get(url)

        assert response.status_code == 200, url
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        assert inline_code(response.content) == [], url


def test_the_html_edition_file_runs_in_a_sandbox_without_scripts(client, published_edition):
    name = f"{published_edition.file_basename()}.html"

    response = client.get(reverse("public:download", args=[published_edition.date, name]))

    csp = response["Content-Security-Policy"]
    assert response.status_code == 200
    assert "default-src 'none'" in csp and "sandbox" in csp
    assert "script-src" not in csp


def test_the_pdf_file_gets_no_csp_so_the_browser_viewer_shows_it(client, published_edition):
    name = f"{published_edition.file_basename()}.pdf"

    response = client.get(reverse("public:download", args=[published_edition.date, name]))

    assert response.status_code == 200
    assert "Content-Security-Policy" not in response
    assert response["X-Content-Type-Options"] == "nosniff"


def test_every_page_says_referrer_permissions_and_nosniff(client):
    response = client.get("/")

    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_the_security_headers_add_no_cookie_and_no_vary(settings):
    middleware = SecurityHeadersMiddleware(lambda request: HttpResponse("ok"))

    response = middleware(RequestFactory().get("/"))

    assert response.cookies == {}
    assert not response.has_header("Vary")
    assert response.has_header("Content-Security-Policy")
