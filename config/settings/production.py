"""Production settings: everything from the environment; no secret or database, no start.

The variables are listed in docs/deploy.md. The defaults are the safe ones (HTTPS only, HSTS,
secure cookies); a rehearsal without TLS on one machine changes only SECURE_SSL_REDIRECT=false.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .database import database
from .env import env_bool, env_int, env_list, env_str
from .storage import bucket_storage

SECRET_KEY = env_str("SECRET_KEY")  # no default: a deploy without a secret fails loudly
# Never a debug page in production, whatever the environment says: it shows settings and code.
DEBUG = False
DATABASES = {
    "default": database(
        env_str("DATABASE_URL"),  # no default: production never falls back to a local SQLite
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
        timeout=env_int("SQLITE_TIMEOUT", 30),
    )
}

# HTTPS: redirect, HSTS (a year), cookies only over HTTPS, never readable by scripts.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    # Entering the browsers' preload list binds the whole registered domain (gov.tw's owner
    # decides that, not this site); check --deploy would otherwise warn until it is set.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
LANGUAGE_COOKIE_SECURE = env_bool("LANGUAGE_COOKIE_SECURE", True)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Only a reverse proxy that overwrites X-Forwarded-Proto may say the request came over HTTPS;
# trusted without one, any client could claim it.
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Static files: served by WhiteNoise from STATIC_ROOT (collectstatic), hashed names, compressed,
# cached for good by browsers and proxies.
MIDDLEWARE = [*MIDDLEWARE]  # noqa: F405
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "whitenoise.middleware.WhiteNoiseMiddleware",
)
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Errors: mailed to ADMINS ("a@x.gov.tw,b@x.gov.tw"), or sent to Sentry when SENTRY_DSN is set.
ADMINS = [(address, address) for address in env_list("ADMINS", [])]
# The other mail settings are read in base.py; production sends through SMTP by default.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
LOGGING["handlers"]["mail_admins"] = {  # noqa: F405
    "class": "django.utils.log.AdminEmailHandler",
    "level": "ERROR",
    "filters": ["require_debug_false"],
}
LOGGING["filters"] = {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}}  # noqa: F405
LOGGING["loggers"]["django"] = {  # noqa: F405
    "handlers": ["console", "mail_admins"],
    "level": "INFO",
    "propagate": False,
}
SENTRY_DSN = env_str("SENTRY_DSN", "")
if SENTRY_DSN:
    try:
        import sentry_sdk
        from sentry_sdk.integrations.django import DjangoIntegration
    except ImportError as exc:
        raise ImproperlyConfigured(
            "已設定 SENTRY_DSN，但尚未安裝 sentry-sdk：請執行 "
            '.venv/bin/pip install -c constraints.txt -e ".[sentry]"。'
        ) from exc
    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration()],
        environment=env_str("SENTRY_ENVIRONMENT", "production"),
        send_default_pii=False,
    )

if env_str("AWS_STORAGE_BUCKET_NAME", "-") != "-":
    # An S3-compatible bucket for edition files (needs boto3: pip install "django-storages[s3]").
    STORAGES["default"] = bucket_storage(
        bucket_name=env_str("AWS_STORAGE_BUCKET_NAME"),
        endpoint_url=env_str("AWS_S3_ENDPOINT_URL", ""),
        region_name=env_str("AWS_S3_REGION_NAME", ""),
        location=env_str("AWS_LOCATION", ""),
    )

# The PDF seal (docs/deploy.md): one whole way or none at all. A half-given one (a key without
# its certificate, a passphrase or chain for nothing, a file that is not there) stops the start
# here rather than publishing unsealed PDFs or failing at the first publication.
_seal_given = {
    name: value
    for name, value in (
        ("PDF_SEAL_PKCS12", PDF_SEAL_PKCS12),  # noqa: F405
        ("PDF_SEAL_KEY", PDF_SEAL_KEY),  # noqa: F405
        ("PDF_SEAL_CERT", PDF_SEAL_CERT),  # noqa: F405
        ("PDF_SEAL_PASSPHRASE", PDF_SEAL_PASSPHRASE),  # noqa: F405
        ("PDF_SEAL_CHAIN", ",".join(PDF_SEAL_CHAIN)),  # noqa: F405
    )
    if value
}
_seal_ways = ({"PDF_SEAL_PKCS12"}, {"PDF_SEAL_KEY", "PDF_SEAL_CERT"})
_seal_extras = {"PDF_SEAL_PASSPHRASE", "PDF_SEAL_CHAIN"}
if _seal_given and not any(set(_seal_given) - _seal_extras == way for way in _seal_ways):
    raise ImproperlyConfigured(
        "PDF 電子簽章設定不完整：請設定 PDF_SEAL_PKCS12，或同時設定 PDF_SEAL_KEY 與 "
        f"PDF_SEAL_CERT，或全部不設（目前設定了 {'、'.join(sorted(_seal_given))}）。"
    )
for _seal_file in [PDF_SEAL_PKCS12, PDF_SEAL_KEY, PDF_SEAL_CERT, *PDF_SEAL_CHAIN]:  # noqa: F405
    if _seal_file and not Path(_seal_file).is_file():
        raise ImproperlyConfigured(f"PDF 電子簽章檔案不存在：{_seal_file}")
