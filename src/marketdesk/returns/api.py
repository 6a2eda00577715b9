"""REST endpoints of returns: every party reads its own, a warehouse system records receipts.

Visibility is the selectors': a return the caller may not see is a 404 whether
it exists or not. A receipt is recorded by the marketplace's key (its
warehouse integration) or a signed-in seller; a repeat of the same code
answers the first receipt again (no second refund can follow from it), and
``Idempotency-Key`` replays the first response exactly.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router

from marketdesk.api.auth import READ_AUTH, SessionAuth, api_key_auth, request_actor
from marketdesk.api.errors import ProblemOut
from marketdesk.api.idempotency import idempotent
from marketdesk.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, KeysetPaginator
from marketdesk.api.params import PathId
from marketdesk.core.actors import Role
from marketdesk.returns.models import Return
from marketdesk.returns.schemas import ReturnFilterIn, ReturnOut, ReturnPageOut, ReturnReceiptIn, ReturnReplacementIn
from marketdesk.returns.selectors import return_get_for_actor, returns_for_actor
from marketdesk.returns.services import return_receive, return_replacement_ship

router = Router(tags=["returns"])

RETURN_PAGES = KeysetPaginator(fields=("requested_at", "id"))
#: The warehouse: the marketplace's key, or a seller signed in (their own shop's returns only).
RECEIPT_AUTH = [api_key_auth, SessionAuth(roles=[Role.SELLER])]

READ_ERRORS: dict[int, Any] = {400: ProblemOut, 401: ProblemOut, 404: ProblemOut, 422: ProblemOut}
WRITE_ERRORS: dict[int, Any] = {401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 409: ProblemOut, 422: ProblemOut}


def _with_lines(qs: QuerySet[Return]) -> QuerySet[Return]:
    return qs.prefetch_related("lines__order_line")


@router.get("/returns", response={200: ReturnPageOut, **READ_ERRORS}, auth=READ_AUTH, summary="List returns")
def return_list(
    request: HttpRequest,
    filters: Query[ReturnFilterIn],
    cursor: str | None = Query(None, description="The next_cursor of the previous page."),
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
) -> dict[str, Any]:
    """List the returns the caller may see, newest first, a page at a time."""
    returns = _with_lines(returns_for_actor(request_actor(request)))
    if filters.status is not None:
        returns = returns.filter(status=filters.status)
    if filters.order is not None:
        returns = returns.filter(order__external_id=filters.order)
    page = RETURN_PAGES.paginate(returns, cursor=cursor, limit=limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post(
    "/returns/receipts",
    response={200: ReturnOut, **WRITE_ERRORS},
    auth=RECEIPT_AUTH,
    summary="Record that a returned parcel arrived",
)
@idempotent
def return_receipt(request: HttpRequest, payload: ReturnReceiptIn) -> Return:
    """Record the receipt of the parcel with this return code (scanned or typed) and start the refund deadline.

    Recording the same code again answers the return as first received. A code of a return the caller
    may not see is a 404; a refused, lapsed or cancelled return is a 409. Accepts Idempotency-Key.
    """
    ret = return_receive(actor=request_actor(request), code=payload.code)
    return _with_lines(Return.objects.select_related("order")).get(pk=ret.pk)


@router.post(
    "/returns/{return_id}/replacement",
    response={200: ReturnOut, **WRITE_ERRORS},
    auth=RECEIPT_AUTH,
    summary="Record the replacement parcel of an exchange",
)
@idempotent
def return_replacement(request: HttpRequest, return_id: PathId, payload: ReturnReplacementIn) -> Return:
    """Record that the replacement of an exchange accepted at inspection was sent (carrier and tracking number).

    The parcel becomes a tracked shipment of the order with the accepted lines. Sending the same parcel
    again answers the return as it is; another tracking number after the first is a 409, as is a return
    that does not wait for a replacement. Accepts Idempotency-Key.
    """
    actor = request_actor(request)
    ret = return_replacement_ship(
        actor=actor,
        ret=return_get_for_actor(actor, pk=return_id),
        carrier=payload.carrier,
        tracking_number=payload.tracking_number,
    )
    return _with_lines(Return.objects.select_related("order")).get(pk=ret.pk)


@router.get("/returns/{return_id}", response={200: ReturnOut, **READ_ERRORS}, auth=READ_AUTH, summary="Get one return")
def return_detail(request: HttpRequest, return_id: PathId) -> Return:
    """Return one return the caller may see with its lines, stages and deadlines (404 for any other)."""
    ret = return_get_for_actor(request_actor(request), pk=return_id)
    return _with_lines(Return.objects.select_related("order")).get(pk=ret.pk)
