"""How each policy rule is shown to an administrator: its group, its label and its unit."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from marketdesk.returns.models import Condition, ReturnReason, ShippingPayer


@dataclass(frozen=True, slots=True)
class RuleGroup:
    title: Promise
    rules: tuple[tuple[str, Promise], ...]


HOURS = _("hours")
DAYS = _("days")
BUSINESS_DAYS = _("business days")
MEGABYTES = _("MB")
BASIS_POINTS = _("basis points (1 % = 100)")
MINOR_UNITS = _("minor units (pence, cents, kopecks; yen)")


def unit_of(name: str) -> Promise | None:
    """Return the unit a rule is counted in, read from its name."""
    for suffix, unit in (
        ("_business_days", BUSINESS_DAYS),
        ("_hours", HOURS),
        ("_days", DAYS),
        ("_mb", MEGABYTES),
        ("_bp", BASIS_POINTS),
        ("_minor", MINOR_UNITS),
    ):
        if name.endswith(suffix):
            return unit
    return None


RULE_GROUPS = (
    RuleGroup(
        _("Help requests and cases"),
        (
            ("case_after_contact_hours", _("A case may be opened after contacting the seller")),
            ("seller_silence_hours", _("…or when the seller has been silent for")),
            ("inr_window_days", _("Item not received: window after the latest estimated delivery")),
            ("snad_window_days", _("Not as described: window after delivery")),
            ("seller_response_business_days", _("Seller's response time")),
            ("info_request_hours", _("Time to answer a request for information")),
            ("decision_target_hours", _("Target time for a decision")),
            ("appeal_window_days", _("Appeal window")),
            ("case_expiry_business_days", _("A case expires after")),
        ),
    ),
    RuleGroup(
        _("Conversations"),
        (
            ("attachment_max_mb", _("Largest attachment")),
            ("attachments_per_message", _("Attachments per message")),
            ("first_reply_target_hours", _("Target time for the first reply")),
            (
                "safety_hold_seller_payment",
                _("Hold a seller's message asking for payment off the platform (1 hold, 0 warn the buyer)"),
            ),
            (
                "safety_hold_contact",
                _("Hold a seller's message giving contacts off the platform (1 hold, 0 warn the buyer)"),
            ),
        ),
    ),
    RuleGroup(
        _("Delivery"),
        (
            ("stalled_after_days", _("A parcel is stalled after")),
            ("likely_lost_after_days", _("A parcel is likely lost after")),
            ("ship_within_business_days", _("A paid order is late to ship after")),
            ("lost_investigation_business_days", _("The carrier answers a lost-parcel inquiry within")),
            ("refund_arrival_days", _("An issued refund reaches the buyer within")),
        ),
    ),
    RuleGroup(
        _("Returns"),
        (
            ("return_window_days", _("Return window")),
            ("return_seller_decision_business_days", _("Seller's decision on a return")),
            ("return_ship_business_days", _("Time for the buyer to ship a return")),
            ("return_refund_business_days", _("Time to refund a received return")),
            (
                "return_buyer_pays_remorse_shipping",
                _("The buyer pays return shipping for a change of mind (1 yes, 0 no)"),
            ),
            (
                "return_postage_payer",
                _("Who pays return postage per reason (reason: buyer or seller)"),
            ),
            (
                "return_restocking_fee_bp",
                _("Restocking fee by category, then condition, in basis points (category * for any other)"),
            ),
            ("return_restocking_fee_max_bp", _("Highest restocking fee")),
            (
                "return_keep_item_max_minor",
                _("Refund without the item sent back up to, per currency (minor units)"),
            ),
        ),
    ),
    RuleGroup(
        _("Hints and triage"),
        (
            ("protection_closing_warning_days", _("Warn before purchase protection closes")),
            ("triage_min_confidence_bp", _("Lowest triage confidence to suggest a reason")),
        ),
    ),
    RuleGroup(
        _("Seller standards"),
        (
            ("standards_window_days", _("Evaluation window")),
            ("max_defect_rate_bp", _("Highest defect rate")),
            ("max_unresolved_case_rate_bp", _("Highest rate of cases closed without seller resolution")),
            ("max_late_shipment_rate_bp", _("Highest late shipment rate")),
            ("min_valid_tracking_rate_bp", _("Lowest valid tracking rate")),
            ("min_first_reply_rate_bp", _("Lowest on-time first reply rate")),
            ("top_rated_max_defect_rate_bp", _("Top rated: highest defect rate")),
            ("top_rated_max_late_shipment_rate_bp", _("Top rated: highest late shipment rate")),
            ("top_rated_min_orders", _("Top rated: fewest orders in the window")),
            ("standards_min_orders", _("Fewest orders for a rating other than standard")),
            ("enforcement_notice_days", _("Notice before a restriction or suspension")),
        ),
    ),
    RuleGroup(
        _("Risk signals"),
        (
            ("risk_window_days", _("Risk signals count what happened within")),
            ("risk_min_claims", _("A buyer's claim rate counts from this many claims")),
            ("risk_claim_rate_bp", _("Claims per order that make a signal")),
            (
                "risk_min_not_received_with_proof",
                _("“Not received” claims on parcels delivered with proof that make a signal"),
            ),
            ("risk_quick_claim_hours", _("A claim this soon after delivery is a quick claim")),
            ("risk_min_quick_claims", _("Quick claims that make a signal")),
            ("risk_late_return_days", _("A return asked for in the window's last days is late")),
            ("risk_min_late_returns", _("Late returns that make a signal (when all of a buyer's returns are late)")),
            (
                "risk_min_inspection_mismatches",
                _("Returns whose inspection found other items than those sent, that make a signal"),
            ),
            (
                "risk_min_not_as_described_per_sku",
                _("“Not as described” claims on one listing (SKU) that make a signal"),
            ),
            ("risk_min_accounts_per_address", _("Buyer accounts sharing one delivery address that make a signal")),
            ("risk_min_accounts_per_payment", _("Buyer accounts sharing one payment method that make a signal")),
        ),
    ),
    RuleGroup(
        _("Refund funding"),
        (
            (
                "guarantee_recover_ineligible",
                _("Recover from the seller a refund the platform pays outside its guarantee (1 yes, 0 no)"),
            ),
            (
                "guarantee_top_rated_only",
                _("Only top rated shops are in good standing for the guarantee (1 yes, 0 standard too)"),
            ),
            ("guarantee_cap_refund_gbp_minor", _("Largest refund the guarantee covers, GBP")),
            ("guarantee_cap_refund_eur_minor", _("Largest refund the guarantee covers, EUR")),
            ("guarantee_cap_refund_usd_minor", _("Largest refund the guarantee covers, USD")),
            ("guarantee_cap_refund_rub_minor", _("Largest refund the guarantee covers, RUB")),
            ("guarantee_cap_refund_jpy_minor", _("Largest refund the guarantee covers, JPY")),
            ("guarantee_cap_month_gbp_minor", _("The guarantee covers per shop and month, GBP")),
            ("guarantee_cap_month_eur_minor", _("The guarantee covers per shop and month, EUR")),
            ("guarantee_cap_month_usd_minor", _("The guarantee covers per shop and month, USD")),
            ("guarantee_cap_month_rub_minor", _("The guarantee covers per shop and month, RUB")),
            ("guarantee_cap_month_jpy_minor", _("The guarantee covers per shop and month, JPY")),
        ),
    ),
)

RULE_LABELS: dict[str, Promise] = {name: label for group in RULE_GROUPS for name, label in group.rules}


def rule_value_text(value: object) -> object:
    """A rule's value as an administrator reads it: a table's codes as their labels, ``key: value; …``."""
    labels = {**dict(ReturnReason.choices), **dict(Condition.choices), **dict(ShippingPayer.choices)}
    if isinstance(value, dict):
        if not value:
            return _("none")
        return "; ".join(f"{labels.get(key, key)}: {rule_value_text(item)}" for key, item in value.items())
    if isinstance(value, str):
        return labels.get(value, value)
    return value
