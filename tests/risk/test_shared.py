"""Accounts sharing a delivery address or a payment fingerprint: the ring is found, with every order behind it;
a household, an empty value, another marketplace or a buyer with no orders make no signal."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.orders.models import Order
from marketdesk.risk.models import RiskKind, RiskSignal
from marketdesk.risk.services import risk_recompute, risk_signals_refresh
from tests import factories

pytestmark = pytest.mark.django_db

ADDRESS = hashlib.sha256(b"an address hash").hexdigest()
CARD = hashlib.sha256(b"a card").hexdigest()


def _orders(buyer, *, n=1, address="", fingerprint="", days_ago=5):
    return [
        factories.OrderFactory(
            buyer=buyer,
            marketplace=buyer.marketplace,
            shop=factories.ShopFactory(marketplace=buyer.marketplace),
            placed_at=clock.now() - dt.timedelta(days=days_ago),
            delivery_address_hash=address,
            payment_fingerprint=fingerprint,
        )
        for _ in range(n)
    ]


def _signals():
    return {(s.buyer_id, s.kind): (sorted(s.order_ids), s.detail) for s in RiskSignal.objects.all()}


@pytest.fixture
def buyers(frozen_clock, marketplace):
    return [factories.BuyerFactory(marketplace=marketplace, external_id=f"B-{i}") for i in range(5)]


def test_three_accounts_at_one_address_each_get_the_signal_with_every_order_of_the_ring(buyers):
    # given
    ring = [o.pk for b in buyers[:3] for o in _orders(b, n=2, address=ADDRESS)]
    _orders(buyers[3], n=3, address=hashlib.sha256(b"elsewhere").hexdigest())

    # when
    risk_signals_refresh()

    # then
    assert _signals() == {
        (buyers[0].pk, RiskKind.SHARED_ADDRESS): (sorted(ring), "B-1, B-2"),
        (buyers[1].pk, RiskKind.SHARED_ADDRESS): (sorted(ring), "B-0, B-2"),
        (buyers[2].pk, RiskKind.SHARED_ADDRESS): (sorted(ring), "B-0, B-1"),
    }


def test_two_accounts_paying_with_one_card_each_get_the_signal(buyers):
    # given
    first, second = _orders(buyers[0], fingerprint=CARD), _orders(buyers[1], fingerprint=CARD)
    _orders(buyers[2], fingerprint=hashlib.sha256(b"another card").hexdigest())

    # when
    risk_signals_refresh()

    # then
    both = sorted(o.pk for o in first + second)
    assert _signals() == {
        (buyers[0].pk, RiskKind.SHARED_PAYMENT): (both, "B-1"),
        (buyers[1].pk, RiskKind.SHARED_PAYMENT): (both, "B-0"),
    }


def test_a_household_of_two_at_one_address_is_no_signal(buyers):
    # given
    _orders(buyers[0], n=4, address=ADDRESS)
    _orders(buyers[1], n=4, address=ADDRESS)

    # when
    changed = risk_signals_refresh()

    # then
    assert (changed, _signals()) == (0, {})


def test_orders_without_a_fingerprint_or_address_never_tie_their_buyers(buyers):
    # given five accounts, none of whose orders carried either (stored empty, as the bulk path may store them)
    for buyer in buyers:
        _orders(buyer, n=2)

    # when
    changed = risk_signals_refresh()

    # then
    assert (changed, _signals()) == (0, {})


def test_one_hash_in_two_marketplaces_is_no_ring(buyers, other_marketplace):
    # given one account here and two in another marketplace, all at what hashes alike
    _orders(buyers[0], address=ADDRESS, fingerprint=CARD)
    elsewhere = [factories.BuyerFactory(marketplace=other_marketplace) for _ in range(2)]
    _orders(elsewhere[0], address=ADDRESS)
    _orders(elsewhere[1], fingerprint=CARD)

    # when
    risk_signals_refresh()

    # then
    assert _signals() == {}


def test_orders_before_the_window_do_not_count(buyers):
    # given
    _orders(buyers[0], fingerprint=CARD, days_ago=5)
    _orders(buyers[1], fingerprint=CARD, days_ago=200)

    # when
    risk_signals_refresh()

    # then
    assert _signals() == {}


def test_recomputing_one_buyer_finds_their_ring_through_the_others_orders_and_stores_theirs_alone(buyers):
    # given
    ring = [o.pk for b in buyers[:2] for o in _orders(b, fingerprint=CARD)]
    operator = Actor.for_user(factories.OperatorFactory(marketplace=buyers[0].marketplace))

    # when
    changed = risk_recompute(actor=operator, buyer_id=buyers[1].pk)

    # then
    assert (changed, _signals()) == (1, {(buyers[1].pk, RiskKind.SHARED_PAYMENT): (sorted(ring), "B-0")})


def test_a_buyer_with_no_orders_has_no_shared_signal(buyers):
    # given a ring the lone buyer has no part in
    for buyer in buyers[:3]:
        _orders(buyer, address=ADDRESS, fingerprint=CARD)
    operator = Actor.for_user(factories.OperatorFactory(marketplace=buyers[0].marketplace))

    # when
    changed = risk_recompute(actor=operator, buyer_id=buyers[4].pk)

    # then
    assert (changed, RiskSignal.objects.count(), Order.objects.filter(buyer=buyers[4]).count()) == (0, 0, 0)


def test_a_long_ring_names_as_many_accounts_as_the_detail_holds(buyers, marketplace):
    # given thirty accounts on one card
    many = [factories.BuyerFactory(marketplace=marketplace, external_id=f"RING-ACCOUNT-{i:02d}") for i in range(30)]
    for buyer in many:
        _orders(buyer, fingerprint=CARD)

    # when
    risk_signals_refresh()

    # then
    detail = RiskSignal.objects.get(buyer=many[0]).detail
    assert (len(detail), detail.startswith("RING-ACCOUNT-01, RING-ACCOUNT-02"), detail[-1]) == (100, True, "…")
