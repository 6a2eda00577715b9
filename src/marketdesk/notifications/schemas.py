"""Shapes of the webhooks API."""

from __future__ import annotations

from typing import Annotated

from ninja import Schema
from pydantic import AwareDatetime, ConfigDict, Field

from marketdesk.api.pagination import CursorPage
from marketdesk.notifications.models import AttemptOutcome, WebhookAttempt

EventType = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z_]+(\.[a-z_]+)+$")]


class WebhookEndpointCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    url: Annotated[str, Field(min_length=1, max_length=500)]
    event_types: Annotated[list[EventType], Field(max_length=50)] = Field(
        default_factory=list, description="The event types to receive, e.g. case.decided; empty means all."
    )


class WebhookEndpointOut(Schema):
    id: int
    url: str
    event_types: list[str]
    active: bool
    created_at: AwareDatetime


class WebhookEndpointCreatedOut(WebhookEndpointOut):
    secret: str = Field(description="The signing secret (whsec_…). Shown only in this response: store it now.")


class WebhookAttemptOut(Schema):
    attempted_at: AwareDatetime
    outcome: AttemptOutcome = Field(
        description="sending (claimed, not yet recorded), delivered, refused, no_answer, or unknown: the worker "
        "stopped after claiming it, so the request may or may not have arrived (the next attempt sends the same "
        "webhook-id)."
    )
    outcome_text: str = Field(description="The outcome in words, in the language of the request.")
    status_code: int | None
    error: str
    duration_ms: int

    @staticmethod
    def resolve_outcome_text(obj: WebhookAttempt) -> str:
        return str(obj.get_outcome_display())


class WebhookDeliveryOut(Schema):
    id: int
    event_id: str
    event_type: str
    status: str
    attempts: int
    next_attempt_at: AwareDatetime | None
    last_status_code: int | None
    last_error: str
    created_at: AwareDatetime
    delivered_at: AwareDatetime | None
    attempt_log: list[WebhookAttemptOut] = Field(description="Every request made, oldest first.")


class WebhookDeliveryPageOut(CursorPage[WebhookDeliveryOut]):
    """A page of an endpoint's deliveries, newest first."""
