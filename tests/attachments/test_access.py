"""Who may read an attachment, and the signed links: the uploader, then whoever the owner's reader lets in."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import signing

from marketdesk.attachments import access
from marketdesk.attachments.access import attachment_readable, attachment_token_read, attachment_url, register_reader
from marketdesk.attachments.selectors import attachment_get_for_reader
from marketdesk.attachments.services import attachments_claim
from marketdesk.core.actors import Actor
from marketdesk.core.errors import NotFound
from tests.attachments import samples
from tests.conftest import NOW

pytestmark = pytest.mark.django_db

FRESH = int(NOW.timestamp())  # issued at the frozen clock's time: only the forgery is wrong


@pytest.fixture
def upload(buyer, ingest):
    return ingest(buyer, samples.png(), "a.png")


def test_before_it_is_attached_only_the_uploader_may_read_it(buyer, other_buyer, operator, upload, readers):
    readers[other_buyer.pk] = True

    assert attachment_readable(Actor.for_user(buyer), upload) is True
    assert attachment_readable(Actor.for_user(other_buyer), upload) is False
    assert attachment_readable(Actor.for_user(operator), upload) is False
    assert attachment_readable(Actor.system(), upload) is False


def test_once_attached_the_owners_reader_decides_for_everyone_else(buyer, other_buyer, seller, order, upload, readers):
    attachments_claim(actor=Actor.for_user(buyer), ids=[upload.pk], owner=order)
    upload.refresh_from_db()
    readers[seller.pk] = True

    assert attachment_readable(Actor.for_user(seller), upload) is True
    assert attachment_readable(Actor.for_user(other_buyer), upload) is False
    assert attachment_readable(Actor.for_user(buyer), upload) is True


def test_an_owner_type_without_a_reader_is_closed_to_all_but_the_uploader(buyer, seller, order, upload):
    attachments_claim(actor=Actor.for_user(buyer), ids=[upload.pk], owner=order)
    upload.refresh_from_db()

    assert attachment_readable(Actor.for_user(seller), upload) is False


def test_the_selector_answers_not_found_for_what_may_not_be_read(other_buyer, upload):
    with pytest.raises(NotFound):
        attachment_get_for_reader(Actor.for_user(other_buyer), pk=upload.pk)


def test_a_second_different_reader_for_the_same_owner_is_refused(monkeypatch):
    monkeypatch.setattr(access, "_READERS", {})
    register_reader("orders.order", lambda actor, attachment: True)

    with pytest.raises(ValueError, match="registered already"):
        register_reader("orders.order", lambda actor, attachment: False)


def test_a_link_names_the_attachment_and_variant_while_fresh(upload, frozen_clock, settings):
    token = attachment_url(upload, "thumbnail").rstrip("/").rsplit("/", 1)[1]

    frozen_clock.advance(dt.timedelta(seconds=settings.ATTACHMENT_URL_MAX_AGE))
    assert attachment_token_read(token) == (upload.pk, "thumbnail")
    frozen_clock.advance(dt.timedelta(seconds=1))
    assert attachment_token_read(token) is None


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        signing.Signer(salt="another.salt").sign_object([1, 0, FRESH]),
        signing.Signer(salt="marketdesk.attachments.url").sign_object(["1", 0, FRESH]),
        signing.Signer(salt="marketdesk.attachments.url").sign_object([1, 7, FRESH]),
        signing.Signer(salt="marketdesk.attachments.url").sign_object({"id": 1}),
    ],
    ids=["garbage", "other-salt", "id-not-int", "unknown-variant", "wrong-shape"],
)
def test_a_forged_or_malformed_token_reads_as_nothing(token, frozen_clock):
    assert attachment_token_read(token) is None
