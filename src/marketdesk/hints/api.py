"""REST endpoints of hints: free-text triage (what a buyer typed → the likely reason) and an order's hints."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from marketdesk.api.auth import READ_AUTH, request_actor
from marketdesk.api.errors import ProblemOut
from marketdesk.hints.rules import hints_evaluate, order_state_read
from marketdesk.hints.schemas import HintOut, TriageIn, TriageOut
from marketdesk.orders.selectors import order_get_for_actor
from marketdesk.triage.suggest import TriageSuggestion, triage_suggest

router = Router(tags=["triage"])

ERRORS: dict[int, Any] = {400: ProblemOut, 401: ProblemOut, 403: ProblemOut, 422: ProblemOut}


@router.post("/triage", response={200: TriageOut, **ERRORS}, auth=READ_AUTH, summary="Suggest the reason of a request")
def triage(request: HttpRequest, payload: TriageIn) -> TriageSuggestion:
    """Classify a buyer's request; ``needs_choice`` says the buyer should pick the reason instead."""
    return triage_suggest(text=payload.text)


@router.get(
    "/orders/{external_id}/hints",
    response={200: list[HintOut], 404: ProblemOut, **ERRORS},
    auth=READ_AUTH,
    summary="What to do now on an order",
    tags=["hints"],
)
def order_hints(request: HttpRequest, external_id: str) -> list[dict[str, str]]:
    """The hints of an order: reason, severity and a one-click action, most pressing first."""
    order = order_get_for_actor(request_actor(request), external_id=external_id)
    return [
        {
            "code": h.code,
            "severity": h.severity,
            "reason": h.reason,
            "cause": h.cause,
            "action_label": h.action_label,
            "action_url": h.action_url,
        }
        for h in hints_evaluate(order_state_read(order))
    ]
