"""REST endpoint of free-text triage: what a buyer typed → the likely reason."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from marketdesk.api.auth import READ_AUTH
from marketdesk.api.errors import ProblemOut
from marketdesk.hints.schemas import TriageIn, TriageOut
from marketdesk.hints.triage.suggest import TriageSuggestion, triage_suggest

router = Router(tags=["triage"])

ERRORS: dict[int, Any] = {400: ProblemOut, 401: ProblemOut, 403: ProblemOut, 422: ProblemOut}


@router.post("/triage", response={200: TriageOut, **ERRORS}, auth=READ_AUTH, summary="Suggest the reason of a request")
def triage(request: HttpRequest, payload: TriageIn) -> TriageSuggestion:
    """Classify a buyer's request; ``needs_choice`` says the buyer should pick the reason instead."""
    return triage_suggest(text=payload.text)
