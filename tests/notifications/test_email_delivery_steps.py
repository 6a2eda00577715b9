"""Email delivery in three steps: claim the message, talk SMTP outside any transaction, record it emailed.

Mail goes to a real SMTP server on 127.0.0.1 (the ``smtp_sink`` fixture, aiosmtpd).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.db import connection, transaction

from marketdesk.core.models import OutboxMessage
from marketdesk.core.outbox import CLAIM_LEASE, RETRY_BACKOFF, outbox_sweep
from marketdesk.notifications import inbox
from marketdesk.notifications.inbox import notifications_digest_send, notify
from marketdesk.notifications.models import EmailMode, Notification, NotificationPreference
from tests import factories
from tests.conftest import NOW
from tests.workers import sweep_at_once, sweep_during_and_after_lease, sweep_dying_after

AT_ONCE = dt.timedelta(0)  # sweep messages however young
DATA = {"author": "Ann", "order": "A-1"}


def message_ids(smtp_sink) -> list[str]:
    return [str(mail.message["Message-ID"]) for mail in smtp_sink.messages]


@pytest.mark.django_db
def test_a_worker_dying_after_the_smtp_send_resends_the_same_message_id_once_its_lease_expires(
    buyer, smtp_sink, frozen_clock, settings
):
    settings.MARKETDESK_BASE_URL = "https://desk.example.test"
    # Given a notification to be mailed, and a worker that dies right after handing the mail to SMTP,
    (note,) = notify(user_ids=[buyer.pk], kind="message.posted", data=DATA)
    sweep_dying_after(inbox, "_send")

    # when the sweep runs while the dead worker's lease lasts, and once it has expired,
    during_lease, after_lease = sweep_during_and_after_lease(frozen_clock)

    # then the mail is sent again with the same Message-ID, the notification is marked emailed once, and
    # its outbox message counts both sends.
    assert (during_lease, after_lease) == (0, 1)
    assert message_ids(smtp_sink) == [f"<marketdesk.notification.{note.pk}@desk.example.test>"] * 2
    note.refresh_from_db()
    assert note.emailed_at == NOW + CLAIM_LEASE
    assert list(OutboxMessage.objects.filter(topic=inbox.EMAIL_TOPIC).values_list("attempts", flat=True)) == [2]


@pytest.mark.django_db
def test_a_failing_smtp_server_delays_the_digest_and_a_later_sweep_sends_it_once(
    buyer, settings, smtp_sink, frozen_clock
):
    # Given two notifications for a daily summary, and an SMTP server that refuses connections,
    NotificationPreference.objects.create(user=buyer, kind="message.posted", in_app=True, email=EmailMode.DIGEST)
    notify(user_ids=[buyer.pk], kind="message.posted", data=DATA)
    notify(user_ids=[buyer.pk], kind="message.posted", data={"author": "Bob", "order": "A-2"})
    notifications_digest_send()
    working = settings.MAILERS
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 1},
        }
    }

    # when the sweep tries while SMTP is down, then again after the back-off with SMTP up,
    while_down = outbox_sweep(older_than=AT_ONCE)
    emailed_while_down = Notification.objects.filter(emailed_at__isnull=False).count()
    settings.MAILERS = working
    frozen_clock.advance(dt.timedelta(seconds=RETRY_BACKOFF[0]))
    after_back_off = outbox_sweep(older_than=AT_ONCE)
    later = outbox_sweep(older_than=AT_ONCE)

    # then nothing was marked emailed while SMTP was down, and one summary of both arrived afterwards.
    assert (while_down, emailed_while_down, after_back_off, later) == (0, 0, 1, 0)
    (mail,) = smtp_sink.wait_for(1)
    assert mail.subject == "Your daily summary from marketdesk"
    assert (mail.body.count("New message from Ann about order A-1"), mail.body.count("from Bob about order A-2")) == (
        1,
        1,
    )
    assert set(Notification.objects.values_list("emailed_at", flat=True)) == {NOW + dt.timedelta(seconds=30)}


MAILS = 20


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two writers at once need PostgreSQL's row locks")
def test_two_workers_sweeping_at_once_mail_each_notification_once(marketplace, smtp_sink, settings):
    settings.MARKETDESK_BASE_URL = "https://desk.example.test"
    # Given many notifications to be mailed,
    people = factories.BuyerFactory.create_batch(MAILS, marketplace=marketplace)
    with transaction.atomic():
        notes = [notify(user_ids=[person.pk], kind="message.posted", data=DATA)[0] for person in people]

    # when two workers, each with its own connection, sweep at the same moment,
    sent = sweep_at_once(workers=2)

    # then the SMTP server got every mail exactly once, and every notification is marked emailed.
    smtp_sink.wait_for(MAILS)
    assert Counter(message_ids(smtp_sink)) == {f"<marketdesk.notification.{n.pk}@desk.example.test>": 1 for n in notes}
    assert (all(isinstance(n, int) for n in sent), sum(sent)) == (True, MAILS), sent
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 0
