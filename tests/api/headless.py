"""Fixtures of the headless-mode tests (a pytest plugin, see tests/conftest.py): the marketplace's backend
calling with its key for the parties it names, and hearing webhooks on a real receiver on 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from standardwebhooks import Webhook

from marketdesk.accounts.services import api_key_create
from marketdesk.core.actors import Actor
from marketdesk.core.outbox import outbox_sweep
from marketdesk.notifications.models import WebhookEndpoint
from marketdesk.notifications.webhooks import webhook_secret_generate
from tests import factories
from tests.api.helpers import session_client
from tests.notifications.conftest import receiver  # noqa: F401 - the fixture, shared with the webhook tests
from tests.notifications.receiver import Receiver

SELLER_ID = "M-1"
OTHER_SELLER_ID = "M-2"

#: Who calls a party action, as a function of the side that acts (buyer or seller): the client and the body's name.
Callers = dict[str, Callable[[str], tuple[Client, dict[str, str]]]]


def key_client_of(marketplace: Any) -> Client:
    """A client that sends a new key of ``marketplace``."""
    _key, raw = api_key_create(actor=Actor.system(), marketplace=marketplace, name="Storefront")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def post_json(client: Client, url: str, body: dict[str, Any], **extra: Any):
    return client.post(url, body, content_type="application/json", **extra)


@pytest.fixture
def storefront(marketplace) -> Client:
    """The marketplace's backend, calling with its key."""
    return key_client_of(marketplace)


@pytest.fixture
def named_seller(seller):
    """The shop's member, known to the marketplace as ``SELLER_ID``."""
    seller.external_id = SELLER_ID
    seller.save(update_fields=["external_id"])
    return seller


@pytest.fixture
def other_shop_member(marketplace):
    """A member of another shop of the same marketplace, known as ``OTHER_SELLER_ID``."""
    member = factories.MembershipFactory(shop=factories.ShopFactory(marketplace=marketplace)).user
    member.external_id = OTHER_SELLER_ID
    member.save(update_fields=["external_id"])
    return member


@pytest.fixture
def party_callers(buyer, other_buyer, named_seller, other_shop_member, storefront, other_marketplace) -> Callers:
    """Each caller of the role × route tables; the object acted on is ``buyer``'s at ``named_seller``'s shop."""
    own = {"buyer": buyer.external_id, "seller": SELLER_ID}
    others = {"buyer": other_buyer.external_id, "seller": OTHER_SELLER_ID}
    people = {"buyer": buyer, "seller": named_seller}
    other_key = key_client_of(other_marketplace)
    return {
        "the key for the party": lambda side: (storefront, {side: own[side]}),
        "the key for another buyer or shop member": lambda side: (storefront, {side: others[side]}),
        "another marketplace's key": lambda side: (other_key, {side: own[side]}),
        "the party signed in": lambda side: (session_client(people[side]), {side: own[side]}),
        "no key": lambda side: (Client(), {side: own[side]}),
    }


#: Another marketplace's object, and another buyer's or shop's, is a 404 whatever exists; people use the pages.
REFUSED_CALLERS = [
    ("the key for another buyer or shop member", 404),
    ("another marketplace's key", 404),
    ("the party signed in", 403),
    ("no key", 401),
]


class MarketplaceBackend:
    """What the marketplace's backend does and hears: calls with its key, webhooks verified as they arrive."""

    def __init__(self, client: Client, listener: Receiver, endpoint: WebhookEndpoint) -> None:
        self.client, self.receiver, self.endpoint = client, listener, endpoint
        self.heard = 0

    def post(self, url: str, body: dict[str, Any], status: int = 200) -> dict[str, Any]:
        response = post_json(self.client, f"/api/v1{url}", body)
        assert response.status_code == status, response.content
        return response.json()

    def hears(self) -> list[tuple[str, dict[str, Any]]]:
        """Run the outbox as the worker does, until it is idle; return the new events, each verified against the secret."""
        # A step's fan-out (cases.fanout) queues the webhook it carries: the worker delivers that one next.
        while outbox_sweep(older_than=dt.timedelta(0)):
            pass
        new = self.receiver.received[self.heard :]
        self.heard = len(self.receiver.received)
        verified = [Webhook(self.endpoint.secret).verify(r.body, r.headers) for r in new]
        return [(event["type"], event["data"]) for event in verified]


@pytest.fixture
def backend(marketplace, storefront, receiver) -> MarketplaceBackend:  # noqa: F811 - the imported fixture
    """The marketplace's backend with a webhook endpoint on a real receiver."""
    endpoint = WebhookEndpoint.objects.create(
        marketplace=marketplace, url=receiver.url, secret=webhook_secret_generate()
    )
    return MarketplaceBackend(storefront, receiver, endpoint)
