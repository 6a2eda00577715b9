"""The risk tests' world: abusive buyers, a scam seller and an honest majority."""

from __future__ import annotations

import datetime as dt

import pytest

from marketdesk.cases.models import Case, CaseType
from marketdesk.core import clock
from marketdesk.orders.models import OrderLine
from marketdesk.returns.models import Condition, Return, ReturnLine
from marketdesk.shipping.models import Carrier, Shipment, TrackingEvent
from marketdesk.shipping.states import TrackingStatus
from tests import factories


def _order(buyer, shop, *, delivered_hours_ago=None, sku="SKU-1"):
    now = clock.now()
    order = factories.OrderFactory(
        buyer=buyer,
        shop=shop,
        marketplace=shop.marketplace,
        placed_at=now - dt.timedelta(days=10),
        delivered_at=None if delivered_hours_ago is None else now - dt.timedelta(hours=delivered_hours_ago),
        lines=[],
    )
    OrderLine.objects.create(
        order=order, external_id="L1", sku=sku, title="Lamp", quantity=1, unit_price_minor=2500, total_minor=2500
    )
    return order


def _case(order, case_type=CaseType.NOT_AS_DESCRIBED):
    return Case.objects.create(
        order=order,
        line=order.lines.get(),
        buyer=order.buyer,
        shop=order.shop,
        marketplace_id=order.marketplace_id,
        case_type=case_type,
        description="Something is wrong.",
        seller_due_at=clock.now() + dt.timedelta(days=3),
        policy_version=0,
        opened_at=clock.now(),
    )


def _delivered_with(order, proof, carrier):
    shipment = Shipment.objects.create(
        marketplace=order.marketplace,
        order=order,
        external_id=f"SH-{order.pk}",
        carrier=carrier,
        tracking_number=f"TN{order.pk}",
    )
    TrackingEvent.objects.create(
        marketplace=order.marketplace,
        carrier=carrier,
        shipment=shipment,
        tracking_number=shipment.tracking_number,
        carrier_event_id=f"E{order.pk}",
        event_at=clock.now() - dt.timedelta(days=1),
        raw={"proof": proof},
        raw_status="DLV",
        status=TrackingStatus.DELIVERED,
    )


def _return(order, *, days_before_close, condition=Condition.AS_NEW):
    now = clock.now()
    ret = Return.objects.create(
        order=order,
        buyer=order.buyer,
        shop=order.shop,
        code=f"R{order.pk}",
        reason="changed_mind",
        resolution="refund",
        shipping_paid_by="buyer",
        policy_version=0,
        window_closes_at=now + dt.timedelta(days=days_before_close),
        requested_at=now,
    )
    ReturnLine.objects.create(
        ret=ret, order_line=order.lines.get(), quantity=1, accepted_quantity=1, condition=condition, inspected_at=now
    )
    return ret


@pytest.fixture
def world(frozen_clock, marketplace):
    carrier = Carrier.objects.create(code="parcelco", name="ParcelCo")
    honest_shop = factories.ShopFactory(marketplace=marketplace)
    scam_shop = factories.ShopFactory(marketplace=marketplace)
    w = {"carrier": carrier, "honest_shop": honest_shop, "scam_shop": scam_shop}
    # Claims on three of four orders.
    w["claimer"] = factories.BuyerFactory(marketplace=marketplace)
    orders = [_order(w["claimer"], honest_shop) for _ in range(4)]
    w["claimer_cases"] = [_case(o, CaseType.SELLER_UNRESPONSIVE) for o in orders[:3]]
    # "Not received" on a parcel signed for; the honest buyer's parcel had no proof.
    w["signed"] = factories.BuyerFactory(marketplace=marketplace)
    signed_orders = [_order(w["signed"], honest_shop) for _ in range(5)]
    _delivered_with(signed_orders[0], "signature", carrier)
    w["signed_case"] = _case(signed_orders[0], CaseType.ITEM_NOT_RECEIVED)
    # Two claims within an hour of delivery, out of six orders.
    w["quick"] = factories.BuyerFactory(marketplace=marketplace)
    quick_orders = [_order(w["quick"], honest_shop, delivered_hours_ago=1) for _ in range(6)]
    w["quick_cases"] = [_case(o) for o in quick_orders[:2]]
    # Returns, each on the last day of the window, and two with an item missing from the parcel.
    w["returner"] = factories.BuyerFactory(marketplace=marketplace)
    w["late_returns"] = [_return(_order(w["returner"], honest_shop), days_before_close=1) for _ in range(3)]
    w["swapper"] = factories.BuyerFactory(marketplace=marketplace)
    w["swapped"] = [
        _return(_order(w["swapper"], honest_shop), days_before_close=20, condition=Condition.MISSING) for _ in range(2)
    ]
    # The scam seller: three buyers say one lamp is not as described.
    w["scam_cases"] = [
        _case(_order(factories.BuyerFactory(marketplace=marketplace), scam_shop, sku="LAMP-9")) for _ in range(3)
    ]
    # The honest majority: one claim in ten orders, a delivered parcel without proof, a return mid-window.
    w["honest"] = [factories.BuyerFactory(marketplace=marketplace) for _ in range(3)]
    for buyer in w["honest"]:
        orders = [_order(buyer, honest_shop, delivered_hours_ago=72) for _ in range(10)]
        _delivered_with(orders[0], "", carrier)
        _case(orders[0], CaseType.ITEM_NOT_RECEIVED)
        _return(orders[1], days_before_close=15)
    return w
