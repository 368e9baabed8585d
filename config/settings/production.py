"""Production settings: no secret, no start."""

from .base import *  # noqa: F403
from .env import env_bool, env_int, env_str

SECRET_KEY = env_str("SECRET_KEY")  # no default: a deploy without a secret fails loudly
DEBUG = env_bool("DEBUG", False)

SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True

if env_str("AWS_STORAGE_BUCKET_NAME", "-") != "-":
    # An S3-compatible bucket for edition files (needs boto3: pip install "django-storages[s3]").
    # django-storages reads the keys from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY itself; the
    # bucket and where it lives are settings. Files stay private: the public gets them only
    # through publishing.views.download, which checks that their edition is public.
    STORAGES["default"] = {  # noqa: F405
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("AWS_S3_REGION_NAME", "") or None,
            "location": env_str("AWS_LOCATION", ""),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
