"""POST /api/v1/attachments: a signed-in person uploads; keys and strangers are refused; problems are typed."""

from __future__ import annotations

import pytest
from django.test import Client

from marketdesk.accounts.services import api_key_create
from marketdesk.attachments.models import Attachment
from marketdesk.core.actors import Actor
from tests import factories
from tests.api.helpers import session_client
from tests.attachments import samples
from tests.attachments.spool import SpoolWitness, witness_spooling  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

URL = "/api/v1/attachments"


@pytest.fixture
def key_client(marketplace) -> Client:
    _key, raw = api_key_create(actor=Actor.system(), marketplace=marketplace, name="Integration")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def post(client, data: bytes, name: str):
    return client.post(URL, {"file": samples.upload(data, name)})


def test_a_signed_in_person_uploads_a_photo(buyer):
    response = post(session_client(buyer), samples.png(), "screen.png")

    attachment = Attachment.objects.get()
    assert response.status_code == 201
    assert response.json() == samples.fresh_upload_json(attachment, url=response.json()["url"])
    assert (attachment.original_name, attachment.mime) == ("screen.png", "image/png")


def test_a_refused_file_is_a_422_problem_naming_the_field_and_the_reason(buyer):
    response = post(session_client(buyer), samples.exe(), "invoice.jpg")

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "file_type_not_accepted"
    assert response.json()["errors"][0]["field"] == "file"


def test_a_missing_file_is_a_422_problem(buyer):
    response = session_client(buyer).post(URL, {})

    assert (response.status_code, response.json()["code"]) == (422, "invalid")


def test_the_marketplace_key_naming_nobody_is_a_422_naming_the_field(key_client):
    response = post(key_client, samples.png(), "a.png")

    assert (response.status_code, response.json()["code"]) == (422, "invalid")
    assert response.json()["errors"][0]["field"] == "buyer"
    assert Attachment.objects.count() == 0


def test_the_marketplace_key_uploads_for_the_buyer_it_names(key_client, buyer):
    response = key_client.post(URL, {"file": samples.upload(samples.png(), "a.png"), "buyer": buyer.external_id})

    assert response.status_code == 201
    assert Attachment.objects.get().uploader_id == buyer.pk


def test_the_marketplace_key_uploads_for_the_seller_it_names(key_client, seller):
    seller.external_id = "M-1"
    seller.save(update_fields=["external_id"])

    response = key_client.post(URL, {"file": samples.upload(samples.png(), "a.png"), "seller": "M-1"})

    assert response.status_code == 201
    assert Attachment.objects.get().uploader_id == seller.pk


def test_the_marketplace_key_cannot_upload_for_another_marketplaces_buyer(key_client, other_marketplace):
    stranger = factories.BuyerFactory(marketplace=other_marketplace, external_id="B-STRANGER")

    response = key_client.post(URL, {"file": samples.upload(samples.png(), "a.png"), "buyer": stranger.external_id})

    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "buyer")
    assert Attachment.objects.count() == 0


def test_a_signed_in_person_cannot_name_someone_else(buyer, other_buyer):
    response = session_client(buyer).post(
        URL, {"file": samples.upload(samples.png(), "a.png"), "buyer": other_buyer.external_id}
    )

    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "buyer")
    assert Attachment.objects.count() == 0


def test_without_credentials_it_is_401(client):
    assert post(client, samples.png(), "a.png").status_code == 401


def test_a_session_without_the_csrf_token_is_refused(buyer):
    response = post(session_client(buyer, enforce_csrf=True), samples.png(), "a.png")

    assert (response.status_code, response.json()["code"]) == (403, "csrf_failed")


@pytest.mark.usefixtures("witness_spooling")
def test_an_api_upload_carrying_many_files_is_a_413_problem_and_the_extra_files_are_never_spooled(buyer):
    # Given a signed-in person's upload of 300 small photos in one request (the endpoint takes one),
    photos = [samples.upload(samples.png(), f"p{n}.png") for n in range(300)]

    # when it is posted,
    response = session_client(buyer).post(URL, {"file": photos})

    # then it is a 413 problem naming the field; only the first photo reached the handlers that keep files.
    assert (response.status_code, response["Content-Type"]) == (413, "application/problem+json")
    assert (response.json()["code"], response.json()["errors"][0]["field"]) == ("too_many_files", "file")
    assert SpoolWitness.files == ["p0.png"]
    assert Attachment.objects.count() == 0
