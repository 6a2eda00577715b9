"""The web endpoints: upload for the pages' scripts, and files served through signed, re-authorized links."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from marketdesk.attachments import views
from marketdesk.attachments.access import attachment_url
from marketdesk.attachments.models import Attachment
from marketdesk.attachments.services import attachments_claim
from marketdesk.core.actors import Actor
from marketdesk.core.policies import policy_publish
from tests.attachments import samples

pytestmark = pytest.mark.django_db

UPLOAD = "/attachments/"
MB = 1024 * 1024


def signed_in(user, *, enforce_csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def post_file(client: Client, data: bytes, name: str, **extra):
    return client.post(UPLOAD, {"file": samples.upload(data, name, "image/png")}, **extra)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


# --- upload -----------------------------------------------------------------------------------------


def test_upload_answers_the_attachment_as_json(buyer):
    response = post_file(signed_in(buyer), samples.jpeg(), "photo.jpg")

    attachment = Attachment.objects.get()
    assert response.status_code == 201
    assert response.json() == samples.fresh_upload_json(attachment, url=response.json()["url"])
    assert (attachment.original_name, attachment.mime) == ("photo.jpg", "image/jpeg")
    assert response.json()["url"].startswith("/attachments/f/")


def test_detail_gives_the_thumbnail_link_once_the_preview_is_made(buyer, processed):
    attachment = processed(buyer, samples.jpeg(), "photo.jpg")

    response = signed_in(buyer).get(reverse("attachments:detail", args=[attachment.pk]))

    assert (response.json()["status"], response.json()["thumbnail_url"][:15]) == ("ready", "/attachments/f/")


@pytest.mark.parametrize("role", ["buyer", "seller", "operator"])
def test_every_signed_in_party_may_upload(request, role):
    response = post_file(signed_in(request.getfixturevalue(role)), samples.png(), "a.png")

    assert response.status_code == 201


def test_upload_refuses_a_bad_file_with_a_problem_document(buyer, stored_files):
    response = post_file(signed_in(buyer), samples.HTML, "photo.png")

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert (response.json()["code"], response.json()["errors"][0]["field"]) == ("file_type_not_accepted", "file")
    assert stored_files() == []


def test_upload_without_a_file_is_refused(buyer):
    response = signed_in(buyer).post(UPLOAD, {})

    assert (response.status_code, response.json()["code"]) == (422, "file_missing")


def test_anonymous_upload_is_401_and_stores_nothing(client):
    response = post_file(client, samples.png(), "a.png")

    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")
    assert Attachment.objects.count() == 0


def test_upload_needs_the_csrf_token(buyer):
    client = signed_in(buyer, enforce_csrf=True)

    token = "k" * 32
    refused = post_file(client, samples.png(), "a.png")
    client.cookies["csrftoken"] = token  # as the pages set it
    accepted = post_file(client, samples.png(), "a.png", headers={"X-CSRFToken": token})

    assert (refused.status_code, accepted.status_code) == (403, 201)


def test_upload_answers_only_post(buyer):
    assert signed_in(buyer).get(UPLOAD).status_code == 405


def test_a_body_announced_over_the_limit_is_refused_unread(buyer):
    # The test client would build a real 51 MB body in memory; the header alone must be enough.
    response = post_file(signed_in(buyer), samples.png(), "a.png", CONTENT_LENGTH=str(51 * MB))

    assert (response.status_code, response.json()["code"]) == (422, "file_too_large")
    assert response.json()["detail"] == "The file is larger than 50 MB."


def test_a_file_growing_past_the_limit_stops_being_read(buyer, system_actor, stored_files, monkeypatch):
    policy_publish(actor=system_actor, changes={"attachment_max_mb": 1})
    monkeypatch.setattr(views, "attachment_ingest", None)  # refused while reading, never handed on
    # Under the announced-length guard (limit + 64 KB) but over the limit itself.
    response = post_file(signed_in(buyer), samples.pdf() + b"\x00" * (MB + 1024), "a.pdf")

    assert (response.status_code, response.json()["code"]) == (422, "file_too_large")
    assert stored_files() == []


def test_detail_answers_fresh_links_to_the_uploader_and_404_to_anyone_else(buyer, other_buyer, ingest):
    attachment = ingest(buyer, samples.png(), "a.png")
    url = reverse("attachments:detail", args=[attachment.pk])

    mine = signed_in(buyer).get(url)
    theirs = signed_in(other_buyer).get(url)

    assert (mine.status_code, mine.json()["id"]) == (200, attachment.pk)
    assert (theirs.status_code, theirs.json()["code"]) == (404, "not_found")


# --- serving ------------------------------------------------------------------------------------------


def test_the_uploader_gets_the_clean_photo_inline_with_protective_headers(buyer, ingest):
    attachment = ingest(buyer, samples.jpeg_with_gps(), "IMG_2041.jpg")

    response = signed_in(buyer).get(attachment_url(attachment))

    data = body(response)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == 'inline; filename="IMG_2041.jpg"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response["Cache-Control"] == "private, no-store"
    assert b"Exif" not in data
    assert b"GPS" not in data
    assert dict(Image.open(io.BytesIO(data)).getexif()) == {}


@pytest.mark.parametrize(
    ("make", "name", "content_type", "disposition"),
    [
        (samples.pdf, "receipt.pdf", "application/pdf", 'attachment; filename="receipt.pdf"'),
        (samples.heic, "IMG_0001.HEIC", "image/jpeg", 'inline; filename="IMG_0001.jpg"'),
        (samples.png_with_html, "page.html.png", "image/png", 'inline; filename="page.html.png"'),
    ],
    ids=["pdf-downloads", "heic-as-jpeg", "png"],
)
def test_each_file_is_served_as_its_stored_type(buyer, ingest, make, name, content_type, disposition):
    attachment = ingest(buyer, make(), name)

    response = signed_in(buyer).get(attachment_url(attachment))

    assert (response.status_code, response["Content-Type"], response["Content-Disposition"]) == (
        200,
        content_type,
        disposition,
    )


def test_a_video_is_always_a_download_and_its_poster_is_shown(buyer, processed, videos):
    attachment = processed(buyer, videos["mp4"], "clip.mp4")
    client = signed_in(buyer)

    video = client.get(attachment_url(attachment))
    poster = client.get(attachment_url(attachment, "poster"))
    thumbnail = client.get(attachment_url(attachment, "thumbnail"))

    assert (video["Content-Type"], video["Content-Disposition"]) == ("video/mp4", 'attachment; filename="clip.mp4"')
    assert (poster["Content-Type"], poster["Content-Disposition"]) == (
        "image/jpeg",
        'inline; filename="clip-poster.jpg"',
    )
    assert thumbnail["Content-Type"] == "image/webp"
    assert body(video) == attachment.file.read()


def test_another_user_gets_404_for_a_link_to_an_unattached_upload(buyer, other_buyer, seller, operator, ingest):
    url = attachment_url(ingest(buyer, samples.png(), "a.png"))

    assert [signed_in(u).get(url).status_code for u in (other_buyer, seller, operator)] == [404, 404, 404]


def test_once_attached_the_link_works_for_whom_the_owner_lets_read(buyer, other_buyer, seller, order, ingest, readers):
    attachment = ingest(buyer, samples.png(), "a.png")
    attachments_claim(actor=Actor.for_user(buyer), ids=[attachment.pk], owner=order)
    readers[seller.pk] = True
    url = attachment_url(attachment)

    assert [signed_in(u).get(url).status_code for u in (buyer, seller, other_buyer)] == [200, 200, 404]


def test_every_fetch_is_authorized_again(buyer, seller, order, ingest, readers):
    attachment = ingest(buyer, samples.png(), "a.png")
    attachments_claim(actor=Actor.for_user(buyer), ids=[attachment.pk], owner=order)
    readers[seller.pk] = True
    client, url = signed_in(seller), attachment_url(attachment)
    first = client.get(url)

    readers[seller.pk] = False  # e.g. the seller left the shop
    second = client.get(url)

    assert (first.status_code, second.status_code) == (200, 404)


def test_an_expired_link_is_404(buyer, ingest, frozen_clock, settings):
    attachment = ingest(buyer, samples.png(), "a.png")
    url = attachment_url(attachment)

    frozen_clock.advance(dt.timedelta(seconds=settings.ATTACHMENT_URL_MAX_AGE + 1))

    assert signed_in(buyer).get(url).status_code == 404


def test_a_tampered_link_is_404(buyer, ingest):
    url = attachment_url(ingest(buyer, samples.png(), "a.png"))

    assert signed_in(buyer).get(url[:-3] + "xx/").status_code == 404


def test_a_link_without_a_session_is_404(client, buyer, ingest):
    assert client.get(attachment_url(ingest(buyer, samples.png(), "a.png"))).status_code == 404


def test_a_preview_not_made_yet_is_404(buyer, ingest):
    attachment = ingest(buyer, samples.png(), "a.png")

    assert signed_in(buyer).get(attachment_url(attachment, "thumbnail")).status_code == 404


def test_the_media_folder_itself_is_not_served(buyer, ingest):
    attachment = ingest(buyer, samples.png(), "a.png")

    assert signed_in(buyer).get(f"/media/{attachment.file.name}").status_code == 404
