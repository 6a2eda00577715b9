"""Fixtures of the API tests: keys, authenticated clients, and a valid order payload."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.test import Client

from marketdesk.accounts.models import ApiKey
from marketdesk.accounts.services import api_key_create, api_key_revoke
from marketdesk.core.actors import Actor
from marketdesk.core.models import TimelineEvent
from marketdesk.orders.models import Order, OrderLine, Payment
from tests.api.helpers import ORDER_PAYLOAD


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Factories set a password for every person; the production hasher makes that seconds each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def payload() -> dict[str, Any]:
    """A valid order body for ``PUT /api/v1/orders/{external_id}`` (a fresh copy per test)."""
    return copy.deepcopy(ORDER_PAYLOAD)


def _key(marketplace: Any) -> tuple[ApiKey, str]:
    return api_key_create(actor=Actor.system(), marketplace=marketplace, name="Integration")


@pytest.fixture
def api_key(marketplace) -> tuple[ApiKey, str]:
    return _key(marketplace)


@pytest.fixture
def other_api_key(other_marketplace) -> tuple[ApiKey, str]:
    return _key(other_marketplace)


@pytest.fixture
def revoked_api_key(marketplace) -> tuple[ApiKey, str]:
    key, raw = _key(marketplace)
    api_key_revoke(actor=Actor.system(), key_id=key.pk)
    return key, raw


@pytest.fixture
def key_client(api_key) -> Client:
    """A client that sends the default marketplace's key."""
    return Client(headers={"Authorization": f"Bearer {api_key[1]}"})


@pytest.fixture
def other_key_client(other_api_key) -> Client:
    """A client that sends the other marketplace's key."""
    return Client(headers={"Authorization": f"Bearer {other_api_key[1]}"})


@pytest.fixture
def anonymous_client() -> Client:
    return Client()


@pytest.fixture
def row_counts():
    """Return a callable giving the counts of every table an upsert writes."""

    def counts() -> dict[str, int]:
        return {
            "orders": Order.objects.count(),
            "lines": OrderLine.objects.count(),
            "payments": Payment.objects.count(),
            "events": TimelineEvent.objects.count(),
        }

    return counts
