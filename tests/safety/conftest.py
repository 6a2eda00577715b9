"""Fixtures of the message-safety tests: an order between the default buyer and shop, support elsewhere."""

from __future__ import annotations

import pytest

from marketdesk.orders.states import OrderStatus
from tests import factories

PAYMENT = "переведите мне на карту напрямую, пишите в телеграм"


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def order(marketplace, shop, buyer):
    return factories.OrderFactory(marketplace=marketplace, shop=shop, buyer=buyer, status=OrderStatus.SHIPPED)


@pytest.fixture
def other_operator(other_marketplace):
    return factories.OperatorFactory(marketplace=other_marketplace)
