"""Many attempts to record one decision at the same moment: exactly one set of entries, one webhook.

Real threads need real commits and row locks, so this runs on PostgreSQL only
(SQLite serialises whole-database writes and has no ``SELECT … FOR UPDATE``).
"""

from __future__ import annotations

import pytest
from django.db import connection

from marketdesk.core.actors import Actor
from marketdesk.core.money import Money
from marketdesk.ledger.models import LedgerEntry
from marketdesk.ledger.services import EntrySpec, ledger_record_decision
from marketdesk.notifications.models import WebhookDelivery
from tests.workers import at_once

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks across threads need PostgreSQL"),
]

ATTEMPTS = 12


def test_concurrent_attempts_of_one_decision_record_one_set(paid_order, endpoint):
    spec = [EntrySpec("refund", "seller", Money(2500, "GBP"), "item_not_received")]

    def attempt() -> list[int]:
        entries = ledger_record_decision(
            decision_key="case-9:decision", order=paid_order, case_id=9, entries=spec, actor=Actor.system()
        )
        return [e.pk for e in entries]

    results, errors = at_once(attempt, ATTEMPTS)

    entry = LedgerEntry.objects.get()
    assert (errors, results) == ([], [[entry.pk]] * ATTEMPTS)
    assert WebhookDelivery.objects.count() == 1
