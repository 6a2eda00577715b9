"""Message safety in conversations: hold or warn per policy, support's review, and who sees what."""

from __future__ import annotations

import pytest
from django.urls import reverse

from marketdesk.console.models import AuditEntry
from marketdesk.core.actors import Actor
from marketdesk.core.errors import NotFound, PermissionDenied
from marketdesk.core.models import TimelineEvent
from marketdesk.core.policies import policy_publish
from marketdesk.messaging.models import Message, Thread
from marketdesk.messaging.selectors import thread_of_order, thread_page, unread_total
from marketdesk.messaging.services import order_message_post
from marketdesk.notifications.models import Notification
from marketdesk.safety.models import MarketplaceSafety, MessageFlag
from marketdesk.safety.services import message_flag_block, message_flag_release, message_flag_screen
from tests.cases.conftest import client_as
from tests.safety.conftest import PAYMENT

pytestmark = pytest.mark.django_db

CONTACT = "My number is +44 7700 900123, call me"
WARNING = "Only payments made on the platform are protected"


def post(user, order, body):
    return order_message_post(actor=Actor.for_user(user), order=order, body=body)


def bodies(user, order):
    actor = Actor.for_user(user)
    return [m.body for m in thread_page(actor, thread_of_order(actor, order_id=order.pk)).messages]


def page_text(user, order):
    response = client_as(user).get(reverse("messaging:conversation", args=[order.pk]))
    assert response.status_code == 200
    return response.content.decode()


# Held (a seller asking for payment off the platform, by default)


def test_a_sellers_payment_request_is_held_and_the_buyer_sees_nothing(order, buyer, seller):
    post(buyer, order, "Where is my parcel?")
    message = post(seller, order, PAYMENT)
    flag = MessageFlag.objects.get(message=message)
    assert (flag.kind, flag.action, flag.status) == ("payment", "hold", "held")
    assert bodies(buyer, order) == ["Where is my parcel?"]
    assert PAYMENT not in page_text(buyer, order)
    assert unread_total(Actor.for_user(buyer)) == 0
    assert not Notification.objects.filter(user=buyer, kind="message.posted").exists()


def test_the_seller_sees_the_held_message_marked_under_review(order, seller):
    post(seller, order, PAYMENT)
    text = page_text(seller, order)
    assert PAYMENT in text
    assert "Under review" in text


def test_releasing_a_held_message_delivers_it_to_the_buyer(order, buyer, seller, operator):
    flag = MessageFlag.objects.get(message=post(seller, order, PAYMENT))
    message_flag_release(actor=Actor.for_user(operator), flag_id=flag.pk)
    assert bodies(buyer, order) == [PAYMENT]
    assert Notification.objects.filter(user=buyer, kind="message.posted").count() == 1
    assert WARNING in page_text(buyer, order)


def test_blocking_a_held_message_keeps_it_from_the_buyer_and_tells_the_seller(order, buyer, seller, operator):
    flag = MessageFlag.objects.get(message=post(seller, order, PAYMENT))
    message_flag_block(actor=Actor.for_user(operator), flag_id=flag.pk)
    assert bodies(buyer, order) == []
    assert "Not delivered" in page_text(seller, order)


def test_a_review_records_the_timeline_event_for_operators_and_the_audit_entry(order, seller, operator):
    flag = MessageFlag.objects.get(message=post(seller, order, PAYMENT))
    message_flag_block(actor=Actor.for_user(operator), flag_id=flag.pk)
    event = TimelineEvent.objects.get(subject_id=flag.pk, event_type="message_flag.blocked")
    assert (event.audience, event.actor_user_id) == ("internal", operator.pk)
    entry = AuditEntry.objects.get(action="message_flag.blocked")
    assert (entry.object_id, entry.before, entry.after["status"]) == (str(flag.pk), {"status": "held"}, "blocked")


def test_a_repeated_block_changes_nothing(order, seller, operator):
    flag = MessageFlag.objects.get(message=post(seller, order, PAYMENT))
    message_flag_block(actor=Actor.for_user(operator), flag_id=flag.pk)
    message_flag_block(actor=Actor.for_user(operator), flag_id=flag.pk)
    assert TimelineEvent.objects.filter(subject_id=flag.pk, event_type="message_flag.blocked").count() == 1
    assert AuditEntry.objects.filter(action="message_flag.blocked").count() == 1


def test_a_repeated_release_delivers_once(order, buyer, seller, operator):
    flag = MessageFlag.objects.get(message=post(seller, order, PAYMENT))
    message_flag_release(actor=Actor.for_user(operator), flag_id=flag.pk)
    message_flag_release(actor=Actor.for_user(operator), flag_id=flag.pk)
    assert Notification.objects.filter(user=buyer, kind="message.posted").count() == 1


# Warned (contacts, and everything a buyer writes)


def test_a_sellers_contact_is_delivered_with_the_warning_for_the_buyer(order, buyer, seller):
    message = post(seller, order, CONTACT)
    assert MessageFlag.objects.get(message=message).status == "warned"
    text = page_text(buyer, order)
    assert (CONTACT in text, WARNING in text) == (True, True)


def test_the_seller_never_sees_the_warning_nor_the_flag(order, seller):
    post(seller, order, CONTACT)
    text = page_text(seller, order)
    assert (WARNING in text, "Flagged" in text) == (False, False)


def test_the_buyers_own_payment_offer_is_delivered_with_the_warning(order, buyer, seller):
    message = post(buyer, order, "Can I pay you by card transfer directly?")
    assert MessageFlag.objects.get(message=message).status == "warned"
    assert bodies(seller, order) == ["Can I pay you by card transfer directly?"]
    assert WARNING in page_text(buyer, order)


def test_blocking_a_warned_message_takes_it_away_from_the_buyer(order, buyer, seller, operator):
    flag = MessageFlag.objects.get(message=post(seller, order, CONTACT))
    message_flag_block(actor=Actor.for_user(operator), flag_id=flag.pk)
    assert bodies(buyer, order) == []


def test_an_honest_message_with_numbers_is_not_flagged(order, seller):
    post(seller, order, "Shipped 03.12, tracking RA123456789RU, order 482913, 1 500 руб")
    assert MessageFlag.objects.count() == 0


def test_an_empty_message_is_not_flagged(order, seller):
    thread = Thread.objects.create(order=order, buyer=order.buyer, shop=order.shop)
    message = Message.objects.create(thread=thread, author=seller, author_role="seller", body="")
    assert message_flag_screen(message=message, order=order) is None


# Policy and the marketplace's own choice


def test_the_policy_can_hold_contacts_too(order, buyer, seller, system_actor):
    policy_publish(actor=system_actor, changes={"safety_hold_contact": 1})
    message = post(seller, order, CONTACT)
    assert MessageFlag.objects.get(message=message).status == "held"
    assert bodies(buyer, order) == []


def test_a_marketplace_may_warn_instead_of_holding_payment_requests(order, buyer, seller, marketplace):
    MarketplaceSafety.objects.create(marketplace=marketplace, payment_action="warn")
    message = post(seller, order, PAYMENT)
    flag = MessageFlag.objects.get(message=message)
    assert (flag.status, flag.action) == ("warned", "warn")
    assert bodies(buyer, order) == [PAYMENT]


# Who may review


def test_buyers_and_sellers_may_not_review(order, buyer, seller):
    flag = MessageFlag.objects.get(message=post(seller, order, PAYMENT))
    for user in (buyer, seller):
        with pytest.raises(PermissionDenied):
            message_flag_release(actor=Actor.for_user(user), flag_id=flag.pk)


def test_support_of_another_marketplace_cannot_find_the_flag(order, seller, other_operator):
    flag = MessageFlag.objects.get(message=post(seller, order, PAYMENT))
    with pytest.raises(NotFound):
        message_flag_block(actor=Actor.for_user(other_operator), flag_id=flag.pk)
