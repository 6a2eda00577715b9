"""Files in conversations: attached to a message, shown to its parties only, stripped of EXIF, within the policy's count."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from PIL import Image

from marketdesk.attachments.models import Attachment
from marketdesk.core.actors import Actor
from marketdesk.core.errors import DomainError
from marketdesk.messaging.models import Message
from marketdesk.messaging.services import order_message_post
from tests import factories
from tests.attachments import samples
from tests.attachments.spool import SpoolWitness, witness_spooling  # noqa: F401 - a fixture
from tests.cases.conftest import client_as

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {
        "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend", "QUEUES": settings.TASK_QUEUES}
    }


@pytest.fixture
def order(marketplace, shop, buyer):
    return factories.OrderFactory(marketplace=marketplace, shop=shop, buyer=buyer)


@pytest.fixture
def other_seller(marketplace):
    return factories.MembershipFactory(shop=factories.ShopFactory(marketplace=marketplace)).user


def upload(client, data: bytes, name: str):
    return client.post(reverse("attachments:upload"), {"file": samples.upload(data, name)})


def file_urls(page: str) -> list[str]:
    return re.findall(r'href="(/attachments/f/[^"]+)"', page)


def test_a_photo_with_gps_reaches_the_seller_without_any_exif(order, buyer, seller, other_buyer, other_seller):
    buyer_client = client_as(buyer)
    uploaded = upload(buyer_client, samples.jpeg_with_gps(), "IMG_0001.jpg")
    assert uploaded.status_code == 201
    posted = buyer_client.post(
        reverse("messaging:conversation_post", args=[order.pk]),
        {"body": "It arrived broken", "attachment_ids": [uploaded.json()["id"]]},
    )
    assert posted.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.owner_type, attachment.owner_id) == ("messaging.message", Message.objects.get().pk)

    page = client_as(seller).get(reverse("messaging:conversation", args=[order.pk])).content.decode()
    (url,) = file_urls(page)
    served = client_as(seller).get(url)
    assert served.status_code == 200
    data = b"".join(served.streaming_content) if served.streaming else served.content
    image = Image.open(io.BytesIO(data))
    assert not image.getexif()
    assert b"Exif" not in data
    assert b"GPS" not in data
    for stranger in (other_buyer, other_seller):
        assert client_as(stranger).get(url).status_code == 404


def test_another_persons_upload_cannot_be_attached(order, buyer, seller):
    theirs = upload(client_as(seller), samples.jpeg(), "a.jpg").json()["id"]
    with pytest.raises(DomainError, match="not found among your uploads"):
        order_message_post(actor=Actor.for_user(buyer), order=order, body="look", attachment_ids=[theirs])
    assert not Message.objects.exists()
    assert Attachment.objects.get().owner_type == ""


def test_an_eleventh_file_is_refused_and_nothing_is_posted(order, buyer):
    client = client_as(buyer)
    ids = [upload(client, samples.jpeg(), f"{n}.jpg").json()["id"] for n in range(11)]
    response = client.post(
        reverse("messaging:conversation_post", args=[order.pk]), {"body": "x", "attachment_ids": ids}
    )
    assert response.status_code == 422
    assert "at most 10 attachments" in response.content.decode()
    assert not Message.objects.exists()
    assert not Attachment.objects.exclude(owner_type="").exists()


def test_files_without_scripts_come_with_the_form(order, buyer, seller):
    response = client_as(buyer).post(
        reverse("messaging:conversation_post", args=[order.pk]),
        {"body": "", "files": [samples.upload(samples.jpeg(), "photo.jpg")]},
    )
    assert response.status_code == 302
    assert Attachment.objects.get().owner_id == Message.objects.get().pk


def test_a_disguised_file_is_refused_with_the_reason(order, buyer):
    response = client_as(buyer).post(
        reverse("messaging:conversation_post", args=[order.pk]),
        {"body": "see", "files": [samples.upload(b"MZ\x90\x00" + b"\x00" * 200, "photo.jpg")]},
    )
    assert response.status_code == 422
    assert "This kind of file is not accepted." in response.content.decode()
    assert not Message.objects.exists()


@pytest.mark.usefixtures("witness_spooling")
def test_a_message_post_with_more_files_than_a_message_takes_is_refused_before_the_extra_ones_are_spooled(order, buyer):
    # Given a buyer's message with 500 photos attached by the form (the policy takes 10 a message),
    photos = [samples.upload(samples.jpeg(), f"p{n}.jpg") for n in range(500)]

    # when it is posted,
    response = client_as(buyer).post(
        reverse("messaging:conversation_post", args=[order.pk]), {"body": "see", "files": photos}
    )

    # then the form says why with a 413, nothing is posted or stored, and only ten photos were ever spooled.
    assert response.status_code == 413
    assert "Send at most 10 files at once." in response.content.decode()
    assert (Message.objects.count(), Attachment.objects.count()) == (0, 0)
    assert SpoolWitness.files == [f"p{n}.jpg" for n in range(10)]
