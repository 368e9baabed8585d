"""The production configuration: deploy checks, refusals, and gunicorn serving the real site."""

import http.client
import importlib.util
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from processes import ROOT, manage

SERVE = ROOT / "bin" / "serve"
# Variables a test must not inherit from the shell that runs it.
UNSET = {
    "SECRET_KEY",
    "DATABASE_URL",
    "DEBUG",
    "DJANGO_SETTINGS_MODULE",
    "SECURE_SSL_REDIRECT",
    "TRUST_X_FORWARDED_PROTO",
    "MEDIA_ROOT",
    "STATIC_ROOT",
    "SENTRY_DSN",
}


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The documented variables for one machine, with its database and files under tmp_path."""
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
        STATIC_ROOT=str(tmp_path / "static"),
        ALLOWED_HOSTS="127.0.0.1,localhost",
    )
    env.update(extra)
    return env


def test_check_deploy_passes_with_the_documented_variables(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_fails_when_https_redirect_is_turned_off(tmp_path):
    env = production_env(tmp_path, SECURE_SSL_REDIRECT="false")

    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode != 0
    assert "security.W008" in result.stderr


def test_production_refuses_to_start_without_a_database_url(tmp_path):
    env = production_env(tmp_path)
    del env["DATABASE_URL"]

    result = manage(env, "check")

    assert result.returncode != 0
    assert "請設定環境變數 DATABASE_URL" in result.stderr


def _settings(env: dict[str, str], *names: str) -> dict[str, str]:
    """The settings' values, as str(), in a process started with env."""
    code = (
        "import django, json, sys; django.setup(); from django.conf import settings; "
        "print(json.dumps({n: str(getattr(settings, n)) for n in sys.argv[1:]}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, *names],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_the_proxy_header_is_trusted_only_when_told(tmp_path):
    name = "SECURE_PROXY_SSL_HEADER"
    assert _settings(production_env(tmp_path), name) == {name: "None"}
    trusted = production_env(tmp_path, TRUST_X_FORWARDED_PROTO="true")
    assert _settings(trusted, name) == {name: "('HTTP_X_FORWARDED_PROTO', 'https')"}


def test_production_has_no_debug_and_defaults_to_hsts_redirect_and_secure_cookies(tmp_path):
    cookies = [
        f"{cookie}_{flag}"
        for cookie in ("SESSION_COOKIE", "CSRF_COOKIE", "LANGUAGE_COOKIE")
        for flag in ("SECURE", "HTTPONLY", "SAMESITE")
    ]
    values = _settings(
        production_env(tmp_path, DEBUG="true"),
        "DEBUG",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        *cookies,
    )

    assert values.pop("DEBUG") == "False"  # never, even when asked
    assert values.pop("SECURE_SSL_REDIRECT") == "True"
    assert int(values.pop("SECURE_HSTS_SECONDS")) >= 31536000
    assert {name: value for name, value in values.items()} == {
        name: "Lax" if name.endswith("SAMESITE") else "True" for name in cookies
    }


def test_a_server_error_is_mailed_to_the_admins(tmp_path):
    env = production_env(
        tmp_path,
        ADMINS="ops@example.invalid,oncall@example.invalid",
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
    )
    # What Django's request handler logs for an exception in a view.
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('django.request').error('Internal Server Error: /broken/')"
    )

    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stderr
    assert "To: ops@example.invalid, oncall@example.invalid" in result.stdout
    assert "Internal Server Error: /broken/" in result.stdout


@pytest.mark.skipif(
    importlib.util.find_spec("sentry_sdk") is not None, reason="sentry-sdk is installed here"
)
def test_sentry_without_its_extra_refuses_to_start_and_says_what_to_install(tmp_path):
    env = production_env(tmp_path, SENTRY_DSN="https://key@sentry.example.invalid/1")

    result = manage(env, "check")

    assert result.returncode != 0
    assert "已設定 SENTRY_DSN，但尚未安裝 sentry-sdk" in result.stderr


def test_serve_refuses_to_start_without_secret_key_and_database_url(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"], env["DATABASE_URL"]

    result = subprocess.run([SERVE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)

    assert result.returncode == 1
    assert "無法啟動：請設定環境變數 SECRET_KEY" in result.stderr
    assert "無法啟動：請設定環境變數 DATABASE_URL" in result.stderr
    assert not (tmp_path / "static").exists()  # nothing was prepared
    assert not (tmp_path / "db.sqlite3").exists()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Site:
    def __init__(self, port: int) -> None:
        self.port = port

    def get(self, path: str, **headers: str) -> tuple[http.client.HTTPResponse, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        connection.request("GET", path, headers={"Accept-Encoding": "identity", **headers})
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response, body


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The demo published on a fresh SQLite file, then `bin/serve` (what `make serve` runs)."""
    tmp_path = tmp_path_factory.mktemp("serve")
    port = _free_port()
    env = production_env(
        tmp_path,
        SECURE_SSL_REDIRECT="false",
        TRUST_X_FORWARDED_PROTO="true",
        PORT=str(port),
        WEB_CONCURRENCY="2",
        PY=str(Path(sys.executable)),
    )
    demo = manage(env, "bootstrap", "--demo")
    assert demo.returncode == 0, demo.stderr
    log = open(tmp_path / "serve.log", "w+")
    server = subprocess.Popen(
        [SERVE], cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
    )
    site = Site(port)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                response, _ = site.get("/healthz")
                if response.status == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"gunicorn did not start:\n{log.read()}")
            time.sleep(0.3)
        yield site
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()


def test_gunicorn_serves_the_home_page_with_its_hashed_stylesheet_for_a_year(served):
    response, body = served.get("/")
    html = body.decode()

    assert response.status == 200
    assert response.getheader("Server").startswith("gunicorn")
    stylesheet = re.search(r'href="(/static/public/site\.[0-9a-f]{12}\.css)"', html)
    assert stylesheet, "the stylesheet has no hashed name"
    css, css_body = served.get(stylesheet.group(1))
    assert css.status == 200
    assert b".site-header" in css_body
    max_age = int(re.search(r"max-age=(\d+)", css.getheader("Cache-Control")).group(1))
    assert max_age >= 31536000
    assert "immutable" in css.getheader("Cache-Control")


def test_gunicorn_serves_the_pdf_of_the_published_edition(served):
    _, body = served.get("/")
    pdf_url = re.search(r'href="(/editions/[^"]+\.pdf)"', body.decode()).group(1)

    response, pdf = served.get(pdf_url)

    assert response.status == 200
    assert response.getheader("Content-Type") == "application/pdf"
    assert pdf.startswith(b"%PDF-")


def test_gunicorn_serves_the_admin_login_with_its_css(served):
    response, body = served.get("/admin/login/")
    html = body.decode()

    assert response.status == 200
    assert "csrftoken=" in response.getheader("Set-Cookie")
    assert "Secure" in response.getheader("Set-Cookie")
    assert "HttpOnly" in response.getheader("Set-Cookie")
    for path in re.findall(r'href="(/static/admin/css/[^"]+\.css)"', html):
        css, _ = served.get(path)
        assert css.status == 200, path


def test_gunicorn_sends_hsts_when_the_proxy_says_https(served):
    response, _ = served.get("/", **{"X-Forwarded-Proto": "https"})

    assert "max-age=31536000" in response.getheader("Strict-Transport-Security")
    assert "includeSubDomains" in response.getheader("Strict-Transport-Security")


def test_gunicorn_answers_a_missing_page_with_the_chinese_404_never_a_debug_page(served):
    response, body = served.get("/no-such-page/")

    assert response.status == 404
    assert "找不到網頁（404）" in body.decode()
    assert "URLconf" not in body.decode()
