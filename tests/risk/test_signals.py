"""Risk signals: the abusive buyers and the scam seller are found, with the orders behind them; the honest are not."""

from __future__ import annotations

import datetime as dt

import pytest

from marketdesk.cases.models import Case, CaseType
from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.core.errors import PermissionDenied
from marketdesk.notifications.models import WebhookDelivery, WebhookEndpoint
from marketdesk.orders.models import OrderLine
from marketdesk.returns.models import Condition, Return, ReturnLine
from marketdesk.risk.models import RiskKind, RiskSignal
from marketdesk.risk.selectors import risk_kinds_for_page, risk_signals_for_party
from marketdesk.risk.services import risk_recompute, risk_signals_refresh
from marketdesk.shipping.models import Carrier, Shipment, TrackingEvent
from marketdesk.shipping.states import TrackingStatus
from tests import factories

pytestmark = pytest.mark.django_db


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


def _signals():
    return {
        (s.buyer_id or s.shop_id, s.kind): (sorted(s.order_ids), sorted(s.case_ids), sorted(s.return_ids), s.detail)
        for s in RiskSignal.objects.all()
    }


def test_the_periodic_job_finds_each_abuser_with_the_orders_behind_it_and_no_honest_party(world):
    # when
    changed = risk_signals_refresh()

    # then
    claimer, signed, quick = world["claimer_cases"], world["signed_case"], world["quick_cases"]
    late, swapped, scam = world["late_returns"], world["swapped"], world["scam_cases"]
    assert _signals() == {
        (world["claimer"].pk, RiskKind.CLAIM_RATE): (
            sorted(c.order_id for c in claimer),
            sorted(c.pk for c in claimer),
            [],
            "",
        ),
        (world["signed"].pk, RiskKind.NOT_RECEIVED_WITH_PROOF): ([signed.order_id], [signed.pk], [], ""),
        (world["quick"].pk, RiskKind.QUICK_CLAIMS): (
            sorted(c.order_id for c in quick),
            sorted(c.pk for c in quick),
            [],
            "",
        ),
        (world["returner"].pk, RiskKind.LATE_RETURNS): (
            sorted(r.order_id for r in late),
            [],
            sorted(r.pk for r in late),
            "",
        ),
        (world["swapper"].pk, RiskKind.INSPECTION_MISMATCH): (
            sorted(r.order_id for r in swapped),
            [],
            sorted(r.pk for r in swapped),
            "",
        ),
        (world["scam_shop"].pk, RiskKind.REPEATED_NOT_AS_DESCRIBED): (
            sorted(c.order_id for c in scam),
            sorted(c.pk for c in scam),
            [],
            "LAMP-9",
        ),
    }
    assert changed == 6


def test_a_second_run_changes_nothing_and_a_settled_party_loses_its_signal(world, frozen_clock):
    # given
    risk_signals_refresh()

    # when the window moves past every claim
    frozen_clock.advance(dt.timedelta(days=91))
    again = risk_signals_refresh()

    # then
    assert (again, RiskSignal.objects.count()) == (6, 0)


def test_recompute_for_one_buyer_touches_only_that_buyer(world):
    # given
    operator = factories.OperatorFactory(marketplace=world["claimer"].marketplace)

    # when
    changed = risk_recompute(actor=Actor.for_user(operator), buyer_id=world["claimer"].pk)

    # then
    assert (changed, list(RiskSignal.objects.values_list("buyer_id", "kind"))) == (
        1,
        [(world["claimer"].pk, RiskKind.CLAIM_RATE)],
    )


def test_a_buyer_with_no_orders_has_no_signal_and_recompute_says_nothing_changed(frozen_clock, marketplace):
    # given
    buyer = factories.BuyerFactory(marketplace=marketplace)
    operator = factories.OperatorFactory(marketplace=marketplace)

    # when
    changed = risk_recompute(actor=Actor.for_user(operator), buyer_id=buyer.pk)

    # then
    assert (changed, risk_signals_for_party(Actor.for_user(operator), buyer_id=buyer.pk)) == (0, [])


@pytest.mark.parametrize("factory", [factories.BuyerFactory, factories.SellerFactory])
def test_parties_may_neither_recompute_nor_read_signals(world, factory):
    # given
    risk_signals_refresh()
    party = Actor.for_user(factory(marketplace=world["claimer"].marketplace))

    # when / then
    with pytest.raises(PermissionDenied):
        risk_recompute(actor=party, buyer_id=world["claimer"].pk)
    assert risk_signals_for_party(party, buyer_id=world["claimer"].pk) == []
    assert risk_kinds_for_page(party, buyer_ids=[world["claimer"].pk]) == ({}, {})


def test_a_page_reads_every_badge_in_one_query(world, django_assert_num_queries):
    # given
    risk_signals_refresh()
    operator = Actor.for_user(factories.OperatorFactory(marketplace=world["claimer"].marketplace))
    buyers = [world["claimer"].pk, world["quick"].pk, *(b.pk for b in world["honest"])]

    # when
    with django_assert_num_queries(1):
        kinds = risk_kinds_for_page(
            operator, buyer_ids=buyers, shop_ids=[world["scam_shop"].pk, world["honest_shop"].pk]
        )

    # then
    assert kinds == (
        {world["claimer"].pk: [RiskKind.CLAIM_RATE], world["quick"].pk: [RiskKind.QUICK_CLAIMS]},
        {world["scam_shop"].pk: [RiskKind.REPEATED_NOT_AS_DESCRIBED]},
    )


def test_a_buyer_whose_signals_change_is_sent_to_the_marketplace_once(world, marketplace):
    # given
    WebhookEndpoint.objects.create(
        marketplace=marketplace,
        url="https://hooks.example.test/risk",
        secret="whsec_" + "A" * 32,
        event_types=["buyer.risk_changed"],
    )

    # when
    risk_signals_refresh()
    risk_signals_refresh()

    # then
    payloads = sorted(
        (d.payload["data"]["buyer"], tuple(d.payload["data"]["signals"])) for d in WebhookDelivery.objects.all()
    )
    assert payloads == sorted(
        [
            (world["claimer"].external_id, ("claim_rate",)),
            (world["signed"].external_id, ("inr_with_proof",)),
            (world["quick"].external_id, ("quick_claims",)),
            (world["returner"].external_id, ("late_returns",)),
            (world["swapper"].external_id, ("inspection_mismatch",)),
        ]
    )
