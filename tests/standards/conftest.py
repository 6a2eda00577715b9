"""A simulated seller's 90 days, written in bulk: orders, cases, decisions, shipments, scans and first contacts.

Each builder writes exactly the rows a hand-computed fixture names, so a test reads
"given 1,000 orders of which 20 have a case" and the expected rate is plain arithmetic.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.test import Client

from marketdesk.accounts.models import User
from marketdesk.cases.models import Case, CaseType, Decision, DecisionOutcome, Payer, SellerContact
from marketdesk.cases.states import CaseStatus
from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.orders.models import Order, Shop
from marketdesk.orders.states import OrderStatus
from marketdesk.shipping.models import Carrier, Shipment, TrackingEvent
from marketdesk.shipping.states import TrackingStatus
from tests import factories

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)  # a Thursday
DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)
_serial = itertools.count(1)


@pytest.fixture
def at_now():
    with clock.frozen(NOW) as frozen:
        yield frozen


@pytest.fixture
def seller_buyer(marketplace) -> User:
    return factories.BuyerFactory(marketplace=marketplace)


@pytest.fixture
def carrier(db) -> Carrier:
    return Carrier.objects.create(code=f"std-carrier-{next(_serial)}", name="Standards Post")


def orders_for(
    shop: Shop,
    buyer: User,
    count: int,
    *,
    placed_at: dt.datetime = NOW - 10 * DAY,
    status: str = OrderStatus.DELIVERED,
) -> list[Order]:
    """Write ``count`` orders of ``shop`` placed at ``placed_at`` (bulk; no lines, none needed here)."""
    serial = next(_serial)
    rows = [
        Order(
            marketplace_id=shop.marketplace_id,
            external_id=f"STD-{serial}-{i:05d}",
            buyer=buyer,
            shop=shop,
            status=status,
            currency="GBP",
            total_minor=2500,
            placed_at=placed_at,
            content_hash="standards",
        )
        for i in range(count)
    ]
    Order.objects.bulk_create(rows)
    return list(Order.objects.filter(external_id__startswith=f"STD-{serial}-").order_by("pk"))


def cases_on(orders: list[Order], *, status: str = CaseStatus.AWAITING_SELLER) -> list[Case]:
    """Write one case on each order (bulk: status set directly, as a fixture of history)."""
    Case.objects.bulk_create(
        [
            Case(
                order=o,
                buyer_id=o.buyer_id,
                shop_id=o.shop_id,
                marketplace_id=o.marketplace_id,
                case_type=CaseType.ITEM_NOT_RECEIVED,
                description="It never came.",
                status=status,
                opened_at=NOW - 5 * DAY,
                seller_due_at=NOW,
                policy_version=0,
            )
            for o in orders
        ]
    )
    return list(Case.objects.filter(order__in=orders).order_by("pk"))


def decisions_on(
    cases: list[Case],
    operator: User,
    *,
    outcome: str = DecisionOutcome.BUYER_FULL_REFUND,
    payer: str = Payer.SELLER,
    is_appeal: bool = False,
) -> None:
    Decision.objects.bulk_create(
        [
            Decision(
                case=c,
                is_appeal=is_appeal,
                outcome=outcome,
                payer=payer,
                amount_minor=2500,
                currency="GBP",
                reason_code="not_received_no_proof",
                rationale="No proof.",
                policy_version=0,
                decided_by=operator,
                decided_at=NOW - 2 * DAY,
            )
            for c in cases
        ]
    )


def shipments_for(
    orders: list[Order],
    carrier: Carrier,
    *,
    ship_by: dt.datetime | None,
    handed_over_at: dt.datetime | None,
    created_at: dt.datetime = NOW - 9 * DAY,
    scanned: bool = True,
) -> list[Shipment]:
    """One shipment per order; ``scanned`` adds one in-transit carrier scan to each."""
    serial = next(_serial)
    Shipment.objects.bulk_create(
        [
            Shipment(
                marketplace_id=o.marketplace_id,
                order=o,
                external_id=f"SH-{serial}-{i}",
                carrier=carrier,
                tracking_number=f"TN{serial}X{i}",
                ship_by=ship_by,
                handed_over_at=handed_over_at,
                created_at=created_at,
            )
            for i, o in enumerate(orders)
        ]
    )
    shipments = list(Shipment.objects.filter(external_id__startswith=f"SH-{serial}-").order_by("pk"))
    if scanned:
        TrackingEvent.objects.bulk_create(
            [
                TrackingEvent(
                    marketplace_id=s.marketplace_id,
                    carrier=carrier,
                    shipment=s,
                    tracking_number=s.tracking_number,
                    carrier_event_id=f"EV-{s.pk}",
                    event_at=created_at + HOUR,
                    raw={"status": "IT"},
                    raw_status="IT",
                    status=TrackingStatus.IN_TRANSIT,
                )
                for s in shipments
            ]
        )
    return shipments


def contacts_for(orders: list[Order], *, contacted_at: dt.datetime, replied_after: dt.timedelta | None) -> None:
    SellerContact.objects.bulk_create(
        [
            SellerContact(
                order=o,
                buyer_id=o.buyer_id,
                contacted_at=contacted_at,
                seller_replied_at=None if replied_after is None else contacted_at + replied_after,
            )
            for o in orders
        ]
    )


@pytest.fixture
def enforcer(marketplace) -> User:
    """An operator holding the enforcement permission."""
    from django.contrib.auth.models import Permission

    user = factories.OperatorFactory(marketplace=marketplace, display_name="Erin Enforcer")
    user.user_permissions.add(Permission.objects.get(codename="apply_enforcement"))
    return User.objects.get(pk=user.pk)  # a fresh instance: the permission cache is per instance


@pytest.fixture
def second_enforcer(marketplace) -> User:
    from django.contrib.auth.models import Permission

    user = factories.OperatorFactory(marketplace=marketplace, display_name="Sam Second")
    user.user_permissions.add(Permission.objects.get(codename="apply_enforcement"))
    return User.objects.get(pk=user.pk)


def actor(user: User) -> Actor:
    return Actor.for_user(user)


def client_as(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client
