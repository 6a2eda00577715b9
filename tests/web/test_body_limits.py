"""Hostile bodies refused before they are read: the ASGI app driven directly, as uvicorn would.

Each attack sends a body as a client would, a chunk per ``receive()``; the tests count the chunks
the app asked for, and look for temporary files where Django would spool a body.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.core.asgi import get_asgi_application
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from marketdesk.attachments.models import Attachment
from marketdesk.web.bodylimit import BodyLimitMiddleware
from tests.attachments import samples
from tests.attachments.spool import SpoolWitness, witness_spooling  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
CHUNK = 1 * MB


class Body:
    """A client's body, one chunk per receive(); counts what the server took."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks
        self.taken = 0
        self.exhausted = False

    async def receive(self) -> dict[str, Any]:
        if self.exhausted:
            await asyncio.Event().wait()  # as a server does: the client stays until it is answered
        chunk = next(self.chunks, None)
        if chunk is None:
            self.exhausted = True
            return {"type": "http.request", "body": b"", "more_body": False}
        self.taken += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}


def huge(total: int) -> Iterator[bytes]:
    block = b"\0" * CHUNK
    for _ in range(total // CHUNK):
        yield block


def finite(data: bytes) -> Iterator[bytes]:
    for start in range(0, len(data), 64 * 1024):
        yield data[start : start + 64 * 1024]


def call(path: str, body: Body, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    """Serve one POST through the middleware and Django's ASGI handler; return status, headers, body."""
    app = BodyLimitMiddleware(get_asgi_application())
    sent: list[dict[str, Any]] = []
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in {"host": "testserver", **headers}.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async_to_sync(app)(scope, body.receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    answer = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, answer


@pytest.fixture
def spool_dir(tmp_path, monkeypatch) -> Path:
    """Where Django's body spool and upload handlers would write their temporary files."""
    directory = tmp_path / "spool"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    return directory


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


# --- refused before reading --------------------------------------------------------------------------


def test_a_500_mb_anonymous_post_to_attachments_is_refused_before_reading(spool_dir):
    body = Body(huge(500 * MB))

    status, headers, answer = call(
        "/attachments/", body, {"content-type": MULTIPART_CONTENT, "content-length": str(500 * MB)}
    )

    assert (status, headers["content-type"]) == (401, "application/problem+json")
    assert json.loads(answer)["code"] == "not_authenticated"
    assert body.taken == 0
    assert list(spool_dir.iterdir()) == []


def test_a_500_mb_anonymous_chunked_post_to_attachments_stops_at_the_form_limit(spool_dir):
    body = Body(huge(500 * MB))

    status, _headers, answer = call("/attachments/", body, {"content-type": MULTIPART_CONTENT})

    assert (status, json.loads(answer)["code"]) == (401, "not_authenticated")
    assert body.taken == settings.REQUEST_BODY_MAX_BYTES + CHUNK
    assert list(spool_dir.iterdir()) == []


def test_a_300_mb_chunked_post_to_sign_in_is_refused_at_the_form_limit(spool_dir):
    body = Body(huge(300 * MB))

    status, headers, answer = call("/sign-in/", body, {"content-type": "application/x-www-form-urlencoded"})

    assert (status, headers["content-type"]) == (413, "text/html; charset=utf-8")
    assert b"The request is too large." in answer
    assert body.taken == settings.REQUEST_BODY_MAX_BYTES + CHUNK
    assert list(spool_dir.iterdir()) == []


def test_an_api_body_past_the_limit_answers_a_russian_problem_unread(spool_dir):
    body = Body(huge(10 * MB))

    status, headers, answer = call(
        "/api/v1/orders/o-1",
        body,
        {"content-type": "application/json", "content-length": str(10 * MB), "accept-language": "ru"},
    )

    assert (status, headers["content-type"]) == (413, "application/problem+json")
    assert json.loads(answer)["title"] == "Запрос слишком большой."
    assert body.taken == 0


def test_a_signed_in_upload_past_the_policy_limit_is_refused_unread(buyer, spool_dir):
    body = Body(huge(60 * MB))

    status, _headers, answer = call(
        "/attachments/",
        body,
        {"content-type": MULTIPART_CONTENT, "content-length": str(60 * MB), "cookie": session_cookie(buyer)},
    )

    assert (status, json.loads(answer)["code"]) == (413, "body_too_large")
    assert body.taken == 0


def test_a_signed_in_chunked_upload_past_the_policy_limit_stops_there(buyer, spool_dir):
    body = Body(huge(500 * MB))

    status, _headers, _answer = call(
        "/attachments/", body, {"content-type": MULTIPART_CONTENT, "cookie": session_cookie(buyer)}
    )

    assert status == 413
    assert body.taken == 51 * MB
    assert list(spool_dir.iterdir()) == []


def tiny_files(count: int) -> bytes:
    """A multipart body of ``count`` one-byte files and the CSRF field: some 3 MB for 20,000."""
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="f{n}.txt"\r\n\r\nx\r\n'
        for n in range(count)
    ]
    return ("".join(parts) + f"--{BOUNDARY}--\r\n").encode()


# The view runs on another thread with its own connection: the session must be committed (see below).
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("witness_spooling")
def test_a_post_with_thousands_of_tiny_files_is_refused_before_they_are_spooled(buyer, spool_dir):
    # Given a signed-in buyer who reads Russian, and an upload of 20,000 one-byte files, a body well within
    # the upload's size limit,
    type(buyer).objects.filter(pk=buyer.pk).update(language="ru")
    token = _get_new_csrf_string()
    data = tiny_files(20_000)
    body = Body(finite(data))

    # when it is posted to the upload endpoint,
    status, headers, answer = call(
        "/attachments/",
        body,
        {
            "content-type": MULTIPART_CONTENT,
            "content-length": str(len(data)),
            "cookie": f"{session_cookie(buyer)}; {settings.CSRF_COOKIE_NAME}={token}",
            "x-csrftoken": token,
        },
    )

    # then it is refused with a translated 413 problem; only the one file the endpoint takes reached the
    # handlers that keep files (the rest were read and discarded), and nothing was stored.
    assert (status, headers["Content-Type"]) == (413, "application/problem+json")  # Django's own answer
    problem = json.loads(answer)
    assert (problem["code"], problem["detail"]) == ("too_many_files", "Отправьте не больше 1 файла за раз.")
    assert SpoolWitness.files == ["f0.txt"]
    assert (Attachment.objects.count(), list(spool_dir.iterdir())) == (0, [])


# --- legitimate bodies pass --------------------------------------------------------------------------


# The ASGI app runs the view on another thread, with its own connection: on PostgreSQL it sees the session and
# the buyer only once they are committed, so this test commits instead of running in a rolled-back transaction.
@pytest.mark.django_db(transaction=True)
def test_a_signed_in_upload_within_the_limit_is_stored(buyer, spool_dir):
    token = _get_new_csrf_string()
    data = encode_multipart(BOUNDARY, {"file": samples.upload(samples.jpeg(), "photo.jpg", "image/jpeg")})
    body = Body(finite(data))

    status, _headers, answer = call(
        "/attachments/",
        body,
        {
            "content-type": MULTIPART_CONTENT,
            "content-length": str(len(data)),
            "cookie": f"{session_cookie(buyer)}; {settings.CSRF_COOKIE_NAME}={token}",
            "x-csrftoken": token,
        },
    )

    assert (status, json.loads(answer)["name"]) == (201, "photo.jpg")
    assert (body.exhausted, Attachment.objects.get().uploader_id) == (True, buyer.pk)


def test_the_largest_legitimate_order_upsert_fits_the_form_limit():
    line = {
        "external_id": "L" * 64,
        "title": "Т" * 300,  # Cyrillic: two bytes each
        "quantity": 2_000_000_000,
        "unit_price_minor": 9_000_000_000_000,
        "total_minor": 9_000_000_000_000,
        "sku": "S" * 100,
    }
    order = {"lines": [line] * 500, "payments": [{"external_id": "P" * 64, "method": "m" * 50}] * 50}

    size = len(json.dumps(order, ensure_ascii=False).encode())

    assert size < settings.REQUEST_BODY_MAX_BYTES


def test_the_application_uvicorn_serves_is_wrapped_in_the_limit():
    from marketdesk import asgi  # loads the triage model: only this test pays for it

    assert isinstance(asgi.application, BodyLimitMiddleware)
    assert asgi.application.app is asgi.django_application
