"""Shapes of the returns API: what a reader sees of a return, how a warehouse records a receipt, and the
party actions the marketplace takes for its buyer or seller (headless mode, ``marketdesk.api.acting``)."""

from __future__ import annotations

from typing import Annotated

from ninja import Schema
from pydantic import AwareDatetime, ConfigDict, Field, StrictBool, StrictInt

from marketdesk.api.acting import AsBuyerIn, AsSellerIn
from marketdesk.api.pagination import CursorPage
from marketdesk.returns.models import (
    Condition,
    RefundPayer,
    Resolution,
    Return,
    ReturnLine,
    ReturnReason,
    ShippingPayer,
)
from marketdesk.returns.services.common import MAX_TEXT
from marketdesk.returns.states import ReturnStatus


class ReturnLineOut(Schema):
    line: str = Field(description="The external id of the order line.")
    title: str
    quantity: int
    accepted_quantity: int | None = Field(description="What inspection accepted; null until inspected.")
    condition: Condition | None
    notes: str
    reason: ReturnReason | None = Field(description="Why this line comes back (the return's reason unless named).")
    restocking_fee_minor: int = Field(description="Deducted from this line's refund at inspection (0 for none).")
    restocking_fee_currency: str | None = Field(description="The fee's currency; null without a fee.")

    @staticmethod
    def resolve_reason(obj: ReturnLine) -> str | None:
        return obj.reason or None

    @staticmethod
    def resolve_restocking_fee_currency(obj: ReturnLine) -> str | None:
        return obj.restocking_fee_currency or None

    @staticmethod
    def resolve_line(obj: ReturnLine) -> str:
        return obj.order_line.external_id

    @staticmethod
    def resolve_title(obj: ReturnLine) -> str:
        return obj.order_line.title

    @staticmethod
    def resolve_condition(obj: ReturnLine) -> str | None:
        return obj.condition or None


class ReturnOut(Schema):
    """A return as it stands: its lines, every stage's date and the deadlines."""

    id: int
    code: str = Field(description="The return authorization printed on the label (the QR code holds MDRA:<code>).")
    order: str = Field(description="The marketplace's order number.")
    status: ReturnStatus
    reason: ReturnReason
    resolution: Resolution
    shipping_paid_by: ShippingPayer
    keep_item: bool = Field(description="Refunded without the item sent back (no label, nothing to ship).")
    lines: list[ReturnLineOut]
    requested_at: AwareDatetime
    window_closes_at: AwareDatetime
    seller_due_at: AwareDatetime | None = Field(description="The seller decides by then; silence approves.")
    decided_at: AwareDatetime | None
    refusal_reason: str
    ship_by: AwareDatetime | None = Field(description="The buyer ships the parcel by then, or the return lapses.")
    shipped_at: AwareDatetime | None
    tracking_number: str
    received_at: AwareDatetime | None
    refund_due_at: AwareDatetime | None = Field(description="Refund by then, or the platform refunds.")
    resolved_at: AwareDatetime | None
    refund_offered_at: AwareDatetime | None = Field(
        description="An exchange out of stock: the buyer was offered the refund then."
    )
    return_shipment_id: int | None = Field(description="The tracked parcel sent back, when its carrier is known.")
    replacement_shipment_id: int | None = Field(description="An exchange's replacement parcel, once sent.")
    refund_minor: int | None
    currency: str
    refund_paid_by: RefundPayer | None
    partial_reason: str
    policy_version: int

    @staticmethod
    def resolve_order(obj: Return) -> str:
        return obj.order.external_id

    @staticmethod
    def resolve_lines(obj: Return) -> list[ReturnLine]:
        return list(obj.lines.all())

    @staticmethod
    def resolve_currency(obj: Return) -> str:
        return obj.order.currency

    @staticmethod
    def resolve_refund_paid_by(obj: Return) -> str | None:
        return obj.refund_paid_by or None


class ReturnPageOut(CursorPage[ReturnOut]):
    """A page of returns, newest first."""


class ReturnFilterIn(Schema):
    status: ReturnStatus | None = Field(None, description="Only returns in this status.")
    order: Annotated[str, Field(max_length=100)] | None = Field(None, description="Only the returns of this order.")


class ReturnReplacementIn(Schema):
    """The replacement parcel of an accepted exchange."""

    model_config = ConfigDict(extra="forbid")

    carrier: Annotated[str, Field(min_length=1, max_length=40)] = Field(description="The carrier's code.")
    tracking_number: Annotated[str, Field(min_length=1, max_length=64)]


class ReturnReceiptIn(Schema):
    """What the warehouse scanned or typed."""

    model_config = ConfigDict(extra="forbid")

    code: Annotated[str, Field(min_length=1, max_length=300)] = Field(
        description="The return code (RA-XXXXXXXX), or the QR code's text (MDRA:RA-XXXXXXXX)."
    )


LineId = Annotated[str, Field(min_length=1, max_length=100, description="The external id of the order line.")]
Text = Annotated[str, Field(max_length=MAX_TEXT, pattern=r"^[^\x00]*$")]


class ReturnLineIn(Schema):
    model_config = ConfigDict(extra="forbid")

    line: LineId
    quantity: Annotated[StrictInt, Field(ge=1)] = Field(description="How many of the line to return.")
    reason: ReturnReason | None = Field(None, description="Why this line comes back; the return's reason if absent.")


class ReturnRequestIn(AsBuyerIn):
    """The buyer's request to return items of a delivered order."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "buyer": "u42",
                    "lines": [{"line": "1", "quantity": 1}],
                    "reason": "damaged",
                    "resolution": "refund",
                    "description": "The handle is cracked.",
                    "photos": [31],
                }
            ]
        }
    )

    lines: list[ReturnLineIn] = Field(min_length=1, max_length=200, description="Each line once, with a quantity.")
    reason: ReturnReason
    resolution: Resolution = Field(Resolution.REFUND, description="A refund, or an exchange for the same item.")
    description: Text = Field("", description="Required for the reason `other`.")
    photos: list[StrictInt] = Field(
        [],
        max_length=50,
        description=(
            "Ids from POST /attachments uploaded for the same buyer; at least one for `damaged`, "
            "`not_as_described` and `wrong_item`."
        ),
    )


class ReturnBuyerActIn(AsBuyerIn):
    """The buyer the marketplace acts for, with nothing more to say."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"buyer": "u42"}]})


class ReturnShippedIn(AsBuyerIn):
    """The buyer sent the parcel back: its carrier and tracking number, when known."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"buyer": "u42", "carrier": "royal_mail", "tracking_number": "RR123456785GB"}]}
    )

    carrier: Annotated[str, Field(max_length=40, pattern=r"^[^\x00]*$")] = Field(
        "", description="A carrier code marketdesk knows makes the parcel a tracked shipment; empty if unknown."
    )
    tracking_number: Annotated[str, Field(max_length=64, pattern=r"^[^\x00]*$")] = ""


class ReturnSellerActIn(AsSellerIn):
    """The seller the marketplace acts for, with nothing more to say."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"seller": "m7"}]})


class ReturnRefuseIn(AsSellerIn):
    """The seller's refusal, with the reason the buyer reads (and may take to a case)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"shop": "s7", "reason": "Made to measure: not returnable."}]}
    )

    reason: Annotated[Text, Field(min_length=1)]


class LineInspectionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    line: LineId
    accepted: Annotated[StrictInt, Field(ge=0)] = Field(description="How many of the returned items are accepted.")
    condition: Condition
    notes: Text = ""


class ReturnInspectionIn(AsSellerIn):
    """What the seller found for each returned line; what is accepted is refunded (or replaced)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "seller": "m7",
                    "lines": [{"line": "1", "accepted": 1, "condition": "as_new", "notes": ""}],
                    "partial_reason": "",
                    "replacement_in_stock": True,
                }
            ]
        }
    )

    lines: list[LineInspectionIn] = Field(min_length=1, max_length=200, description="Every returned line once.")
    partial_reason: Text = Field("", description="Why not everything is accepted (required then): the buyer reads it.")
    replacement_in_stock: StrictBool = Field(True, description="For an exchange: is the replacement in stock?")
