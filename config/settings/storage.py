"""The default storage in an S3-compatible bucket: one description, read by production (from the
environment) and by the tests that run it against a real S3 server (tests/bucket.py)."""

from typing import Any


def bucket_storage(
    *, bucket_name: str, endpoint_url: str | None, region_name: str | None, location: str = ""
) -> dict[str, Any]:
    """STORAGES["default"] for edition files in a bucket (django-storages, boto3).

    Objects stay private: the public gets them only through publishing.views.download, which
    checks that their edition is public. An existing key is never overwritten: a new file of the
    same name gets a suffix, as on the file system. The keys come from AWS_ACCESS_KEY_ID and
    AWS_SECRET_ACCESS_KEY, which boto3 reads itself.
    """
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket_name,
            "endpoint_url": endpoint_url or None,
            "region_name": region_name or None,
            "location": location,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
