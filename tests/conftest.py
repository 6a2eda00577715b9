"""Fixtures shared by the whole suite: the clock, actors for each role, network blocking."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from marketdesk.core import clock
from marketdesk.core.actors import Actor
from tests import factories

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)  # a Thursday


@pytest.fixture
def frozen_clock() -> Iterator[clock.FrozenClock]:
    """Freeze the one clock at a known Thursday noon UTC; move it with ``.advance()``."""
    with clock.frozen(NOW) as c:
        yield c


@pytest.fixture
def marketplace(db):
    return factories.MarketplaceFactory(slug="market-default", name="Default Market")


@pytest.fixture
def other_marketplace(db):
    return factories.MarketplaceFactory(slug="market-other", name="Other Market")


@pytest.fixture
def shop(marketplace):
    return factories.ShopFactory(marketplace=marketplace)


@pytest.fixture
def buyer(marketplace):
    return factories.BuyerFactory(marketplace=marketplace)


@pytest.fixture
def other_buyer(marketplace):
    return factories.BuyerFactory(marketplace=marketplace)


@pytest.fixture
def seller(shop):
    return factories.MembershipFactory(shop=shop).user


@pytest.fixture
def operator(marketplace):
    return factories.OperatorFactory(marketplace=marketplace)


@pytest.fixture
def admin_user(marketplace):
    return factories.AdminFactory(marketplace=marketplace)


@pytest.fixture
def system_actor() -> Actor:
    return Actor.system()


@pytest.fixture
def marketplace_actor(marketplace) -> Actor:
    return Actor.marketplace(marketplace_id=marketplace.pk)
