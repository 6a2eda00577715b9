"""The e-mail about a simulated past, counted as sent back then (the demo's worker never mails months of history)."""

from __future__ import annotations

import itertools

from django.db.models import F

from marketdesk.core.models import OutboxMessage
from marketdesk.notifications.inbox import EMAIL_TOPIC
from marketdesk.notifications.models import Notification
from marketdesk.orders.models import Marketplace


def past_mail_sent(marketplace: Marketplace, *, after: int) -> None:
    """Count the e-mail about the simulated past as sent back then, so that the demo's worker never mails it now.

    The services wrote each notification and its e-mail into the outbox at the step's moment; the bell keeps
    them (unread), but months of history must not reach the console or an SMTP server when the worker starts.
    """
    notes = Notification.objects.filter(pk__gt=after, user__marketplace=marketplace, emailed_at__isnull=True)
    keys = [f"notification-{pk}" for pk in notes.values_list("pk", flat=True)]
    for chunk in itertools.batched(keys, 500):
        OutboxMessage.objects.filter(topic=EMAIL_TOPIC, dedupe_key__in=chunk, delivered_at__isnull=True).update(
            delivered_at=F("created_at"), attempts=1
        )
    notes.update(emailed_at=F("created_at"))
