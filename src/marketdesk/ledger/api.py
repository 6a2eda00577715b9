"""REST endpoints of the ledger: the marketplace reads its entries and acknowledges refunds.

Only the marketplace's key is accepted: the ledger tells the marketplace what to pay,
and an entry of another marketplace is a 404 (its existence is not revealed).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from marketdesk.api.auth import api_key_auth, request_actor
from marketdesk.api.errors import ProblemOut
from marketdesk.api.idempotency import idempotent
from marketdesk.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, KeysetPaginator
from marketdesk.api.params import PathId
from marketdesk.ledger.models import LedgerEntry
from marketdesk.ledger.schemas import LedgerEntryOut, LedgerEntryPageOut, PayoutHoldPageOut
from marketdesk.ledger.selectors import ledger_entries_for_actor, payout_holds_for_actor
from marketdesk.ledger.services import ledger_entry_acknowledge

router = Router(tags=["ledger"])

ENTRY_PAGES = KeysetPaginator(fields=("created_at", "id"))
HOLD_PAGES = KeysetPaginator(fields=("held_at", "id"))
READ_ERRORS: dict[int, Any] = {400: ProblemOut, 401: ProblemOut, 422: ProblemOut}
WRITE_ERRORS: dict[int, Any] = {401: ProblemOut, 404: ProblemOut, 409: ProblemOut, 422: ProblemOut}


@router.get(
    "/ledger/entries",
    response={200: LedgerEntryPageOut, **READ_ERRORS},
    auth=api_key_auth,
    summary="List ledger entries",
)
def ledger_entry_list(
    request: HttpRequest,
    order: str | None = Query(None, max_length=100, description="Only the entries of this order number."),
    cursor: str | None = Query(None, description="The next_cursor of the previous page."),
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
) -> dict[str, Any]:
    """List the refunds, compensations and recoveries of the marketplace, newest first."""
    entries = ledger_entries_for_actor(request_actor(request), order_external_id=order)
    page = ENTRY_PAGES.paginate(entries, cursor=cursor, limit=limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get(
    "/ledger/holds",
    response={200: PayoutHoldPageOut, **READ_ERRORS},
    auth=api_key_auth,
    summary="List payout holds",
)
def payout_hold_list(
    request: HttpRequest,
    order: str | None = Query(None, max_length=100, description="Only the holds of this order number."),
    status: str | None = Query(None, pattern="^(held|released)$", description="Only the holds held, or released."),
    cursor: str | None = Query(None, description="The next_cursor of the previous page."),
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
) -> dict[str, Any]:
    """List the amounts held from sellers' payouts while cases and returns are open, newest first."""
    holds = payout_holds_for_actor(request_actor(request), order_external_id=order, status=status)
    page = HOLD_PAGES.paginate(holds, cursor=cursor, limit=limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post(
    "/ledger/entries/{entry_id}/acknowledge",
    response={200: LedgerEntryOut, **WRITE_ERRORS},
    auth=api_key_auth,
    summary="Acknowledge a refund instruction",
)
@idempotent
def ledger_entry_acknowledge_view(request: HttpRequest, entry_id: PathId) -> LedgerEntry:
    """Confirm the marketplace carried out a refund; instructions stop being re-sent. Accepts Idempotency-Key."""
    return ledger_entry_acknowledge(actor=request_actor(request), entry_id=entry_id)
