"""Fixtures of the webhook tests: a real HTTP receiver on 127.0.0.1, an endpoint, API clients."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client

from marketdesk.accounts.services import api_key_create
from marketdesk.core.actors import Actor
from marketdesk.notifications.models import WebhookEndpoint
from marketdesk.notifications.webhooks import webhook_secret_generate
from tests.notifications.receiver import Receiver, receiver_running


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiver_running() as running:
        yield running


@pytest.fixture
def endpoint(marketplace, receiver) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(marketplace=marketplace, url=receiver.url, secret=webhook_secret_generate())


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
