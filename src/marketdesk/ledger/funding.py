"""Who funds each refund: the seller, the platform's guarantee within its caps, or a carrier claim.

Decided by policy when the refund is recorded (``ledger_record_decision``), kept on the entry with
its reason, and counted in the month's ``FundingMonth`` row in the same transaction. The facts the
guarantee asks about live above the ledger: shipping tells whether the order shipped on time with
valid tracking and the standards tell a shop's level, through the hooks they register at start-up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import F
from django.utils import timezone

from marketdesk.core.policies import Policy
from marketdesk.ledger.models import FundingMonth, FundingReason, FundingSource, GuaranteeUsage, Payer
from marketdesk.orders.models import Order


@dataclass(frozen=True)
class ShippingFacts:
    """What the guarantee asks of an order's parcels."""

    valid_tracking: bool  # every parcel has a carrier scan
    shipped_on_time: bool  # every parcel left by its ship-by time


#: Top rated and standard shops are in good standing; below standard ones are not.
GOOD_STANDING = frozenset({"top_rated", "standard"})

_shipping_facts: list[Callable[[int], ShippingFacts | None]] = []
_shop_levels: list[Callable[[int], str | None]] = []


def register_guarantee_facts(
    *,
    shipping: Callable[[int], ShippingFacts | None] | None = None,
    standing: Callable[[int], str | None] | None = None,
) -> None:
    """Let shipping (order id → its parcels' facts) and standards (shop id → its level) answer the guarantee."""
    if shipping is not None and shipping not in _shipping_facts:
        _shipping_facts.append(shipping)
    if standing is not None and standing not in _shop_levels:
        _shop_levels.append(standing)


def _first[T](readers: list[Callable[[int], T | None]], key: int) -> T | None:
    for reader in readers:
        found = reader(key)
        if found is not None:
            return found
    return None


@dataclass(frozen=True)
class Funding:
    source: str
    reason: str
    recover_from_seller: bool = False


def month_of(moment: dt.datetime) -> dt.date:
    """Return the first day of the month ``moment`` falls in (in the installation's time zone)."""
    return timezone.localdate(moment).replace(day=1)


def _eligibility_refusal(order: Order, policy: Policy) -> str | None:
    """Return why the order or its shop is not eligible for the guarantee, or None when it is."""
    parcels = _first(_shipping_facts, order.pk)
    if parcels is None or not parcels.valid_tracking:
        return FundingReason.NO_TRACKING
    if not parcels.shipped_on_time:
        return FundingReason.SHIPPED_LATE
    level = _first(_shop_levels, order.shop_id)
    if level is None:
        return FundingReason.NO_STANDING
    good = {"top_rated"} if policy.guarantee_top_rated_only else GOOD_STANDING
    return None if level in good else FundingReason.BELOW_STANDARD


def _cap_refusal(order: Order, amount: int, policy: Policy, month: dt.date) -> str | None:
    """Return which cap the refund would pass, or None when it fits (and count it against the month's)."""
    caps = policy.guarantee_caps(order.currency)
    if caps is None:
        return FundingReason.NO_CAP
    per_refund, per_month = caps
    if amount > per_refund:
        return FundingReason.CAP_PER_REFUND
    # The row lock serialises the shop's guaranteed refunds of the month (orders of one shop lock apart).
    GuaranteeUsage.objects.get_or_create(shop_id=order.shop_id, month=month, currency=order.currency)
    usage = GuaranteeUsage.objects.select_for_update().get(shop_id=order.shop_id, month=month, currency=order.currency)
    if usage.used_minor + amount > per_month:
        return FundingReason.CAP_SHOP_MONTH
    usage.used_minor += amount
    usage.save(update_fields=["used_minor"])
    return None


def funding_decide(
    *, order: Order, payer: str, amount: int, hint: str, recovered_in_decision: bool, policy: Policy, month: dt.date
) -> Funding:
    """Decide who funds a refund of ``amount`` on ``order`` that ``payer`` pays the buyer (counts the guarantee)."""
    if payer == Payer.SELLER:
        return Funding(FundingSource.SELLER, FundingReason.SELLER_PAYS)
    if hint == FundingSource.CARRIER_CLAIM:
        return Funding(FundingSource.CARRIER_CLAIM, FundingReason.CARRIER_LIABLE)
    if recovered_in_decision:
        # The caller already recovers it from the seller (a return refunded late by the platform).
        return Funding(FundingSource.SELLER, FundingReason.SELLER_LATE)
    refusal = _eligibility_refusal(order, policy) or _cap_refusal(order, amount, policy, month)
    if refusal is None:
        return Funding(FundingSource.PLATFORM_GUARANTEE, FundingReason.GUARANTEED)
    if policy.guarantee_recover_ineligible:
        return Funding(FundingSource.SELLER, refusal, recover_from_seller=True)
    return Funding(FundingSource.PLATFORM, refusal)


def funding_month_add(
    *,
    marketplace_id: int,
    month: dt.date,
    source: str,
    currency: str,
    refunds: int = 0,
    amount: int = 0,
    seller_recovered: int = 0,
    carrier_recovered: int = 0,
) -> None:
    """Add to the month's row of a funding source (created at the first refund)."""
    key: dict[str, Any] = {"marketplace_id": marketplace_id, "month": month, "source": source, "currency": currency}
    FundingMonth.objects.get_or_create(**key)
    FundingMonth.objects.filter(**key).update(
        refunds=F("refunds") + refunds,
        amount_minor=F("amount_minor") + amount,
        seller_recovered_minor=F("seller_recovered_minor") + seller_recovered,
        carrier_recovered_minor=F("carrier_recovered_minor") + carrier_recovered,
    )
