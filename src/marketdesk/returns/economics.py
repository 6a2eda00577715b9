"""Return economics: who pays the postage, the restocking fee, final-sale items, refunds without the item back.

Every number comes from policy (``return_postage_payer``, ``return_restocking_fee_bp`` with its ceiling
``return_restocking_fee_max_bp``, ``return_keep_item_max_minor``); the rules here read it and nothing else.
The buyer's risk is asked of whichever source the risk app registers (``register_buyer_risk_source``): returns
sit below risk (CONTRIBUTING "Layers"), as cases do with ``cases.protection``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from marketdesk.core.policies import Policy
from marketdesk.orders.models import OrderLine
from marketdesk.returns.models import SELLER_FAULT_REASONS, Condition, Resolution, ReturnReason, ShippingPayer
from marketdesk.returns.services.windows import ReturnNotAllowed

#: The category of the restocking fee's table that stands for every category it does not name.
ANY_CATEGORY = "*"

BuyerAtRisk = Callable[[int, dt.datetime], bool]
_SOURCES: dict[str, BuyerAtRisk] = {}


def register_buyer_risk_source(at_risk: BuyerAtRisk) -> None:
    """Register where returns learn whether a buyer has a risk signal or a restriction (the risk app does, once)."""
    if _SOURCES.setdefault("risk", at_risk) != at_risk:
        raise ValueError("a buyer risk source is registered already")


def buyer_at_risk(buyer_id: int, *, now: dt.datetime) -> bool:
    """Return whether the buyer has an active risk signal or restriction; without a source, assume so (no money
    leaves without the item on a guess)."""
    source = _SOURCES.get("risk")
    return True if source is None else source(buyer_id, now)


class FinalSale(ReturnNotAllowed):
    """A line sold as final sale is returned for a reason that is not the seller's fault."""

    code = "return_final_sale"


def postage_payer(reason: str, policy: Policy) -> str:
    """Return who pays the return postage for ``reason``: the policy's map, else the seller for their own fault."""
    default = ShippingPayer.SELLER if reason in SELLER_FAULT_REASONS else ShippingPayer.BUYER
    payer = policy.return_postage_payer.get(reason, default)
    if payer == ShippingPayer.BUYER and not policy.return_buyer_pays_remorse_shipping:
        return ShippingPayer.SELLER  # the platform's switch: sellers pay every return's postage
    return str(payer)


def postage_by_reason(policy: Policy) -> list[tuple[str, str]]:
    """Return (reason, who pays the postage) for every return reason, as the buyer reads it before asking."""
    return [(str(r.label), str(ShippingPayer(postage_payer(r.value, policy)).label)) for r in ReturnReason]


def final_sale_check(line: OrderLine, reason: str) -> None:
    """Refuse a return of a final-sale line unless the seller is at fault (damaged, wrong, not as described)."""
    if line.final_sale and reason not in SELLER_FAULT_REASONS:
        raise FinalSale(
            _(
                "%(item)s was sold as final sale: it cannot be returned for this reason. If it arrived damaged, "
                "is not as described or is the wrong item, choose that reason; if it never arrived, ask for "
                "help with the order."
            )
            % {"item": line.title},
            field="lines",
        )


def restocking_fee_bp(category: str, condition: str, policy: Policy) -> int:
    """Return the restocking fee's share (basis points) for an item of ``category`` found in ``condition``."""
    table = policy.return_restocking_fee_bp
    row = table.get(category, table.get(ANY_CATEGORY, {}))
    return min(int(row.get(condition, 0)), policy.return_restocking_fee_max_bp)


def restocking_fee_minor(*, line: OrderLine, accepted: int, reason: str, condition: str, policy: Policy) -> int:
    """Return the fee deducted from a returned line's refund (none when the seller is at fault), rounded down."""
    if reason in SELLER_FAULT_REASONS or not accepted:
        return 0
    share = restocking_fee_bp(line.category, condition, policy)
    return line.unit_price_minor * accepted * share // 10_000


@dataclass(frozen=True, slots=True)
class FeeTerm:
    """What a restocking fee would take from an item in one condition: the buyer reads it before asking."""

    condition: str
    label: str
    bp: int

    @property
    def percent(self) -> str:
        return f"{self.bp / 100:g}"


def restocking_fee_terms(category: str, policy: Policy) -> list[FeeTerm]:
    """Return the conditions in which an item of ``category`` would carry a fee, with the fee (for the buyer)."""
    terms = [FeeTerm(c.value, str(c.label), restocking_fee_bp(category, c.value, policy)) for c in Condition]
    return [term for term in terms if term.bp]


def keep_item_allowed(
    *, buyer_id: int, currency: str, amount_minor: int, resolution: str, policy: Policy, now: dt.datetime
) -> bool:
    """Return whether a refund of ``amount_minor`` is paid without the item sent back.

    Only a refund (an exchange needs the item), within the currency's band, for a buyer without a risk signal or
    restriction.
    """
    band = policy.return_keep_item_max_minor.get(currency)
    if resolution != Resolution.REFUND or band is None or amount_minor > band:
        return False
    return not buyer_at_risk(buyer_id, now=now)
