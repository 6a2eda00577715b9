"""How an authorized download is delivered: streamed under ASGI, handed to nginx, or redirected to S3.

Under every path the access check comes first: another party gets the same 404 and nothing that
leads to the bytes (no X-Accel-Redirect, no presigned Location).
"""

from __future__ import annotations

import hashlib
import urllib.parse
import urllib.request
from collections.abc import Iterator

import boto3
import pytest
from django.test import Client
from moto.server import ThreadedMotoServer

from marketdesk.attachments.access import attachment_url
from tests.asgi import asgi_get, asgi_pieces
from tests.attachments import samples

pytestmark = pytest.mark.django_db

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox; default-src 'none'",
    "Cache-Control": "private, no-store",
}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def security_headers(response) -> dict[str, str]:
    return {name: response.get(name) for name in SECURITY_HEADERS}


# --- streamed by the web process ------------------------------------------------------------------


def test_under_asgi_a_file_is_streamed_through_an_async_iterator(buyer, ingest, tmp_path):
    # given a stored PDF of 600 KB (three pieces of up to 256 KB)
    data = samples.pdf().replace(b"trailer", b"%" + b"x" * (600 * 1024) + b"\ntrailer")
    attachment = ingest(buyer, data, "statement.pdf")
    # when the uploader fetches it through the ASGI handler
    response = asgi_get(buyer, attachment_url(attachment))
    pieces = asgi_pieces(response)
    # then it comes as an async stream of pieces (never one list in memory), whole and with its headers
    assert (response.status_code, response.is_async, len(pieces)) == (200, True, 3)
    assert b"".join(pieces) == attachment.file.open("rb").read()
    assert hashlib.sha256(b"".join(pieces)).hexdigest() == attachment.sha256
    assert (response["Content-Type"], response["Content-Length"], response["Content-Disposition"]) == (
        "application/pdf",
        str(attachment.size),
        'attachment; filename="statement.pdf"',
    )
    assert security_headers(response) == SECURITY_HEADERS


def test_under_wsgi_and_the_test_client_the_same_file_is_a_plain_iterator(buyer, ingest):
    attachment = ingest(buyer, samples.pdf(), "statement.pdf")

    response = signed_in(buyer).get(attachment_url(attachment))

    assert (response.status_code, response.is_async) == (200, False)
    assert b"".join(response.streaming_content) == attachment.file.open("rb").read()


# --- handed to nginx ---------------------------------------------------------------------------------


def test_with_accel_redirect_nginx_is_told_which_file_to_send(buyer, ingest, settings, media_root):
    # given nginx in front with an internal location /protected/ aliasing the media folder
    settings.ATTACHMENT_ACCEL_REDIRECT = "/protected/"
    data = samples.pdf()
    attachment = ingest(buyer, data, "statement.pdf")
    # when
    response = signed_in(buyer).get(attachment_url(attachment))
    # then the answer has no body, and the location names the stored file nginx will send
    location = response["X-Accel-Redirect"]
    assert (response.status_code, response.content) == (200, b"")
    assert location == f"/protected/{attachment.file.name}"
    sent_by_nginx = (media_root / urllib.parse.unquote(location.removeprefix("/protected/"))).read_bytes()
    assert hashlib.sha256(sent_by_nginx).hexdigest() == attachment.sha256
    assert (response["Content-Type"], response["Content-Disposition"]) == (
        "application/pdf",
        'attachment; filename="statement.pdf"',
    )
    assert security_headers(response) == SECURITY_HEADERS


def test_with_accel_redirect_another_party_gets_404_and_no_location(buyer, other_buyer, ingest, settings):
    settings.ATTACHMENT_ACCEL_REDIRECT = "/protected/"
    url = attachment_url(ingest(buyer, samples.pdf(), "statement.pdf"))

    response = signed_in(other_buyer).get(url)

    assert (response.status_code, response.has_header("X-Accel-Redirect")) == (404, False)


# --- redirected to the bucket --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """A real S3-compatible server (moto) on loopback."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_storage(settings, s3_endpoint) -> str:
    """Attachments in a private bucket, as MARKETDESK_STORAGE_URL=s3+http://… configures them."""
    bucket = "desk-files"
    credentials = {"aws_access_key_id": "AKIATEST", "aws_secret_access_key": "test-secret"}
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **credentials).create_bucket(Bucket=bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": s3_endpoint,
                "access_key": credentials["aws_access_key_id"],
                "secret_key": credentials["aws_secret_access_key"],
                "region_name": "us-east-1",
                "file_overwrite": False,
                "default_acl": None,
                "signature_version": "s3v4",
            },
        },
    }
    return s3_endpoint


def test_on_s3_the_reader_is_sent_to_a_short_lived_presigned_url(buyer, ingest, s3_storage):
    # given a PDF stored in the bucket
    data = samples.pdf()
    attachment = ingest(buyer, data, "statement.pdf")
    # when the uploader fetches its link
    response = signed_in(buyer).get(attachment_url(attachment))
    # then marketdesk sends no bytes but a signed URL of the bucket that works for a minute
    location = response["Location"]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
    assert (response.status_code, response.content) == (302, b"")
    assert location.startswith(f"{s3_storage}/desk-files/{attachment.file.name}?")
    assert (query["X-Amz-Expires"], query["response-content-disposition"]) == (
        ["60"],
        ['attachment; filename="statement.pdf"'],
    )
    assert "X-Amz-Signature" in query
    assert (response["Cache-Control"], response["Referrer-Policy"]) == ("private, no-store", "no-referrer")
    # and the bucket answers that URL with the very bytes, typed and named as marketdesk would
    with urllib.request.urlopen(location, timeout=10) as from_bucket:  # noqa: S310 - the loopback server above
        body = from_bucket.read()
        assert (from_bucket.headers["Content-Type"], from_bucket.headers["Content-Disposition"]) == (
            "application/pdf",
            'attachment; filename="statement.pdf"',
        )
    assert hashlib.sha256(body).hexdigest() == attachment.sha256


def test_on_s3_another_party_gets_404_and_no_url(buyer, other_buyer, seller, ingest, s3_storage):
    url = attachment_url(ingest(buyer, samples.pdf(), "statement.pdf"))

    responses = [signed_in(user).get(url) for user in (other_buyer, seller)]

    assert [(r.status_code, r.has_header("Location")) for r in responses] == [(404, False), (404, False)]
