"""Who is asking: the client's address, as far as this server may believe it."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the proxy's X-Real-IP when TRUST_X_REAL_IP says a proxy sets it.

    Used by django-axes (lock-outs count per user and address) and by the audit log. Without
    a proxy that overwrites it, X-Real-IP is whatever the client sent, so it is ignored.
    """
    if settings.TRUST_X_REAL_IP:
        forwarded = request.META.get("HTTP_X_REAL_IP", "").strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR", "")
