"""Settings shared by every environment; the environment picks the rest."""

import datetime
from pathlib import Path

from .database import database
from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parents[2]

SECRET_KEY = env_str("SECRET_KEY", "insecure-local-development-key-do-not-use-in-production")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "publishing.admin_site.BackOfficeAdminConfig",  # django.contrib.admin with our front page
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "simple_history",
    # django-import-export is used as a library (the sheet's Resource, fields and widgets,
    # and its MediaStorage for uploads awaiting confirmation: catalogue/spreadsheet/), not
    # as an app: its admin mixins, templates and `import`/`export` commands would bypass the
    # import's checks, and its admin module lists every tablib format at start, importing
    # openpyxl and odfpy (tests/config/test_startup.py).
    "axes",
    "django_tasks",
    "django_tasks_db",
    # After django.contrib.auth, whose User and Group admins accounts.admin replaces.
    "accounts",
    "catalogue",
    "publishing",
    "operations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "operations.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

# django-axes first: it refuses a locked-out login before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite waits up to SQLITE_TIMEOUT seconds for another process's write (settings/database.py).
DATABASES = {
    "default": database(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        timeout=env_int("SQLITE_TIMEOUT", 30),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hant"
LANGUAGES = [("zh-hant", "繁體中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Taipei"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

LOGIN_URL = "admin:login"
CSRF_FAILURE_VIEW = "operations.views.csrf_failure"

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failures for one user from one
# address, that pair is locked out for AXES_COOLOFF_MINUTES. Attempts are rows in the
# database, so every app server sees the same count. A superuser lifts a lock-out in the admin
# (登入嘗試) or with `manage.py axes_reset_username USER` (docs/operators.md).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # operations.audit logs each failure and lock-out once, as JSON
AXES_LOCKOUT_CALLABLE = "operations.views.lockout"
AXES_CLIENT_IP_CALLABLE = "operations.security.client_ip"
# The address is the client's; behind a reverse proxy, the one the proxy says it saw
# (X-Real-IP), only when TRUST_X_REAL_IP says the proxy sets it (else anyone could pick theirs).
TRUST_X_REAL_IP = env_bool("TRUST_X_REAL_IP", False)

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Public editions' tables and diffs, rendered once and keyed by their snapshot SHA-256
    # (publishing.pages): each process keeps its own copy, so nothing needs sharing.
    "public_pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "public-pages",
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": 64},
    },
}

# Background work (django-tasks, the backport of Django 6's django.tasks): rendering an
# edition's files after submission and publishing it, now or at its scheduled moment. The
# queue is a table of the same database, written in the same transaction as the step that
# asks for the work, so a step and its work commit or roll back together. Any number of
# `manage.py db_worker` processes, on any machine that reaches the database, take the work
# (docs/operators.md).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# /healthz reports an error when the oldest work waiting for a worker is older than this.
TASKS_MAX_QUEUE_AGE_SECONDS = env_int("TASKS_MAX_QUEUE_AGE_SECONDS", 600)
# A worker renews its job's lease every third of this; a job whose lease ran out is retried
# (publishing.tasks), at most TASKS_MAX_ATTEMPTS attempts in all, then failed with its reason.
TASKS_LEASE_SECONDS = env_int("TASKS_LEASE_SECONDS", 120)
TASKS_MAX_ATTEMPTS = env_int("TASKS_MAX_ATTEMPTS", 3)

# django-simple-history: the admin's revert is ours (it restores the agencies too).
SIMPLE_HISTORY_REVERT_DISABLED = False
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Limits of an imported spreadsheet (docs/limits.md): a bulletin has some twenty rows of a
# dozen columns. With these, reading any file up to the size limit stays within seconds and
# well under 256 MB, and importing the largest file accepted within about 10 s
# (bench/import_limits.py).
CATALOGUE_IMPORT_MAX_BYTES = env_int("CATALOGUE_IMPORT_MAX_BYTES", 10 * 1024 * 1024)
CATALOGUE_IMPORT_MAX_UNPACKED_BYTES = env_int(
    "CATALOGUE_IMPORT_MAX_UNPACKED_BYTES", 8 * 1024 * 1024
)
CATALOGUE_IMPORT_MAX_ARCHIVE_MEMBERS = env_int("CATALOGUE_IMPORT_MAX_ARCHIVE_MEMBERS", 1000)
CATALOGUE_IMPORT_MAX_ROWS = env_int("CATALOGUE_IMPORT_MAX_ROWS", 500)
CATALOGUE_IMPORT_MAX_COLUMNS = env_int("CATALOGUE_IMPORT_MAX_COLUMNS", 50)
CATALOGUE_IMPORT_MAX_CELLS = env_int("CATALOGUE_IMPORT_MAX_CELLS", 10_000)
# Lines of text in all cells: each line of 推動目標 / 推動策略 / 其他段落 may become a record.
CATALOGUE_IMPORT_MAX_LINES = env_int("CATALOGUE_IMPORT_MAX_LINES", 3_000)
CATALOGUE_IMPORT_MAX_CELL_CHARS = env_int("CATALOGUE_IMPORT_MAX_CELL_CHARS", 20_000)
# The spreadsheet import is the only upload: it is held in memory up to its limit (its view
# stops it there, catalogue/spreadsheet/uploads.py), never spooled to a temporary file first.
FILE_UPLOAD_MAX_MEMORY_SIZE = CATALOGUE_IMPORT_MAX_BYTES
DATA_UPLOAD_MAX_NUMBER_FILES = 1

# Publishing: fonts Typst may use for the PDF (Debian's fonts-noto-cjk by default).
PUBLISHING_FONT_DIRS = env_list(
    "PUBLISHING_FONT_DIRS",
    ["/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/dejavu"],
)
# Font families of the PDF, first choice first; every character must be in one of them.
PUBLISHING_FONT_FAMILIES = env_list("PUBLISHING_FONT_FAMILIES", ["Noto Sans CJK TC", "DejaVu Sans"])
# The seal on published PDFs (publishing/rendering/seal.py, docs/deploy.md): a PKCS#12 file, or a
# PEM key and certificate; the passphrase opens either; the chain lists intermediate certificates
# to embed. Without them the demo certificate in PDF_SEAL_DEMO_DIR (local and test settings only)
# signs, and without that publication goes on with an unsealed PDF, which the pages say.
PDF_SEAL_PKCS12 = env_str("PDF_SEAL_PKCS12", "")
PDF_SEAL_KEY = env_str("PDF_SEAL_KEY", "")
PDF_SEAL_CERT = env_str("PDF_SEAL_CERT", "")
PDF_SEAL_PASSPHRASE = env_str("PDF_SEAL_PASSPHRASE", "")
PDF_SEAL_CHAIN = env_list("PDF_SEAL_CHAIN", [])
PDF_SEAL_DEMO_DIR: Path | None = None
# From this many scopes on, Typst compiles the PDF in a child process, so that the memory it
# takes (1.5 GB for a bulletin 100 times the real one) goes back to the system when it ends;
# smaller ones (the real bulletin has 20) are compiled in the worker (bench/README.md).
PUBLISHING_PDF_CHILD_PROCESS_SCOPES = env_int("PUBLISHING_PDF_CHILD_PROCESS_SCOPES", 100)
# The default bulletin: the one at / and /editions/ (every bulletin is also under /b/<slug>/).
PUBLIC_BULLETIN_SLUG = env_str("PUBLIC_BULLETIN_SLUG", "policy-industries")
# The authority of the feed's tag URIs (RFC 4151: a domain the agency held on a date). Entry
# ids are built from it, never from the Host header; changing it makes every entry new.
FEED_TAG_AUTHORITY = env_str("FEED_TAG_AUTHORITY", "wda.gov.tw,2025")

# Two addresses (https://…, no trailing slash), for links made without a request to take them
# from: the public site's (the feed's absolute links) and the back office's (the links in mail to
# staff). Each defaults to the address `make run` serves (bin/run passes PORT). SITE_URL, the one
# address of earlier versions, is still read for both when set (deprecated, docs/deploy.md).
_LOCAL_URL = env_str("SITE_URL", f"http://127.0.0.1:{env_int('PORT', 8000)}")
PUBLIC_SITE_URL = env_str("PUBLIC_SITE_URL", _LOCAL_URL).rstrip("/")
BACKOFFICE_URL = env_str("BACKOFFICE_URL", _LOCAL_URL).rstrip("/")
# E-mail about editions (publishing.notifications): printed on the console unless told otherwise;
# production sends through SMTP (docs/deploy.md). Every setting of Django's mail is read here.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# The folder of django.core.mail.backends.filebased.EmailBackend, which needs one.
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30) or None
SERVER_EMAIL = env_str("SERVER_EMAIL", "root@localhost")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", SERVER_EMAIL)

# Security headers Django does not set itself (operations.middleware). No inline script or
# style anywhere: the public pages and the admin load theirs from STATIC_URL.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# A stored HTML edition is a document on its own with its stylesheet inline; it runs nothing.
CONTENT_SECURITY_POLICY_FILES = {
    "default-src": "'none'",
    "style-src": "'unsafe-inline'",
    "img-src": "data:",
    "base-uri": "'none'",
    "form-action": "'none'",
    "frame-ancestors": "'none'",
    "sandbox": "",
}
CONTENT_SECURITY_POLICY_FILE_VIEWS = {
    "public:download",
    "public:bulletin_download",
    "admin:publishing_edition_file",
}
PERMISSIONS_POLICY = {
    feature: ""
    for feature in (
        "camera",
        "microphone",
        "geolocation",
        "payment",
        "usb",
    )
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Load balancers ask /healthz over plain HTTP on the app server itself.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # One JSON object per line: logins, lock-outs, catalogue changes, imports, transitions.
        "audit": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # pikepdf announces its C++ log bridge at INFO on import, in every command's output.
        "pikepdf": {"level": "WARNING"},
    },
}
