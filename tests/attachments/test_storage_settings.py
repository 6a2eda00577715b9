"""Where attachments are stored: local disk by default, an S3-compatible bucket from MARKETDESK_STORAGE_URL."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

# The settings module alone: django.setup() would also import the S3 backend, which is the optional
# `s3` extra, not installed by `make install` (the option names are S3Storage's, django-storages 1.14).
PRINT_STORAGE = "import json; from marketdesk import settings; print(json.dumps(settings.STORAGES['attachments']))"


def attachments_storage(extra_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARKETDESK_")}
    env.update({"DJANGO_SETTINGS_MODULE": "marketdesk.settings", **extra_env})
    return subprocess.run([sys.executable, "-c", PRINT_STORAGE], env=env, capture_output=True, text=True, timeout=120)


def test_by_default_attachments_are_files_under_the_media_root():
    result = attachments_storage({})

    assert json.loads(result.stdout) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_a_storage_url_keeps_them_in_a_private_s3_bucket():
    result = attachments_storage(
        {"MARKETDESK_STORAGE_URL": "s3://AKIA123:se%2Fcret@minio.internal:9000/desk-files?region=eu-west-1"}
    )

    assert json.loads(result.stdout) == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "desk-files",
            "endpoint_url": "https://minio.internal:9000",
            "access_key": "AKIA123",
            "secret_key": "se/cret",
            "region_name": "eu-west-1",
            "file_overwrite": False,
            "default_acl": None,
            "signature_version": "s3v4",
        },
    }


def test_s3_over_plain_http_for_a_local_minio_and_credentials_from_the_environment():
    result = attachments_storage({"MARKETDESK_STORAGE_URL": "s3+http://127.0.0.1:9000/desk"})

    options = json.loads(result.stdout)["OPTIONS"]
    assert (options["endpoint_url"], options["access_key"], options["secret_key"]) == (
        "http://127.0.0.1:9000",
        None,
        None,
    )


@pytest.mark.parametrize(
    "url", ["ftp://host/bucket", "s3://host", "s3:///bucket"], ids=["scheme", "no-bucket", "no-host"]
)
def test_a_malformed_storage_url_stops_the_start(url):
    result = attachments_storage({"MARKETDESK_STORAGE_URL": url})

    assert result.returncode != 0
    assert "MARKETDESK_STORAGE_URL must look like" in result.stderr
