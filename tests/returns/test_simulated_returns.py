"""The simulator's returns: a handful in different stages on the demo buyer's orders, through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from marketdesk.core.models import OutboxMessage
from marketdesk.ledger.models import LedgerEntry
from marketdesk.notifications.inbox import EMAIL_TOPIC
from marketdesk.orders.models import Marketplace
from marketdesk.returns.models import Return
from marketdesk.simulator import generator as gen
from marketdesk.simulator.returns import marketplace_returns_simulate

pytestmark = pytest.mark.django_db

EPOCH = dt.datetime(2026, 11, 26, tzinfo=dt.UTC)


def test_simulate_seeds_returns_in_every_stage_once_and_mails_nothing_of_the_past():
    call_command("simulate", "--seed", "1", "--orders", "300", "--now", EPOCH.isoformat(), "--quiet")
    marketplace = Marketplace.objects.get(slug="demo")

    # The abuse cast's returns (simulator/abuse.py, orders MD1-RISK-…) are seeded for the risk signals, not here.
    generated = Return.objects.exclude(order__external_id__contains="-RISK-")
    statuses = sorted(generated.values_list("status", flat=True))
    again = marketplace_returns_simulate(marketplace=marketplace, seed=1, epoch=EPOCH)

    assert statuses == sorted(
        ["replacement_shipped", "refunded", "refused", "received", "shipped", "approved", "requested"]
    )
    assert generated.filter(buyer__external_id=gen.buyer_external_id(1, 0)).count() >= 2
    assert generated.get(status="shipped").return_shipment_id is not None
    assert LedgerEntry.objects.filter(decision_key__startswith="return:").count() == 1
    assert (again, generated.count()) == (0, 7)
    assert not OutboxMessage.objects.filter(topic=EMAIL_TOPIC, delivered_at__isnull=True).exists()
