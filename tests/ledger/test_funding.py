"""Who funds each refund: the seller, the platform's guarantee within its caps, or a carrier claim."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from marketdesk.core.actors import Actor
from marketdesk.core.errors import DomainValidationError
from marketdesk.core.money import Money
from marketdesk.core.policies import policy_current, policy_publish
from marketdesk.ledger.models import FundingMonth, GuaranteeUsage, LedgerEntry
from marketdesk.ledger.services import EntrySpec, ledger_record_decision
from marketdesk.shipping.models import Carrier, Shipment
from marketdesk.standards.models import StandardsSnapshot
from tests import factories
from tests.conftest import NOW
from tests.shipping.conftest import carriers_ensure

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
NUMBERS = itertools.count(1)


def an_order(shop, *, currency: str = "GBP", total: int = 30_000):
    """An order placed five days ago, paid in full."""
    order = factories.OrderFactory(
        marketplace=shop.marketplace, shop=shop, currency=currency, total_minor=total, placed_at=NOW - 5 * DAY
    )
    factories.PaymentFactory(order=order, amount_minor=total, currency=currency)
    return order


def a_parcel(order, *, left: dt.datetime, status: str = "in_transit") -> Shipment:
    """A parcel of the order that left at ``left`` (two days allowed: on time when within them)."""
    carriers_ensure()
    n = next(NUMBERS)
    return Shipment.objects.create(
        marketplace=order.marketplace, order=order, external_id=f"SH{n}", carrier=Carrier.objects.first(),
        tracking_number=f"TN{n:06d}", tracking_status=status, handed_over_at=left, created_at=left,
    )  # fmt: skip


def on_time(order) -> Shipment:
    return a_parcel(order, left=order.placed_at + DAY)


def rated(shop, level: str) -> StandardsSnapshot:
    return StandardsSnapshot.objects.create(
        shop=shop, day=NOW.date() - DAY, window_start=NOW - 90 * DAY, window_end=NOW, policy_version=0, level=level
    )


def refund(order, amount: int, *, payer: str = "platform", key: str = "") -> list[LedgerEntry]:
    return ledger_record_decision(
        decision_key=key or f"decision-{order.pk}-{amount}",
        order=order,
        case_id=None,
        entries=[EntrySpec("refund", payer, Money(amount, order.currency), "item_not_received")],
        actor=Actor.system(),
    )


def funded(entries: list[LedgerEntry]) -> list[tuple[str, str, str, str, int]]:
    return [(e.kind, e.payer, e.funding_source, e.funding_reason, e.amount_minor) for e in entries]


def month_rows() -> list[tuple[str, str, int, int, int, int]]:
    return list(
        FundingMonth.objects.order_by("source", "currency").values_list(
            "source", "currency", "refunds", "amount_minor", "seller_recovered_minor", "carrier_recovered_minor"
        )
    )


def publish(**changes: int) -> None:
    policy_publish(actor=Actor.system(), changes=changes, note="test")


def test_a_refund_the_seller_pays_is_funded_by_the_seller(shop, frozen_clock):
    order = an_order(shop)

    entries = refund(order, 2500, payer="seller")

    assert funded(entries) == [("refund", "seller", "seller", "seller_pays", 2500)]
    assert month_rows() == [("seller", "GBP", 1, 2500, 0, 0)]


def test_the_guarantee_funds_a_refund_shipped_on_time_with_tracking_by_a_shop_in_good_standing(shop, frozen_clock):
    order = an_order(shop)
    on_time(order)
    rated(shop, "standard")

    entries = refund(order, 2500)

    assert funded(entries) == [("refund", "platform", "platform_guarantee", "guaranteed", 2500)]
    assert entries[0].funding_explained == (
        "Shipped on time with valid tracking by a shop in good standing, within the caps"
    )
    assert GuaranteeUsage.objects.get().used_minor == 2500
    assert month_rows() == [("platform_guarantee", "GBP", 1, 2500, 0, 0)]


def test_an_order_without_a_parcel_is_not_guaranteed_and_the_seller_is_charged_back(shop, frozen_clock):
    order = an_order(shop)
    rated(shop, "top_rated")

    entries = refund(order, 2500)

    assert funded(entries) == [
        ("refund", "platform", "seller", "no_tracking", 2500),
        ("recovery", "seller", "", "no_tracking", 2500),
    ]
    assert month_rows() == [("seller", "GBP", 1, 2500, 2500, 0)]


def test_a_parcel_with_only_a_label_has_no_valid_tracking(shop, frozen_clock):
    order = an_order(shop)
    a_parcel(order, left=order.placed_at + DAY, status="info_received")
    rated(shop, "top_rated")

    entries = refund(order, 2500)

    assert funded(entries)[0][2:4] == ("seller", "no_tracking")


def test_a_parcel_shipped_late_is_not_guaranteed(shop, frozen_clock):
    order = an_order(shop)
    a_parcel(order, left=order.placed_at + 3 * DAY)
    rated(shop, "top_rated")

    entries = refund(order, 2500)

    assert funded(entries)[0][2:4] == ("seller", "shipped_late")


def test_a_shop_with_no_standards_snapshot_is_not_guaranteed(shop, frozen_clock):
    order = an_order(shop)
    on_time(order)

    entries = refund(order, 2500)

    assert funded(entries)[0][2:4] == ("seller", "no_standing")


def test_a_shop_below_standard_is_not_guaranteed(shop, frozen_clock):
    order = an_order(shop)
    on_time(order)
    rated(shop, "below_standard")

    entries = refund(order, 2500)

    assert funded(entries)[0][2:4] == ("seller", "below_standard")


def test_a_policy_for_top_rated_shops_only_leaves_a_standard_shop_out(shop, frozen_clock):
    publish(guarantee_top_rated_only=1)
    order = an_order(shop)
    on_time(order)
    rated(shop, "standard")

    entries = refund(order, 2500)

    assert funded(entries)[0][2:4] == ("seller", "below_standard")
    assert entries[0].funding_policy_version == policy_current().version


def test_a_refund_above_the_per_refund_cap_is_not_guaranteed(shop, frozen_clock):
    publish(guarantee_cap_refund_gbp_minor=2000)
    order = an_order(shop)
    on_time(order)
    rated(shop, "top_rated")

    over = refund(order, 2001, key="over")
    at_cap = refund(order, 2000, key="at-cap")

    assert (funded(over)[0][2:4], funded(at_cap)[0][2:4]) == (
        ("seller", "cap_per_refund"),
        ("platform_guarantee", "guaranteed"),
    )


def test_the_shops_monthly_cap_counts_across_its_orders_and_starts_again_next_month(shop, frozen_clock):
    publish(guarantee_cap_month_gbp_minor=5000)
    first, second, third = an_order(shop), an_order(shop), an_order(shop)
    for order in (first, second, third):
        on_time(order)
    rated(shop, "standard")

    within = refund(first, 3000)
    over = refund(second, 2500)
    frozen_clock.advance(dt.timedelta(days=30))
    next_month = refund(third, 2500)

    assert [funded(e)[0][2:4] for e in (within, over, next_month)] == [
        ("platform_guarantee", "guaranteed"),
        ("seller", "cap_shop_month"),
        ("platform_guarantee", "guaranteed"),
    ]
    assert sorted(GuaranteeUsage.objects.values_list("month", "used_minor")) == [
        (dt.date(2026, 11, 1), 3000),
        (dt.date(2026, 12, 1), 2500),
    ]


def test_a_currency_without_a_cap_is_not_guaranteed(shop, frozen_clock):
    order = an_order(shop, currency="CHF")
    on_time(order)
    rated(shop, "top_rated")

    entries = refund(order, 2500)

    assert funded(entries)[0][2:4] == ("seller", "no_cap")


def test_without_recovery_in_policy_the_platform_bears_what_the_guarantee_leaves_out(shop, frozen_clock):
    publish(guarantee_recover_ineligible=0)
    order = an_order(shop)

    entries = refund(order, 2500)

    assert funded(entries) == [("refund", "platform", "platform", "no_tracking", 2500)]
    assert month_rows() == [("platform", "GBP", 1, 2500, 0, 0)]


def test_a_recovery_the_caller_records_is_not_recovered_twice(shop, frozen_clock):
    order = an_order(shop)

    entries = ledger_record_decision(
        decision_key="return:1:refund",
        order=order,
        case_id=None,
        entries=[
            EntrySpec("refund", "platform", Money(4000, "GBP"), "return_refund_late"),
            EntrySpec("recovery", "seller", Money(4000, "GBP"), "return_refund_late"),
        ],
        actor=Actor.system(),
    )

    assert funded(entries) == [
        ("refund", "platform", "seller", "seller_late", 4000),
        ("recovery", "seller", "", "", 4000),
    ]


def test_a_repeated_decision_returns_the_first_set_with_its_recovery_and_counts_once(shop, frozen_clock):
    order = an_order(shop)
    first = refund(order, 2500, key="d1")

    again = refund(order, 2500, key="d1")

    assert [e.pk for e in again] == [e.pk for e in first]
    assert (LedgerEntry.objects.count(), month_rows()) == (2, [("seller", "GBP", 1, 2500, 2500, 0)])


def test_a_zero_refund_is_refused_and_nothing_is_counted(shop, frozen_clock):
    order = an_order(shop)
    on_time(order)
    rated(shop, "standard")

    with pytest.raises(DomainValidationError) as error:
        refund(order, 0)

    assert error.value.field == "amount"
    assert (LedgerEntry.objects.count(), FundingMonth.objects.count(), GuaranteeUsage.objects.count()) == (0, 0, 0)


def test_a_compensation_has_no_funding_source(shop, frozen_clock):
    order = an_order(shop)

    entries = ledger_record_decision(
        decision_key="goodwill",
        order=order,
        case_id=None,
        entries=[EntrySpec("compensation", "platform", Money(500, "GBP"), "goodwill")],
        actor=Actor.system(),
    )

    assert funded(entries) == [("compensation", "platform", "", "", 500)]
    assert FundingMonth.objects.count() == 0
