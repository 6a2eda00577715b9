"""Schemas of the hints API."""

from __future__ import annotations

from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import WithJsonSchema

# A [label, probability] pair. Described without prefixItems, which OpenAPI 3.0 tools (schemathesis among
# them) cannot read: an array of two, each a string or a number.
LabelProbability = Annotated[
    tuple[str, float],
    WithJsonSchema(
        {"type": "array", "minItems": 2, "maxItems": 2, "items": {"anyOf": [{"type": "string"}, {"type": "number"}]}}
    ),
]


class TriageIn(Schema):
    text: str = Field(
        ..., description="What the buyer wrote, in English or Russian: not blank, at most 20,000 characters."
    )


class TriageOut(Schema):
    label: str = Field(..., description="The most likely of the 14 triage labels.")
    confidence: float = Field(..., ge=0, le=1, description="Calibrated probability that the label is right.")
    lang: Literal["en", "ru"]
    alternatives: list[LabelProbability] = Field(..., description="The runner-up labels with their probabilities.")
    needs_choice: bool = Field(..., description="True below the policy's confidence: let the buyer pick the reason.")
    model_version: str


class HintOut(Schema):
    code: str
    severity: str = Field(..., description="urgent, warning or info.")
    reason: str
    cause: str = Field(
        ..., description="For late_order: not_shipped, customs, exception, stalled, likely_lost, delayed."
    )
    action_label: str
    action_url: str
