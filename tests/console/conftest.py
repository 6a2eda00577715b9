"""Fixtures of the console tests: the case tests' world (an escalated case, its parties, operators), reused."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection

from marketdesk.returns.models import Resolution, Return, ReturnReason, ShippingPayer
from marketdesk.returns.states import ReturnStatus
from tests import factories
from tests.cases.conftest import *  # noqa: F403 - the case fixtures (order, escalated, reviewed, decided, …)
from tests.cases.conftest import (
    NOW,
    client_as,  # noqa: F401 - re-exported for the tests
)

CODES = itertools.count(1)
DUE_FIELD = {
    ReturnStatus.REQUESTED: "seller_due_at",
    ReturnStatus.APPROVED: "ship_by",
    ReturnStatus.RECEIVED: "refund_due_at",
    ReturnStatus.SHIPPED: "ship_by",
    ReturnStatus.REFUNDED: "refund_due_at",
}


def a_return(marketplace, status: str, due: dt.datetime, **order_fields) -> Return:
    """A return of a fresh order in the marketplace, in ``status``, its deadline for that status at ``due``."""
    order = factories.OrderFactory(marketplace=marketplace, **order_fields)
    return Return.objects.create(
        order=order, buyer=order.buyer, shop=order.shop, code=f"RA-{next(CODES):08d}", reason=ReturnReason.DOESNT_FIT,
        resolution=Resolution.REFUND, status=status, shipping_paid_by=ShippingPayer.BUYER, policy_version=1,
        window_closes_at=NOW + 30 * 24 * dt.timedelta(hours=1), **{DUE_FIELD[status]: due},
    )  # fmt: skip


@pytest.fixture
def other_operator(other_marketplace):
    """An operator of another marketplace: sees none of ours."""
    return factories.OperatorFactory(marketplace=other_marketplace)


@pytest.fixture
def second_operator(marketplace):
    return factories.OperatorFactory(marketplace=marketplace, display_name="Olga Second")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgres_only: asserts what only PostgreSQL enforces (a trigger)")


def pytest_runtest_setup(item: pytest.Item) -> None:
    # The suite runs on SQLite and on PostgreSQL (DATABASE_URL); the PostgreSQL run executes these.
    if item.get_closest_marker("postgres_only") is not None and connection.vendor != "postgresql":
        pytest.skip("database trigger exists on PostgreSQL only")
