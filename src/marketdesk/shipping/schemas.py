"""Schemas of the delivery API."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import StrictInt


class TrackingBatchIn(Schema):
    events: list[Any] = Field(
        ...,
        max_length=1000,
        description=(
            "Up to 1,000 carrier events. Each: carrier (code), tracking_number, event_id (the carrier's, "
            "unique per carrier), status (the carrier's raw status), occurred_at (ISO 8601 with a zone), "
            "optional description and location; any other fields are kept as received."
        ),
    )


class RowErrorOut(Schema):
    index: int = Field(..., description="Position of the refused event in the request.")
    field: str
    reason: str


class TrackingBatchOut(Schema):
    received: int
    stored: int = Field(..., description="New events stored now.")
    duplicates: int = Field(..., description="Events already received before (by carrier event id): ignored.")
    held: int = Field(..., description="Stored events whose tracking number has no shipment yet.")
    unmapped: int = Field(..., description="Stored events whose raw status the carrier's table does not map yet.")
    errors: list[RowErrorOut]


class ShipmentLineOut(Schema):
    line: str = Field(..., description="The order line's external id.")
    quantity: int


class TrackingEventOut(Schema):
    event_id: str
    occurred_at: dt.datetime
    raw_status: str
    description: str
    location: str
    status: str = Field(..., description="Normalized status; empty while the raw status is unmapped.")
    exception_reason: str


class ShipmentOut(Schema):
    id: int
    external_id: str
    order: str = Field(..., description="The marketplace's order number.")
    carrier: str
    service: str
    tracking_number: str
    status: str
    exception_reason: str
    estimated_from: dt.datetime | None
    estimated_to: dt.datetime | None
    delivered_at: dt.datetime | None
    last_scan_at: dt.datetime | None
    flags: list[str] = Field(..., description="late_to_ship, delayed, stalled, likely_lost.")
    lines: list[ShipmentLineOut]
    events: list[TrackingEventOut]


class ShipmentLineIn(Schema):
    line: str = Field(..., min_length=1, max_length=100, description="The order line's external id.")
    quantity: int = Field(..., ge=1)


class ShipmentCreateIn(Schema):
    external_id: str = Field("", max_length=100)
    order: str = Field(..., min_length=1, max_length=100, description="The marketplace's order number.")
    carrier: str = Field(..., min_length=1, max_length=40)
    service: str = Field("", max_length=80)
    tracking_number: str = Field(..., min_length=1, max_length=64)
    estimated_from: dt.datetime | None = None
    estimated_to: dt.datetime | None = None
    lines: list[ShipmentLineIn] | None = Field(None, max_length=500, description="All lines when left out.")
    recipient_name: str = Field("", max_length=200)
    address_line1: str = Field("", max_length=200)
    address_line2: str = Field("", max_length=200)
    city: str = Field("", max_length=120)
    postcode: str = Field("", max_length=20)
    country: str = Field("", max_length=2)
    time_zone: str = Field("", max_length=64)


class DeliveryChangeAnswerIn(Schema):
    outcome: Literal["accepted", "refused"] = Field(..., description="The carrier's answer to the redirect.")
    reason: str = Field(
        "", max_length=2000, description="Why the carrier refused (required when refused); shown to the buyer."
    )


class DeliveryChangeOut(Schema):
    id: int
    shipment: str = Field(..., description="The shipment's external id.")
    kind: str = Field(..., description="address, date or pickup_point.")
    route: str = Field(..., description="Who answers: seller or carrier.")
    status: str = Field(..., description="requested, accepted, declined or withdrawn.")
    details: dict[str, str]
    answer: str
    requested_at: dt.datetime
    answered_at: dt.datetime | None


class CarrierClaimPaymentIn(Schema):
    amount_minor: StrictInt = Field(
        ..., description="What the carrier paid, in minor units; more than zero and at most the claim.", examples=[2000]
    )
    currency: str = Field(..., description="The claim's currency (ISO 4217).", examples=["GBP"])


class CarrierClaimOut(Schema):
    id: int
    shipment: str = Field(..., description="The lost shipment's external id.")
    carrier: str = Field(..., description="The carrier's code.")
    amount_minor: int = Field(..., description="What was claimed from the carrier, in minor units.")
    currency: str
    filed_at: dt.datetime
    paid_minor: int | None = Field(..., description="What the carrier paid, in minor units; null until it pays.")
    paid_at: dt.datetime | None
