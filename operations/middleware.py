"""Security headers Django does not set itself: Content-Security-Policy and Permissions-Policy.

Django 5.2 has no CSP support; django-csp would add a dependency for two fixed headers.
The policies are settings (`CONTENT_SECURITY_POLICY`, `CONTENT_SECURITY_POLICY_FILES`,
`PERMISSIONS_POLICY`) so that they are declared once and tested. Edition files get their own
policy: a stored HTML edition carries its stylesheet inline and must run no script at all.

The middleware only adds headers: it reads no cookie and adds no `Vary`, so a shared cache
may keep public pages whatever it decides.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def policy(directives: dict[str, str]) -> str:
    """{"default-src": "'self'"} -> "default-src 'self'" (directives in the given order)."""
    return "; ".join(f"{name} {value}".strip() for name, value in directives.items())


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.page_policy = policy(settings.CONTENT_SECURITY_POLICY)
        self.file_policy = policy(settings.CONTENT_SECURITY_POLICY_FILES)
        self.file_views = set(settings.CONTENT_SECURITY_POLICY_FILE_VIEWS)
        self.permissions = ", ".join(
            f"{feature}=({allowed})" for feature, allowed in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        is_file = match is not None and match.view_name in self.file_views
        if not is_file:
            response.headers.setdefault("Content-Security-Policy", self.page_policy)
        elif response.get("Content-Type", "").startswith("text/html"):
            # Only the HTML edition: a PDF shown inline by the browser's own viewer must not be
            # sandboxed (Chromium then refuses to display it).
            response.headers.setdefault("Content-Security-Policy", self.file_policy)
        response.headers.setdefault("Permissions-Policy", self.permissions)
        return response
