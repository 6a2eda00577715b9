"""Policy: every default rule of the product as versioned, editable data.

``PolicyValues`` declares each rule with its default (from the published rules
of eBay, Amazon, Etsy and PayPal). A version is never rewritten: publishing
stores a new version, and whatever applies a rule records the version number.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Annotated, Any, Literal

from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.errors import DomainValidationError, PermissionDenied
from marketdesk.core.models import PolicyVersion

Payer = Literal["buyer", "seller"]
BasisPoints = Annotated[int, Field(ge=0, le=10000)]
NonNegative = Annotated[int, Field(ge=0)]
#: Who pays return postage until a policy says otherwise: the seller for their own fault, else the buyer.
DEFAULT_POSTAGE_PAYER: dict[str, Payer] = {
    "changed_mind": "buyer",
    "doesnt_fit": "buyer",
    "other": "buyer",
    "damaged": "seller",
    "not_as_described": "seller",
    "wrong_item": "seller",
}


class PolicyValues(BaseModel):
    """Every default rule. Rates are in basis points (1 % = 100)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Help requests and cases
    case_after_contact_hours: int = Field(
        48, ge=0, description="A case may be opened this long after contacting the seller."
    )
    seller_silence_hours: int = Field(
        48, ge=0, description="…or at once when the seller has not replied for this long."
    )
    inr_window_days: int = Field(
        30, ge=1, description="Item not received: until this many days after the latest estimated delivery."
    )
    snad_window_days: int = Field(30, ge=1, description="Not as described: until this many days after delivery.")
    seller_response_business_days: int = Field(3, ge=1)
    info_request_hours: int = Field(72, ge=1)
    decision_target_hours: int = Field(48, ge=1)
    appeal_window_days: int = Field(30, ge=1)
    case_expiry_business_days: int = Field(21, ge=1)
    # Conversations
    attachment_max_mb: int = Field(50, ge=1)
    attachments_per_message: int = Field(10, ge=1)
    first_reply_target_hours: int = Field(24, ge=1)
    # Message safety (PRODUCT: held or delivered with a warning per policy). A seller asking to be paid off
    # the platform is the scam that costs buyers their money: held until support has looked. Contacts are
    # often innocent (a courier's phone), so they are delivered with the buyer warned; a buyer's own
    # message is always delivered with the warning, since only the buyer risks their money.
    safety_hold_seller_payment: int = Field(
        1, ge=0, le=1, description="1: a seller's message asking for payment off the platform is held for review."
    )
    safety_hold_contact: int = Field(
        0, ge=0, le=1, description="1: a seller's message giving contacts off the platform is held for review."
    )
    # Delivery
    stalled_after_days: int = Field(5, ge=1)
    likely_lost_after_days: int = Field(10, ge=1)
    ship_within_business_days: int = Field(2, ge=0, description="A paid order is late to ship after this.")
    lost_investigation_business_days: int = Field(8, ge=1, description="The carrier answers a lost-parcel inquiry.")
    refund_arrival_days: int = Field(10, ge=1, description="An issued refund reaches the buyer within this.")
    # Returns
    return_window_days: int = Field(30, ge=0)
    return_seller_decision_business_days: int = Field(3, ge=1)
    return_ship_business_days: int = Field(5, ge=1)
    return_refund_business_days: int = Field(2, ge=1)
    return_buyer_pays_remorse_shipping: int = Field(
        1,
        ge=0,
        le=1,
        description=(
            "1: the buyer pays return shipping for a change of mind or a bad fit, 0: the seller does. "
            "The seller always pays when the item is damaged, not as described or wrong."
        ),
    )
    # Return economics. Reasons and conditions are named by their codes (returns' ReturnReason and Condition):
    # core knows no app, so the returns app reads these tables and ignores a code it does not know.
    return_postage_payer: dict[str, Payer] = Field(
        default_factory=lambda: dict(DEFAULT_POSTAGE_PAYER),
        description=(
            "Who pays the return postage per return reason (buyer or seller); a reason not named: the seller "
            "for their own fault (damaged, not as described, wrong item), otherwise the buyer."
        ),
    )
    return_restocking_fee_bp: dict[str, dict[str, BasisPoints]] = Field(
        default_factory=dict,
        description=(
            "Restocking fee by item category, then by the condition inspection found, in basis points of the "
            "accepted items' price; the category \"*\" stands for any other. Never on the seller's fault."
        ),
    )
    return_restocking_fee_max_bp: int = Field(
        2000, ge=0, le=10000, description="No restocking fee is more than this share of the line's price."
    )
    return_keep_item_max_minor: dict[str, NonNegative] = Field(
        default_factory=dict,
        description=(
            "Per currency: a refund up to this amount (minor units) is paid without the item sent back, unless the "
            "buyer has a risk signal or a restriction."
        ),
    )
    # Hints
    protection_closing_warning_days: int = Field(3, ge=1)
    # From `make eval-triage`: the lowest confidence at which 95 % of the suggestions shown are right
    # and no band just above it is right less than 75 % of the time (cross-validated training rows).
    triage_min_confidence_bp: int = Field(
        5500, ge=0, le=10000, description="Below this triage confidence the buyer picks the reason of a request."
    )
    # Seller standards (rolling window)
    standards_window_days: int = Field(90, ge=7)
    max_defect_rate_bp: int = Field(200, ge=0, le=10000)
    max_unresolved_case_rate_bp: int = Field(30, ge=0, le=10000)
    max_late_shipment_rate_bp: int = Field(700, ge=0, le=10000)
    min_valid_tracking_rate_bp: int = Field(9500, ge=0, le=10000)
    min_first_reply_rate_bp: int = Field(9500, ge=0, le=10000)
    top_rated_max_defect_rate_bp: int = Field(50, ge=0, le=10000, description="Top rated: defect rate at most this.")
    top_rated_max_late_shipment_rate_bp: int = Field(300, ge=0, le=10000, description="Top rated: late shipments.")
    top_rated_min_orders: int = Field(100, ge=0, description="Top rated needs at least this many orders in the window.")
    standards_min_orders: int = Field(
        10, ge=0, description="With fewer orders in the window a seller is rated standard whatever its rates."
    )
    enforcement_notice_days: int = Field(
        7, ge=0, description="A restriction or suspension starts this long after notice."
    )
    # Risk signals (operators only; each counts what happened in its rolling window)
    risk_window_days: int = Field(90, ge=1, description="Risk signals count what happened in this many days.")
    risk_min_claims: int = Field(3, ge=1, description="A buyer's claim rate counts from this many claims.")
    risk_claim_rate_bp: int = Field(
        3000, ge=0, le=10000, description="…and signals when claims per order in the window reach this."
    )
    risk_min_not_received_with_proof: int = Field(
        1, ge=1, description="“Not received” claims on parcels delivered with signature or photo proof."
    )
    risk_quick_claim_hours: int = Field(2, ge=1, description="A claim this soon after delivery is a quick claim.")
    risk_min_quick_claims: int = Field(2, ge=1, description="Quick claims that make a signal.")
    risk_late_return_days: int = Field(3, ge=1, description="A return asked for in the window's last days is late.")
    risk_min_late_returns: int = Field(
        3, ge=1, description="A buyer whose returns are all late, with at least this many."
    )
    risk_min_inspection_mismatches: int = Field(
        2, ge=1, description="Returns whose inspection found items missing or other than those sent."
    )
    risk_min_not_as_described_per_sku: int = Field(
        3, ge=1, description="“Not as described” claims on one listing (SKU) of a shop that make a signal."
    )
    # Two accounts at one address are often one household; three are rarely (ADR 0020).
    risk_min_accounts_per_address: int = Field(
        3, ge=2, description="Buyer accounts with orders to one delivery address in the window that make a signal."
    )
    risk_min_accounts_per_payment: int = Field(
        2, ge=2, description="Buyer accounts paying with one payment fingerprint in the window that make a signal."
    )
    # Who funds a refund the platform pays (Etsy's purchase protection): the platform's guarantee covers it
    # when the order shipped on time with valid tracking and the shop is in good standing, within the caps
    # below (minor units, per currency; a currency without a cap is never guaranteed). Otherwise the seller
    # funds it: the platform pays the buyer and recovers the amount from the seller when this says so.
    guarantee_recover_ineligible: int = Field(
        1, ge=0, le=1, description="1: a refund the platform pays outside its guarantee is recovered from the seller."
    )
    guarantee_top_rated_only: int = Field(
        0, ge=0, le=1, description="1: only top rated shops are in good standing; 0: standard ones too."
    )
    guarantee_cap_refund_gbp_minor: int = Field(20_000, ge=0, description="Largest refund guaranteed, GBP.")
    guarantee_cap_refund_eur_minor: int = Field(25_000, ge=0, description="Largest refund guaranteed, EUR.")
    guarantee_cap_refund_usd_minor: int = Field(25_000, ge=0, description="Largest refund guaranteed, USD.")
    guarantee_cap_refund_rub_minor: int = Field(2_000_000, ge=0, description="Largest refund guaranteed, RUB.")
    guarantee_cap_refund_jpy_minor: int = Field(35_000, ge=0, description="Largest refund guaranteed, JPY.")
    guarantee_cap_month_gbp_minor: int = Field(100_000, ge=0, description="Guaranteed per shop and month, GBP.")
    guarantee_cap_month_eur_minor: int = Field(120_000, ge=0, description="Guaranteed per shop and month, EUR.")
    guarantee_cap_month_usd_minor: int = Field(125_000, ge=0, description="Guaranteed per shop and month, USD.")
    guarantee_cap_month_rub_minor: int = Field(10_000_000, ge=0, description="Guaranteed per shop and month, RUB.")
    guarantee_cap_month_jpy_minor: int = Field(175_000, ge=0, description="Guaranteed per shop and month, JPY.")

    def guarantee_caps(self, currency: str) -> tuple[int, int] | None:
        """Return the guarantee's caps in ``currency`` (per refund, per shop and month), or None if it has none."""
        code = currency.lower()
        per_refund = getattr(self, f"guarantee_cap_refund_{code}_minor", None)
        per_month = getattr(self, f"guarantee_cap_month_{code}_minor", None)
        return None if per_refund is None or per_month is None else (per_refund, per_month)


class Policy:
    """The rules in force, with the version number that a decision records."""

    def __init__(self, version: int, values: PolicyValues) -> None:
        self.version = version
        self.values = values

    def __getattr__(self, name: str) -> Any:
        return getattr(self.values, name)


def policy_version_in_force() -> PolicyVersion | None:
    """Return the newest version whose effective date has come (None before any is published)."""
    now = clock.now()
    return (
        PolicyVersion.objects.filter(Q(effective_at__isnull=True) | Q(effective_at__lte=now))
        .order_by("-version")
        .first()
    )


def policy_current() -> Policy:
    """Return the policy in force now (the defaults as version 0 before any is published)."""
    # Every write that applies a rule asks this: one plain read of the version in force and its values as stored
    # (the ORM's compiling of the query cost ten times the query), parsed once per version and text. Read each
    # time, never cached: a version published by another process, or coming into force, applies at once.
    table = connection.ops.quote_name(PolicyVersion._meta.db_table)
    since = PolicyVersion._meta.get_field("effective_at").get_db_prep_value(clock.now(), connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT "version", CAST("values" AS TEXT) FROM {table} '  # noqa: S608 - the model's own table
            'WHERE "effective_at" IS NULL OR "effective_at" <= %s ORDER BY "version" DESC LIMIT 1',
            [since],
        )
        row = cursor.fetchone()
    if row is None:
        return _parsed(0, "")
    return _parsed(int(row[0]), row[1])


@functools.lru_cache(maxsize=16)
def _parsed(version: int, values: str) -> Policy:
    """The policy of one version from its stored text; keyed on the text too, so nothing parsed is ever stale."""
    return Policy(version, PolicyValues.model_validate_json(values) if values else PolicyValues())


def policy_at(version: int) -> Policy:
    """Return the policy as it was in ``version``."""
    if version == 0:
        return Policy(0, PolicyValues())
    row = PolicyVersion.objects.get(version=version)
    return Policy(row.version, PolicyValues.model_validate(row.values))


def policy_publish(
    *, actor: Actor, changes: dict[str, Any], note: str = "", effective_at: dt.datetime | None = None
) -> PolicyVersion:
    """Publish a new policy version: the newest values with ``changes`` applied, in force from ``effective_at``."""
    if actor.role not in (Role.ADMIN, Role.SYSTEM):
        raise PermissionDenied(_("Only administrators change policy."))
    now = clock.now()
    if effective_at is not None and effective_at < now - dt.timedelta(minutes=1):
        # A rule never changes after the fact: deadlines already computed were computed under the old one.
        raise DomainValidationError(_("A new version cannot take effect in the past."), field="effective_at")
    with transaction.atomic():
        latest = PolicyVersion.objects.select_for_update().order_by("-version").first()
        base = PolicyValues.model_validate(latest.values) if latest else PolicyValues()
        try:
            values = PolicyValues.model_validate({**base.model_dump(), **changes})
        except PydanticValidationError as exc:
            errors = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()]
            raise DomainValidationError(_("Some policy values are not valid."), errors=errors) from exc
        return PolicyVersion.objects.create(
            version=(latest.version if latest else 0) + 1,
            values=values.model_dump(),
            note=note,
            effective_at=max(effective_at, now) if effective_at is not None else None,
            created_by=actor.user,
        )
