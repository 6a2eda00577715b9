"""Every metric against a hand-computed fixture: exactly at its threshold (passes) and just over (fails)."""

from __future__ import annotations

import pytest

from marketdesk.cases.models import DecisionOutcome, Payer
from marketdesk.cases.states import CaseStatus
from marketdesk.core.policies import policy_current
from marketdesk.orders.states import OrderStatus
from marketdesk.standards.metrics import Counts, counts_for_shops, evaluate, level_for, window_ending
from marketdesk.standards.models import Level
from tests import factories
from tests.standards.conftest import (
    DAY,
    HOUR,
    NOW,
    cases_on,
    contacts_for,
    decisions_on,
    orders_for,
    shipments_for,
)

pytestmark = pytest.mark.django_db


def counts(shop) -> Counts:
    policy = policy_current()
    return counts_for_shops([shop.pk], window=window_ending(NOW, policy), policy=policy)[shop.pk]


def result(shop, code: str) -> tuple[int, int, bool]:
    found = {r.metric.code: r for r in evaluate(counts(shop), policy_current())}[code]
    return found.numerator, found.denominator, found.passed


@pytest.mark.parametrize(("with_case", "passed"), [(20, True), (21, False)], ids=["at-2-percent", "just-over"])
def test_defect_rate_at_and_just_over_two_percent(shop, seller_buyer, with_case, passed):
    orders = orders_for(shop, seller_buyer, 1000)
    cases_on(orders[:with_case])
    cases_on(orders[with_case : with_case + 5], status=CaseStatus.WITHDRAWN)  # the buyer withdrew: no defect
    orders_for(shop, seller_buyer, 50, placed_at=NOW - 91 * DAY)  # outside the 90 days

    assert result(shop, "defect_rate") == (with_case, 1000, passed)


def test_an_order_with_two_cases_is_one_defect(shop, seller_buyer):
    orders = orders_for(shop, seller_buyer, 100)
    cases_on(orders[:1])
    cases_on(orders[:1], status=CaseStatus.CLOSED)

    assert result(shop, "defect_rate") == (1, 100, True)


@pytest.mark.parametrize(("lost", "passed"), [(3, True), (4, False)], ids=["at-0.3-percent", "just-over"])
def test_cases_closed_without_seller_resolution_at_and_just_over(shop, seller_buyer, operator, lost, passed):
    orders = orders_for(shop, seller_buyer, 1000)
    decisions_on(cases_on(orders[:lost], status=CaseStatus.DECIDED), operator)
    # Not counted: the platform paid, the seller won, and a first decision changed on appeal.
    decisions_on(cases_on(orders[10:12], status=CaseStatus.DECIDED), operator, payer=Payer.PLATFORM)
    decisions_on(cases_on(orders[12:14], status=CaseStatus.DECIDED), operator, outcome=DecisionOutcome.SELLER_WINS)
    appealed = cases_on(orders[14:16], status=CaseStatus.DECIDED_ON_APPEAL)
    decisions_on(appealed, operator)
    decisions_on(appealed, operator, outcome=DecisionOutcome.SELLER_WINS, payer=Payer.NONE, is_appeal=True)

    assert result(shop, "unresolved_cases") == (lost, 1000, passed)


@pytest.mark.parametrize(("late", "passed"), [(7, True), (8, False)], ids=["at-7-percent", "just-over"])
def test_late_shipment_rate_at_and_just_over_seven_percent(shop, seller_buyer, carrier, late, passed):
    ship_by = NOW - 8 * DAY
    orders = orders_for(shop, seller_buyer, 100)
    shipments_for(orders[:late], carrier, ship_by=ship_by, handed_over_at=ship_by + HOUR)
    # Exactly at the ship-by time is on time.
    shipments_for(orders[late:], carrier, ship_by=ship_by, handed_over_at=ship_by)

    assert result(shop, "late_shipment") == (late, 100, passed)


def test_a_shipment_without_a_ship_by_is_due_the_policy_days_after_the_order(shop, seller_buyer, carrier):
    placed = NOW - 10 * DAY
    on_time = orders_for(shop, seller_buyer, 3, placed_at=placed)
    late = orders_for(shop, seller_buyer, 1, placed_at=placed)
    # ship_within_business_days is 2: due placed + 2 days.
    shipments_for(on_time, carrier, ship_by=None, handed_over_at=placed + 2 * DAY)
    shipments_for(late, carrier, ship_by=None, handed_over_at=placed + 2 * DAY + HOUR)

    assert result(shop, "late_shipment") == (1, 4, False)


def test_an_unscanned_shipment_left_when_the_seller_confirmed_it(shop, seller_buyer, carrier):
    ship_by = NOW - 8 * DAY
    orders = orders_for(shop, seller_buyer, 2)
    shipments_for(orders[:1], carrier, ship_by=ship_by, handed_over_at=None, created_at=ship_by - HOUR, scanned=False)
    shipments_for(orders[1:], carrier, ship_by=ship_by, handed_over_at=None, created_at=ship_by + HOUR, scanned=False)

    assert result(shop, "late_shipment") == (1, 2, False)


@pytest.mark.parametrize(("scanned", "passed"), [(95, True), (94, False)], ids=["at-95-percent", "just-under"])
def test_valid_tracking_at_and_just_under_ninety_five_percent(shop, seller_buyer, carrier, scanned, passed):
    ship_by = NOW - 8 * DAY
    orders = orders_for(shop, seller_buyer, 100)
    shipments_for(orders[:scanned], carrier, ship_by=ship_by, handed_over_at=ship_by)
    shipments_for(orders[scanned:], carrier, ship_by=ship_by, handed_over_at=None, scanned=False)
    # Not yet due: the carrier still has time, so it is not counted either way.
    shipments_for(orders_for(shop, seller_buyer, 5), carrier, ship_by=NOW + DAY, handed_over_at=None, scanned=False)

    assert result(shop, "valid_tracking") == (scanned, 100, passed)


@pytest.mark.parametrize(("in_time", "passed"), [(19, True), (18, False)], ids=["at-95-percent", "just-under"])
def test_first_replies_within_24_hours_at_and_just_under(shop, seller_buyer, in_time, passed):
    orders = orders_for(shop, seller_buyer, 30)
    contacted = NOW - 5 * DAY
    contacts_for(orders[: in_time - 1], contacted_at=contacted, replied_after=2 * HOUR)
    contacts_for(orders[in_time - 1 : in_time], contacted_at=contacted, replied_after=24 * HOUR)  # exactly 24 h
    contacts_for(orders[in_time:19], contacted_at=contacted, replied_after=24 * HOUR + dt_second())
    contacts_for(orders[19:20], contacted_at=contacted, replied_after=None)  # never answered
    contacts_for(orders[20:21], contacted_at=NOW - 2 * HOUR, replied_after=None)  # still has time: not counted

    assert result(shop, "first_reply") == (in_time, 20, passed)


def dt_second():
    import datetime as dt

    return dt.timedelta(seconds=1)


def test_another_shop_s_orders_never_count(shop, marketplace, seller_buyer):
    other = factories.ShopFactory(marketplace=marketplace)
    cases_on(orders_for(other, seller_buyer, 10))
    orders_for(shop, seller_buyer, 10)

    assert result(shop, "defect_rate") == (0, 10, True)


def test_cancelled_orders_do_not_count_as_shipped(shop, seller_buyer, carrier):
    ship_by = NOW - 8 * DAY
    cancelled = orders_for(shop, seller_buyer, 3, status=OrderStatus.CANCELLED)
    shipments_for(cancelled, carrier, ship_by=ship_by, handed_over_at=ship_by + DAY)

    assert result(shop, "late_shipment") == (0, 0, True)


# Levels


def test_no_data_passes_every_metric():
    assert [r.passed for r in evaluate(Counts(), policy_current())] == [True] * 5


@pytest.mark.parametrize(
    ("values", "level"),
    [
        ({"orders": 100, "defects": 0, "shipments_due": 100, "shipped_late": 3}, Level.TOP_RATED),
        ({"orders": 99, "defects": 0}, Level.STANDARD),  # too few orders for top rated
        ({"orders": 200, "defects": 2, "shipments_due": 100, "shipped_late": 0}, Level.STANDARD),  # 1 % > 0.5 %
        ({"orders": 100, "defects": 0, "shipments_due": 100, "shipped_late": 4}, Level.STANDARD),  # 4 % > 3 %
        ({"orders": 100, "defects": 3}, Level.BELOW_STANDARD),
        ({"orders": 100, "contacts": 20, "replied_in_time": 18}, Level.BELOW_STANDARD),
        ({"orders": 9, "defects": 9}, Level.STANDARD),  # fewer than 10 orders: too few to judge
        ({"orders": 10, "defects": 1}, Level.BELOW_STANDARD),
    ],
    ids=["top", "few-for-top", "defects-over-top", "late-over-top", "defects", "replies", "too-few", "ten-orders"],
)
def test_levels_follow_the_policy(values, level):
    assert level_for(Counts(**values), policy_current()) == level
