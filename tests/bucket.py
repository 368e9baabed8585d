"""A real S3-compatible bucket for the tests: moto's server mode on a loopback port, started once
per test process, and Django's default storage pointed at a fresh bucket there with the options
production uses (config.settings.storage.bucket_storage)."""

from __future__ import annotations

import hashlib
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from config.settings.storage import bucket_storage

REGION = "us-east-1"
# moto accepts any keys; boto3 (in the tests and in django-storages) reads them from here.
KEYS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int, server: subprocess.Popen[bytes], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"moto_server exited with {server.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"moto_server did not answer on port {port} within {seconds} s")


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """The address of an S3 server (moto_server) on a free loopback port, for this process."""
    port = _free_port()
    moto = Path(sys.executable).with_name("moto_server")
    server = subprocess.Popen(
        [str(moto), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port, server)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


@dataclass
class Bucket:
    """One bucket of the server, and what a test reads of it."""

    name: str
    endpoint: str

    @property
    def client(self) -> Any:
        return boto3.client("s3", endpoint_url=self.endpoint, region_name=REGION, **_keys())

    def keys(self) -> set[str]:
        """Every object's key, as S3 lists them."""
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name)
        return {item["Key"] for page in pages for item in page.get("Contents", [])}

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def sha256(self, key: str) -> str:
        return hashlib.sha256(self.read(key)).hexdigest()

    def settings(self) -> dict[str, Any]:
        """STORAGES["default"] for this bucket, as production builds it."""
        return bucket_storage(bucket_name=self.name, endpoint_url=self.endpoint, region_name=REGION)

    def environment(self) -> dict[str, str]:
        """The variables that point config.settings.production at this bucket."""
        return {
            **_keys(),
            "AWS_STORAGE_BUCKET_NAME": self.name,
            "AWS_S3_ENDPOINT_URL": self.endpoint,
            "AWS_S3_REGION_NAME": REGION,
        }


def _keys() -> dict[str, str]:
    return {name.lower(): value for name, value in KEYS.items()}


def new_bucket(endpoint: str) -> Bucket:
    """A fresh, empty bucket on the server."""
    bucket = Bucket(name=f"editions-{uuid.uuid4().hex[:12]}", endpoint=endpoint)
    bucket.client.create_bucket(Bucket=bucket.name)
    return bucket


def store_in(bucket: Bucket, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Bucket:
    """Point Django's default storage at bucket, for the rest of the test."""
    for name, value in KEYS.items():
        monkeypatch.setenv(name, value)
    settings.STORAGES = {**settings.STORAGES, "default": bucket.settings()}
    return bucket


@pytest.fixture
def bucket(s3_endpoint: str, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Bucket:
    """Django's default storage in a fresh bucket for this test."""
    return store_in(new_bucket(s3_endpoint), settings, monkeypatch)


__all__ = ["Bucket", "bucket", "new_bucket", "s3_endpoint", "store_in"]
