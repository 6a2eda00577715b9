"""Many attempts to record one decision at the same moment: exactly one set of entries, one webhook.

Real threads need real commits and row locks, so this runs on PostgreSQL only
(SQLite serialises whole-database writes and has no ``SELECT … FOR UPDATE``).
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from marketdesk.core.actors import Actor
from marketdesk.core.money import Money
from marketdesk.ledger.models import LedgerEntry
from marketdesk.ledger.services import EntrySpec, ledger_record_decision
from marketdesk.notifications.models import WebhookDelivery

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks across threads need PostgreSQL"),
]

ATTEMPTS = 12


def test_concurrent_attempts_of_one_decision_record_one_set(paid_order, endpoint):
    start = threading.Barrier(ATTEMPTS)
    results: list[list[int]] = []
    errors: list[Exception] = []
    spec = [EntrySpec("refund", "seller", Money(2500, "GBP"), "item_not_received")]

    def attempt() -> None:
        try:
            start.wait()
            entries = ledger_record_decision(
                decision_key="case-9:decision", order=paid_order, case_id=9, entries=spec, actor=Actor.system()
            )
            results.append([e.pk for e in entries])
        except Exception as exc:  # noqa: BLE001 - collected and asserted empty below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    entry = LedgerEntry.objects.get()
    assert (errors, results) == ([], [[entry.pk]] * ATTEMPTS)
    assert WebhookDelivery.objects.count() == 1
