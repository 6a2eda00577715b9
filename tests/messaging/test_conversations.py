"""Conversations: posting, system lines, read receipts, unread counts, who owes a reply, quick replies, and access."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from marketdesk.cases.models import CaseType, SellerContact
from marketdesk.cases.services.offers import case_escalate
from marketdesk.cases.services.opening import case_open
from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.core.errors import DomainValidationError, NotFound, PermissionDenied
from marketdesk.messaging.models import Message, MessageKind, Owes, QuickReply, Thread
from marketdesk.messaging.selectors import inbox_for_actor, thread_page, unread_total
from marketdesk.messaging.services import message_post, order_message_post, quick_reply_save, thread_read
from marketdesk.orders.states import OrderStatus
from tests import factories
from tests.cases.conftest import client_as
from tests.workers import fan_out

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 24, 14, 2, tzinfo=dt.UTC)  # a Tuesday


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def at_now():
    with clock.frozen(NOW) as frozen:
        yield frozen


@pytest.fixture
def order(marketplace, shop, buyer):
    return factories.OrderFactory(
        marketplace=marketplace,
        shop=shop,
        buyer=buyer,
        status=OrderStatus.SHIPPED,
        estimated_delivery_at=NOW - dt.timedelta(days=3),
    )


@pytest.fixture
def other_seller(marketplace):
    return factories.MembershipFactory(shop=factories.ShopFactory(marketplace=marketplace)).user


def post(user, order, body, token=""):
    return order_message_post(actor=Actor.for_user(user), order=order, body=body, client_token=token)


def conversation_url(order, name="conversation"):
    return reverse(f"messaging:{name}", args=[order.pk])


# Posting


def test_the_buyers_first_message_is_the_contact_and_puts_the_seller_in_debt(order, buyer, at_now):
    message = post(buyer, order, "Where is my parcel?")
    thread = Thread.objects.get(order=order)
    assert (message.author_role, message.body) == ("buyer", "Where is my parcel?")
    assert (thread.reply_owed_by, thread.reply_owed_since) == (Owes.SELLER, NOW)
    assert SellerContact.objects.get(order=order).contacted_at == NOW


def test_the_sellers_reply_clears_the_debt_and_is_noted_as_the_first_reply(order, buyer, seller, at_now):
    post(buyer, order, "Where is my parcel?")
    at_now.advance(dt.timedelta(hours=2))
    post(seller, order, "Shipped yesterday, tracking RM123.")
    thread = Thread.objects.get(order=order)
    assert (thread.reply_owed_by, thread.reply_owed_since) == (Owes.NOBODY, None)
    assert SellerContact.objects.get(order=order).seller_replied_at == NOW + dt.timedelta(hours=2)


def test_a_second_buyer_message_keeps_the_first_unanswered_moment(order, buyer, at_now):
    post(buyer, order, "Hello?")
    at_now.advance(dt.timedelta(hours=5))
    post(buyer, order, "Hello??")
    assert Thread.objects.get(order=order).reply_owed_since == NOW


def test_a_double_submit_posts_once(order, buyer, at_now):
    first = post(buyer, order, "Where is it?", token="tok-1")
    again = post(buyer, order, "Where is it?", token="tok-1")
    assert first.pk == again.pk
    assert Message.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [("", "Write a message."), ("   \n ", "Write a message."), ("x" * 100_000, "at most 20,000 characters")],
)
def test_bad_messages_are_refused_and_nothing_is_stored(order, buyer, body, message):
    with pytest.raises(DomainValidationError, match=message):
        post(buyer, order, body)
    assert not Message.objects.exists()
    assert not Thread.objects.exists()


def test_another_buyer_or_seller_cannot_post(order, other_buyer, other_seller):
    for stranger in (other_buyer, other_seller):
        with pytest.raises(NotFound):
            post(stranger, order, "hi")
    assert not Message.objects.exists()


def test_support_writes_only_once_a_case_brought_it_in(order, buyer, operator, at_now):
    with pytest.raises(PermissionDenied, match="Support joins this conversation"):
        message_post(actor=Actor.for_user(operator), order=order, body="Hello from support")
    post(buyer, order, "It never came.")
    at_now.advance(dt.timedelta(days=3))
    case = case_open(actor=Actor.for_user(buyer), order=order, case_type=CaseType.ITEM_NOT_RECEIVED, description="Lost")
    fan_out()  # the worker tells of the opening moments later, long before the escalation
    at_now.advance(dt.timedelta(days=7))
    case_escalate(actor=Actor.for_user(buyer), case=case)
    message = message_post(actor=Actor.for_user(operator), order=order, body="We are looking into it.")
    assert message.author_role == "operator"
    events = list(Message.objects.filter(kind=MessageKind.SYSTEM).values_list("event", flat=True))
    assert events == ["case.opened", "case.escalated"]


def test_system_messages_read_in_the_readers_language(order, buyer, at_now):
    post(buyer, order, "It never came.")
    at_now.advance(dt.timedelta(days=3))
    case_open(actor=Actor.for_user(buyer), order=order, case_type=CaseType.ITEM_NOT_RECEIVED, description="Lost")
    fan_out()
    buyer.language = "ru"
    buyer.save(update_fields=["language"])
    page = client_as(buyer).get(conversation_url(order)).content.decode()
    assert f"Покупатель открыл спор {Thread.objects.get().order.cases.get().pk}: товар не получен." in page


# Reading


def test_read_receipt_and_unread_counts(order, buyer, seller, at_now):
    post(buyer, order, "One")
    post(buyer, order, "Two")
    seller_actor = Actor.for_user(seller)
    assert unread_total(seller_actor) == 2
    assert unread_total(Actor.for_user(buyer)) == 0
    thread = Thread.objects.get(order=order)
    assert thread_page(Actor.for_user(buyer), thread).other_read_up_to == 0
    thread_read(actor=seller_actor, thread_id=thread.pk)
    assert unread_total(seller_actor) == 0
    assert thread_page(Actor.for_user(buyer), thread).other_read_up_to == Message.objects.order_by("-id").first().pk


def test_seller_inbox_puts_the_longest_owed_first(marketplace, shop, seller, at_now):
    orders = [factories.OrderFactory(marketplace=marketplace, shop=shop) for _ in range(3)]
    post(orders[0].buyer, orders[0], "first, answered")
    post(seller, orders[0], "answer")
    at_now.advance(dt.timedelta(hours=1))
    post(orders[1].buyer, orders[1], "waiting longest")
    at_now.advance(dt.timedelta(hours=1))
    post(orders[2].buyer, orders[2], "waiting shorter")
    inbox = [thread.order_id for thread in inbox_for_actor(Actor.for_user(seller))]
    assert inbox == [orders[1].pk, orders[2].pk, orders[0].pk]
    owed = [thread.order_id for thread in inbox_for_actor(Actor.for_user(seller), owed_only=True)]
    assert owed == [orders[1].pk, orders[2].pk]


# Pages


def test_conversation_page_by_role(order, buyer, other_buyer, seller, other_seller, operator, at_now):
    post(buyer, order, "Where is my parcel? https://tracking.example.com/RM123 <script>alert(1)</script>")
    assert client_as(buyer).get(conversation_url(order)).status_code == 200
    page = client_as(seller).get(conversation_url(order)).content.decode()
    assert 'href="https://tracking.example.com/RM123"' in page
    assert 'rel="nofollow noopener noreferrer ugc"' in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    for stranger in (other_buyer, other_seller, operator):
        assert client_as(stranger).get(conversation_url(order)).status_code == 404
        assert client_as(stranger).post(conversation_url(order, "conversation_post"), {"body": "x"}).status_code == 404
    assert Message.objects.count() == 1


def test_posting_through_the_page_and_a_too_long_message(order, buyer, at_now):
    client = client_as(buyer)
    response = client.post(conversation_url(order, "conversation_post"), {"body": "Hello", "client_token": "a1"})
    assert response.status_code == 302
    client.post(conversation_url(order, "conversation_post"), {"body": "Hello", "client_token": "a1"})
    assert Message.objects.count() == 1
    long = client.post(conversation_url(order, "conversation_post"), {"body": "x" * 100_000})
    assert long.status_code == 422
    assert "at most 20,000 characters" in long.content.decode()
    assert Message.objects.count() == 1


def test_seen_receipt_shows_after_the_seller_read(order, buyer, seller, at_now):
    post(buyer, order, "Hello")
    assert "Seen" not in client_as(buyer).get(conversation_url(order)).content.decode()
    assert client_as(seller).post(conversation_url(order, "conversation_read")).status_code == 204
    assert "Seen" in client_as(buyer).get(conversation_url(order)).content.decode()


def test_seller_sees_since_when_a_reply_is_owed_in_business_time(order, buyer, seller, at_now):
    post(buyer, order, "Hello")
    at_now.advance(
        dt.timedelta(hours=26)
    )  # Tue 14:02 → Wed 16:02: 3 h 58 min on Tue + 7 h 2 min on Wed (London, 9–18) = 11 h
    page = client_as(seller).get(reverse("messaging:inbox")).content.decode()
    assert "Reply owed by the seller since Tue 24 Nov, 14:02" in page
    assert "(1 business day 2 h)" in page


def test_quick_replies_are_the_sellers_own(order, seller, other_seller, shop):
    reply = quick_reply_save(
        actor=Actor.for_user(seller), shop_id=shop.pk, title="Tracking", body="Here is your tracking."
    )
    url = reverse("messaging:quick_reply_use", args=[reply.pk])
    response = client_as(seller).post(url)
    assert response.content.decode() == "Here is your tracking."
    assert client_as(other_seller).post(url).status_code == 404
    assert QuickReply.objects.get().usage_count == 1
    with pytest.raises(NotFound):
        quick_reply_save(actor=Actor.for_user(other_seller), shop_id=shop.pk, title="x", body="y")


def test_inbox_is_for_buyers_and_sellers(order, buyer, seller, operator, at_now):
    post(buyer, order, "Hello")
    assert order.external_id in client_as(buyer).get(reverse("messaging:inbox")).content.decode()
    assert order.external_id in client_as(seller).get(reverse("messaging:inbox")).content.decode()
    assert client_as(operator).get(reverse("messaging:inbox")).status_code == 403
