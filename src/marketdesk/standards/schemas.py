"""Schemas of the seller-standards API."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema


class MetricOut(Schema):
    code: str = Field(..., description="defect_rate, unresolved_cases, late_shipment, valid_tracking or first_reply.")
    label: str = Field(..., description="The metric's name in the caller's language.")
    numerator: int
    denominator: int
    rate_bp: int | None = Field(..., description="numerator / denominator in basis points; null without data.")
    threshold_bp: int = Field(..., description="The policy's threshold in basis points.")
    at_most: bool = Field(..., description="True: the rate must stay at or below the threshold; false: at or above.")
    passed: bool = Field(..., description="Whether the rate meets the threshold (no data meets it).")


class MeasureOut(Schema):
    id: int
    kind: Literal["warning", "restriction", "suspension"]
    status: Literal["active", "appealed", "revoked", "lifted"]
    reason: str = Field(..., description="The reason the seller was given.")
    effective_at: dt.datetime | None = Field(..., description="From when it applies (after the notice period).")
    applied_at: dt.datetime | None
    appealed_at: dt.datetime | None
    ended_at: dt.datetime | None = Field(..., description="When it was lifted or revoked on appeal.")


class StandingOut(Schema):
    shop: str = Field(..., description="The shop's external id.")
    name: str
    level: Literal["top_rated", "standard", "below_standard"] | None = Field(
        ..., description="The level of the latest nightly computation; null before the first one."
    )
    day: dt.date | None = Field(..., description="The day the latest computation covers (a rolling 90 days).")
    policy_version: int = Field(..., description="The policy version whose thresholds applied.")
    metrics: list[MetricOut]
    in_force: MeasureOut | None = Field(
        ..., description="The heaviest measure in force now (applied and past its effective date), if any."
    )
    measures: list[MeasureOut] = Field(..., description="Every measure applied to the shop, newest first.")
