"""Fixtures of the ledger tests: a paid order and a webhook endpoint of its marketplace."""

from __future__ import annotations

import pytest

from marketdesk.notifications.models import WebhookEndpoint
from tests import factories


@pytest.fixture
def paid_order(marketplace, shop, buyer):
    """An order of 25.00 GBP, captured in full."""
    order = factories.OrderFactory(marketplace=marketplace, shop=shop, buyer=buyer, total_minor=2500)
    factories.PaymentFactory(order=order, amount_minor=2500, currency="GBP")
    return order


@pytest.fixture
def endpoint(marketplace):
    return WebhookEndpoint.objects.create(
        marketplace=marketplace, url="http://127.0.0.1:9/hooks", secret="whsec_" + "A" * 32
    )
