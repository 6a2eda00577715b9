"""In-app and email notifications: who is told, in which language, through a real SMTP server, never twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.urls import reverse

from marketdesk.cases.models import CaseType
from marketdesk.cases.services.opening import case_open
from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.core.models import OutboxMessage
from marketdesk.core.outbox import outbox_sweep
from marketdesk.messaging.models import Thread
from marketdesk.messaging.selectors import unread_total
from marketdesk.messaging.services import order_message_post, thread_read
from marketdesk.notifications.inbox import EMAIL_TOPIC, notifications_digest_send, notify
from marketdesk.notifications.models import EmailMode, Notification, NotificationPreference
from marketdesk.orders.states import OrderStatus
from tests import factories
from tests.cases.conftest import client_as
from tests.workers import fan_out

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 24, 14, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def order(marketplace, shop, buyer):
    return factories.OrderFactory(
        marketplace=marketplace,
        shop=shop,
        buyer=buyer,
        status=OrderStatus.SHIPPED,
        estimated_delivery_at=NOW - dt.timedelta(days=3),
    )


def deliver() -> int:
    return outbox_sweep(older_than=dt.timedelta(0))


def test_a_buyers_message_tells_the_seller_in_the_app_and_by_email_with_the_text(order, buyer, seller, smtp_sink):
    with clock.frozen(NOW):
        order_message_post(actor=Actor.for_user(buyer), order=order, body="Where is my parcel?")
    (note,) = Notification.objects.filter(user=seller)
    assert note.kind == "message.posted"
    assert not Notification.objects.filter(user=buyer).exists()
    assert deliver() == 1
    (mail,) = smtp_sink.wait_for(1)
    assert mail.rcpt_tos == [seller.email]
    assert mail.subject == f"New message from {buyer.name} about order {order.external_id}"
    assert "Where is my parcel?" in mail.body
    assert f"/messages/{order.pk}/" in mail.body
    html = mail.message.get_body(preferencelist=("html",)).get_content()
    assert "Where is my parcel?" in html


def test_the_email_is_in_the_recipients_language(order, buyer, seller, smtp_sink):
    buyer.language = "ru"
    buyer.save(update_fields=["language"])
    with clock.frozen(NOW):
        order_message_post(actor=Actor.for_user(seller), order=order, body="Отправили вчера.")
    deliver()
    (mail,) = smtp_sink.wait_for(1)
    assert mail.rcpt_tos == [buyer.email]
    assert mail.subject == f"Новое сообщение от {seller.name} о заказе {order.external_id}"
    assert f"Здравствуйте, {buyer.name}" in mail.body


def test_case_steps_tell_the_other_party_never_the_actor(order, buyer, seller):
    with clock.frozen(NOW):
        order_message_post(actor=Actor.for_user(buyer), order=order, body="Nothing came.")
    Notification.objects.all().delete()
    with clock.frozen(NOW + dt.timedelta(days=3)):
        case = case_open(
            actor=Actor.for_user(buyer), order=order, case_type=CaseType.ITEM_NOT_RECEIVED, description="x"
        )
        fan_out()
    (note,) = Notification.objects.all()
    assert (note.user_id, note.kind, note.url) == (
        seller.pk,
        "case.opened",
        reverse("cases:case_detail", args=[case.pk]),
    )
    assert note.message_body == ""


def test_a_rolled_back_change_tells_nobody(order, buyer, seller):
    def post_then_fail() -> None:
        with transaction.atomic():
            order_message_post(actor=Actor.for_user(buyer), order=order, body="Hello")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        post_then_fail()
    assert not Notification.objects.exists()
    assert not OutboxMessage.objects.filter(topic=EMAIL_TOPIC).exists()


def test_a_failing_smtp_server_delays_the_email_and_a_retry_sends_it_once(order, buyer, seller, settings, smtp_sink):
    working = settings.MAILERS
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 1},
        }
    }
    with clock.frozen(NOW) as frozen:
        order_message_post(actor=Actor.for_user(buyer), order=order, body="Hello")
        assert deliver() == 0
        message = OutboxMessage.objects.get(topic=EMAIL_TOPIC)
        assert message.attempts == 1
        assert message.delivered_at is None
        settings.MAILERS = working
        frozen.advance(dt.timedelta(minutes=5))
        assert deliver() == 1
        assert deliver() == 0
    assert len(smtp_sink.wait_for(1)) == 1
    assert Notification.objects.get().emailed_at is not None


def test_preferences_turn_email_off_or_into_a_daily_digest(order, buyer, seller, smtp_sink):
    NotificationPreference.objects.create(user=seller, kind="message.posted", in_app=True, email=EmailMode.DIGEST)
    with clock.frozen(NOW):
        order_message_post(actor=Actor.for_user(buyer), order=order, body="One")
        order_message_post(actor=Actor.for_user(buyer), order=order, body="Two")
    assert not OutboxMessage.objects.filter(topic=EMAIL_TOPIC).exists()
    with clock.frozen(NOW + dt.timedelta(hours=20)):
        assert notifications_digest_send() == 1
        assert (
            notifications_digest_send() == 0 or OutboxMessage.objects.filter(topic="notification.digest").count() == 1
        )
        deliver()
    (mail,) = smtp_sink.wait_for(1)
    assert mail.subject == "Your daily summary from marketdesk"
    assert mail.body.count(f"New message from {buyer.name}") == 2
    assert "One" not in mail.body  # a digest lists what happened, never message texts


def test_in_app_off_keeps_the_bell_quiet(order, buyer, seller):
    NotificationPreference.objects.create(user=seller, kind="message.posted", in_app=False, email=EmailMode.OFF)
    with clock.frozen(NOW):
        order_message_post(actor=Actor.for_user(buyer), order=order, body="Hello")
    assert not Notification.objects.exists()


def test_bell_list_and_open_are_the_users_own(order, buyer, seller, other_buyer):
    with clock.frozen(NOW):
        order_message_post(actor=Actor.for_user(seller), order=order, body="Shipped")
    note = Notification.objects.get(user=buyer)
    page = client_as(buyer).get(reverse("notifications:list")).content.decode()
    assert f"New message from {seller.name}" in page
    assert 'class="count-badge bell__count">1<' in page
    assert client_as(other_buyer).post(reverse("notifications:open", args=[note.pk])).status_code == 404
    opened = client_as(buyer).post(reverse("notifications:open", args=[note.pk]))
    assert opened["Location"] == reverse("messaging:conversation", args=[order.pk])
    assert Notification.objects.get().read_at is not None
    assert client_as(None).get(reverse("notifications:list")).status_code == 302


def test_preferences_page_saves_choices(buyer):
    client = client_as(buyer)
    response = client.post(
        reverse("notifications:preferences"), {"email:message.posted": "digest", "in_app:message.posted": "on"}
    )
    assert response.status_code == 302
    pref = NotificationPreference.objects.get(user=buyer, kind="message.posted")
    assert (pref.in_app, pref.email) == (True, "digest")
    assert NotificationPreference.objects.get(user=buyer, kind="case.decided").in_app is False


def test_an_unknown_kind_is_a_programming_error(buyer):
    with pytest.raises(ValueError, match="unknown notification kind"):
        notify(user_ids=[buyer.pk], kind="nope", data={})


def test_mark_all_as_read_shows_with_unread_notifications_and_no_unread_messages(order, buyer, seller):
    # given the seller has one unread notification (a case was opened) and no unread message
    with clock.frozen(NOW):
        order_message_post(actor=Actor.for_user(buyer), order=order, body="Nothing came.")
    Notification.objects.all().delete()
    with clock.frozen(NOW + dt.timedelta(days=3)):
        case_open(actor=Actor.for_user(buyer), order=order, case_type=CaseType.ITEM_NOT_RECEIVED, description="x")
        fan_out()
        thread_read(actor=Actor.for_user(seller), thread_id=Thread.objects.get(order=order).pk)
    assert Notification.objects.filter(user=seller, read_at=None).count() == 1
    assert unread_total(Actor.for_user(seller)) == 0

    # when the seller opens the notifications page
    page = client_as(seller).get(reverse("notifications:list")).content.decode()

    # then the button to mark them all as read is there
    assert "Mark all as read" in page
