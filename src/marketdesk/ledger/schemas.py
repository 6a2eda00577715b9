"""Shapes of the ledger's API."""

from __future__ import annotations

from ninja import Field, Schema
from pydantic import AwareDatetime

from marketdesk.api.pagination import CursorPage
from marketdesk.ledger.models import LedgerEntry, PayoutHold


class FundingOut(Schema):
    """Who funds a refund in the end, and why (decided by policy when the refund was recorded)."""

    source: str = Field(
        description="seller, platform_guarantee, carrier_claim, or platform (outside the guarantee).",
        examples=["platform_guarantee"],
    )
    reason: str = Field(description="Why it is funded so, as a code.", examples=["guaranteed"])
    reason_label: str = Field(
        description="The reason in the request's language.",
        examples=["Shipped on time with valid tracking by a shop in good standing, within the caps"],
    )
    policy_version: int | None = Field(description="The policy version that decided it.", examples=[3])
    carrier_recovered_minor: int = Field(description="Recovered so far by a paid carrier claim.", examples=[0])


class LedgerEntryOut(Schema):
    id: int
    order: str
    case_id: int | None
    decision_key: str
    kind: str
    payer: str
    amount_minor: int
    currency: str
    reason: str
    created_at: AwareDatetime
    instruction_status: str
    acknowledged_at: AwareDatetime | None
    funding: FundingOut | None = Field(description="A refund's funding; null for other kinds (and older rows).")

    @staticmethod
    def resolve_order(obj: LedgerEntry) -> str:
        return obj.order.external_id

    @staticmethod
    def resolve_funding(obj: LedgerEntry) -> dict[str, object] | None:
        if not obj.funding_source:
            return None
        return {
            "source": obj.funding_source,
            "reason": obj.funding_reason,
            "reason_label": obj.funding_explained,
            "policy_version": obj.funding_policy_version,
            "carrier_recovered_minor": obj.carrier_recovered_minor,
        }


class LedgerEntryPageOut(CursorPage[LedgerEntryOut]):
    """A page of ledger entries, newest first."""


class HoldReasonOut(Schema):
    type: str = Field(description="What put the amount at stake: case or return.", examples=["case"])
    id: int = Field(description="The case's or the return's id.", examples=[41])


class PayoutHoldOut(Schema):
    """An amount of an order held from the seller's payout while a case or a return is open."""

    id: int
    order: str = Field(examples=["ORD-1001"])
    shop: str = Field(description="The shop's external id.", examples=["shop-7"])
    reason: HoldReasonOut
    status: str = Field(description="held, then released when the case or return ends.", examples=["released"])
    amount_minor: int = Field(description="Held, in minor units.", examples=[2500])
    currency: str = Field(examples=["EUR"])
    held_at: AwareDatetime
    released_at: AwareDatetime | None
    released_minor: int | None = Field(description="Paid out to the seller after all.", examples=[1000])
    kept_minor: int | None = Field(description="Kept back: refunded to the buyer.", examples=[1500])

    @staticmethod
    def resolve_order(obj: PayoutHold) -> str:
        return obj.order.external_id

    @staticmethod
    def resolve_shop(obj: PayoutHold) -> str:
        return obj.shop.external_id

    @staticmethod
    def resolve_reason(obj: PayoutHold) -> dict[str, object]:
        return {"type": obj.reason_type, "id": obj.reason_id}


class PayoutHoldPageOut(CursorPage[PayoutHoldOut]):
    """A page of payout holds, newest first."""
