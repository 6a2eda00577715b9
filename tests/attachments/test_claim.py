"""attachments_claim: the uploader attaches their own free uploads to one owner, within the policy's count."""

from __future__ import annotations

import pytest

from marketdesk.attachments import errors
from marketdesk.attachments.selectors import attachments_of, attachments_of_many
from marketdesk.attachments.services import attachments_claim
from marketdesk.core.actors import Actor
from marketdesk.core.errors import PermissionDenied
from marketdesk.core.policies import policy_publish
from tests import factories
from tests.attachments import samples

pytestmark = pytest.mark.django_db


@pytest.fixture
def uploads(buyer, ingest):
    return lambda count, user=None: [ingest(user or buyer, samples.png(), f"p{i}.png") for i in range(count)]


def test_claiming_links_the_uploads_to_the_owner_in_the_order_given(buyer, order, uploads, frozen_clock):
    first, second = uploads(2)

    claimed = attachments_claim(actor=Actor.for_user(buyer), ids=[second.pk, first.pk], owner=order)

    assert [a.pk for a in claimed] == [second.pk, first.pk]
    assert {(a.owner_type, a.owner_id, a.claimed_at) for a in claimed} == {
        ("orders.order", order.pk, frozen_clock.now())
    }
    assert [a.pk for a in attachments_of(order)] == [first.pk, second.pk]


def test_ten_files_attach_and_an_eleventh_is_refused(buyer, order, uploads):
    ten = uploads(10)
    eleventh = uploads(1)[0]

    attachments_claim(actor=Actor.for_user(buyer), ids=[a.pk for a in ten], owner=order)
    with pytest.raises(errors.TooManyAttachments) as refused:
        attachments_claim(actor=Actor.for_user(buyer), ids=[eleventh.pk], owner=order)

    assert str(refused.value.message) == "A message can have at most 10 attachments."
    assert refused.value.field == "attachments"
    eleventh.refresh_from_db()
    assert (eleventh.owner_type, len(attachments_of(order))) == ("", 10)


def test_eleven_at_once_are_refused_and_none_is_attached(buyer, order, uploads):
    eleven = uploads(11)

    with pytest.raises(errors.TooManyAttachments):
        attachments_claim(actor=Actor.for_user(buyer), ids=[a.pk for a in eleven], owner=order)

    assert attachments_of(order) == []


def test_the_count_is_the_policy_in_force(buyer, order, uploads, system_actor):
    policy_publish(actor=system_actor, changes={"attachments_per_message": 2})

    with pytest.raises(errors.TooManyAttachments) as refused:
        attachments_claim(actor=Actor.for_user(buyer), ids=[a.pk for a in uploads(3)], owner=order)

    assert str(refused.value.message) == "A message can have at most 2 attachments."


def test_someone_elses_upload_cannot_be_attached(buyer, other_buyer, order, uploads):
    theirs = uploads(1, other_buyer)[0]

    with pytest.raises(errors.AttachmentUnavailable):
        attachments_claim(actor=Actor.for_user(buyer), ids=[theirs.pk], owner=order)

    theirs.refresh_from_db()
    assert theirs.owner_type == ""


def test_an_id_that_does_not_exist_is_refused_like_someone_elses(buyer, order):
    with pytest.raises(errors.AttachmentUnavailable) as refused:
        attachments_claim(actor=Actor.for_user(buyer), ids=[987654], owner=order)

    assert str(refused.value.message) == "One of the files was not found among your uploads."


def test_an_upload_attached_already_cannot_go_to_a_second_owner(buyer, order, marketplace, uploads):
    upload = uploads(1)[0]
    attachments_claim(actor=Actor.for_user(buyer), ids=[upload.pk], owner=order)

    with pytest.raises(errors.AttachmentAlreadyAttached):
        attachments_claim(
            actor=Actor.for_user(buyer), ids=[upload.pk], owner=factories.OrderFactory(marketplace=marketplace)
        )


def test_claiming_the_same_uploads_again_for_the_same_owner_changes_nothing(buyer, order, uploads):
    upload = uploads(1)[0]
    attachments_claim(actor=Actor.for_user(buyer), ids=[upload.pk], owner=order)

    again = attachments_claim(actor=Actor.for_user(buyer), ids=[upload.pk, upload.pk], owner=order)

    assert [a.pk for a in again] == [upload.pk]


def test_no_ids_attach_nothing(buyer, order):
    assert attachments_claim(actor=Actor.for_user(buyer), ids=[], owner=order) == []


def test_the_marketplace_cannot_attach_files(marketplace_actor, order, uploads):
    with pytest.raises(PermissionDenied):
        attachments_claim(actor=marketplace_actor, ids=[uploads(1)[0].pk], owner=order)


def test_attachments_of_many_owners_come_in_one_query(buyer, marketplace, uploads, django_assert_num_queries):
    orders = [factories.OrderFactory(marketplace=marketplace) for _ in range(3)]
    for owner, upload in zip(orders, uploads(2), strict=False):
        attachments_claim(actor=Actor.for_user(buyer), ids=[upload.pk], owner=owner)

    with django_assert_num_queries(1):
        found = attachments_of_many(orders)

    assert [len(found[o.pk]) for o in orders] == [1, 1, 0]
