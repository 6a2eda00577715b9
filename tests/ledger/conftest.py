"""Fixtures of the ledger tests: a paid order and a webhook endpoint of its marketplace."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client

from marketdesk.accounts.services import api_key_create
from marketdesk.core.actors import Actor
from marketdesk.notifications.models import WebhookEndpoint
from tests import factories
from tests.notifications.receiver import Receiver, receiver_running


@pytest.fixture
def paid_order(marketplace, shop, buyer):
    """An order of 25.00 GBP, captured in full."""
    order = factories.OrderFactory(marketplace=marketplace, shop=shop, buyer=buyer, total_minor=2500)
    factories.PaymentFactory(order=order, amount_minor=2500, currency="GBP")
    return order


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiver_running() as running:
        yield running


@pytest.fixture
def endpoint(marketplace):
    return WebhookEndpoint.objects.create(
        marketplace=marketplace, url="http://127.0.0.1:9/hooks", secret="whsec_" + "A" * 32
    )


@pytest.fixture
def key_client(marketplace) -> Client:
    """A client that sends the default marketplace's key."""
    _key, raw = api_key_create(actor=Actor.system(), marketplace=marketplace, name="Integration")
    return Client(headers={"Authorization": f"Bearer {raw}"})


@pytest.fixture
def other_key_client(other_marketplace) -> Client:
    """A client that sends another marketplace's key."""
    _key, raw = api_key_create(actor=Actor.system(), marketplace=other_marketplace, name="Integration")
    return Client(headers={"Authorization": f"Bearer {raw}"})


@pytest.fixture
def anonymous_client() -> Client:
    return Client()
