"""REST endpoints of returns: every party reads its own, a warehouse system records receipts.

Visibility is the selectors': a return the caller may not see is a 404 whether
it exists or not. A receipt is recorded by the marketplace's key (its
warehouse integration) or a signed-in seller; a repeat of the same code
answers the first receipt again (no second refund can follow from it), and
``Idempotency-Key`` replays the first response exactly.

Headless mode: a marketplace that keeps its own screens requests a return for
its buyer and approves, refuses, receives and inspects it for its seller with
its key, naming the party it acts for (``marketdesk.api.acting``); each runs
the return page's own service.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status

from marketdesk.api.acting import PartyAction, PartyObject, acting_actor, party_actions_register
from marketdesk.api.auth import READ_AUTH, SessionAuth, api_key_auth, request_actor
from marketdesk.api.errors import ProblemOut
from marketdesk.api.idempotency import idempotent
from marketdesk.api.pagination import KeysetPaginator
from marketdesk.api.params import PathId
from marketdesk.core.actors import Actor, Role
from marketdesk.core.errors import DomainValidationError
from marketdesk.disputes import api as dispute_api
from marketdesk.orders.selectors import order_get_for_actor
from marketdesk.returns.models import Return
from marketdesk.returns.schemas import (
    ReturnBuyerActIn,
    ReturnFilterIn,
    ReturnInspectionIn,
    ReturnOut,
    ReturnPageOut,
    ReturnReceiptIn,
    ReturnRefuseIn,
    ReturnReplacementIn,
    ReturnRequestIn,
    ReturnSellerActIn,
    ReturnShippedIn,
)
from marketdesk.returns.selectors import return_get_for_actor, returns_for_actor
from marketdesk.returns.services.approval import return_approve, return_cancel, return_escalate, return_refuse
from marketdesk.returns.services.inspection import (
    LineInspection,
    return_inspect,
    return_refund_take,
    return_replacement_ship,
)
from marketdesk.returns.services.receipt import return_mark_shipped, return_receive
from marketdesk.returns.services.requesting import return_request

router = Router(tags=["returns"])

RETURN_PAGES = KeysetPaginator(fields=("requested_at", "id"))
#: The warehouse: the marketplace's key, or a seller signed in (their own shop's returns only).
RECEIPT_AUTH = [api_key_auth, SessionAuth(roles=[Role.SELLER])]


def _with_lines(qs: QuerySet[Return]) -> QuerySet[Return]:
    return qs.prefetch_related("lines__order_line")


@router.get(
    "/returns", response={200: ReturnPageOut, **dispute_api.READ_ERRORS}, auth=READ_AUTH, summary="List returns"
)
def return_list(
    request: HttpRequest,
    filters: Query[ReturnFilterIn],
    cursor: str | None = dispute_api.CURSOR,
    limit: int = dispute_api.LIMIT,
) -> dict[str, Any]:
    """List the returns the caller may see, newest first, a page at a time."""
    returns = dispute_api.list_filtered(_with_lines(returns_for_actor(request_actor(request))), filters)
    return dispute_api.list_page(returns, pages=RETURN_PAGES, cursor=cursor, limit=limit)


@router.post(
    "/returns/receipts",
    response={200: ReturnOut, **dispute_api.WRITE_ERRORS},
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
    response={200: ReturnOut, **dispute_api.WRITE_ERRORS},
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


@router.get(
    "/returns/{return_id}",
    response={200: ReturnOut, **dispute_api.READ_ERRORS},
    auth=READ_AUTH,
    summary="Get one return",
)
def return_detail(request: HttpRequest, return_id: PathId) -> Return:
    """Return one return the caller may see with its lines, stages and deadlines (404 for any other)."""
    ret = return_get_for_actor(request_actor(request), pk=return_id)
    return _with_lines(Return.objects.select_related("order")).get(pk=ret.pk)


# Headless mode: the party actions of the return pages, taken by the marketplace for its buyer or seller.

ACTING_NOTE = (
    "\n\nAnswers the return as it now stands. Only the marketplace's API key (a signed-in person is refused with "
    "403; people use the return page). A return of another marketplace, or of another buyer or shop than the one "
    "named, is a 404. Accepts Idempotency-Key: a repeat with the same key and body answers the first response and "
    "changes nothing."
)


def _answer(ret: Return) -> Return:
    return _with_lines(Return.objects.select_related("order")).get(pk=ret.pk)


def _by_line(known: dict[str, int], wanted: list[str]) -> list[int]:
    """Map the body's line ids to rows, refusing an unknown or repeated one with its position."""
    seen: set[str] = set()
    rows = []
    for index, line in enumerate(wanted):
        if line not in known:
            raise DomainValidationError(_("This item is not part of the return."), field=f"lines.{index}.line")
        if line in seen:
            raise DomainValidationError(_("Name each line once."), field=f"lines.{index}.line")
        seen.add(line)
        rows.append(known[line])
    return rows


@router.post(
    "/orders/{external_id}/returns",
    response={201: ReturnOut, 400: ProblemOut, **dispute_api.WRITE_ERRORS},
    auth=dispute_api.MARKETPLACE_WRITE_AUTH,
    summary="Request a return as the buyer",
    description=(
        "Return lines and quantities of a delivered order within the return window (409 `return_not_allowed` "
        "after it, saying until when; 409 `return_final_sale` for a final-sale line returned for a reason that is "
        "not the seller's fault). A refund within the policy's keep-the-item band is paid at once (`refunded`, "
        "`keep_item`). In policy the return is approved at once (`approved`, with `ship_by`); "
        "otherwise it waits for the seller. Photos are uploaded for the same buyer through POST /attachments."
        + ACTING_NOTE
    ),
)
@idempotent
def return_request_view(
    request: HttpRequest, external_id: dispute_api.ExternalIdPath, payload: ReturnRequestIn
) -> Status[Return]:
    order_get_for_actor(request_actor(request), external_id=external_id)  # another marketplace's order: 404
    actor = acting_actor(request, payload)
    order = order_get_for_actor(actor, external_id=external_id)
    lines = {line.external_id: line.pk for line in order.lines.all()}
    rows = _by_line(lines, [item.line for item in payload.lines])
    ret = return_request(
        actor=actor,
        order=order,
        lines={row: item.quantity for row, item in zip(rows, payload.lines, strict=True)},
        reason=payload.reason,
        resolution=payload.resolution,
        description=payload.description,
        photo_ids=payload.photos,
        line_reasons={row: item.reason for row, item in zip(rows, payload.lines, strict=True) if item.reason},
    )
    return Status(201, _answer(ret))


def _inspect(actor: Actor, ret: Return, payload: ReturnInspectionIn) -> object:
    lines = {rl.order_line.external_id: rl.pk for rl in ret.lines.select_related("order_line")}
    rows = _by_line(lines, [item.line for item in payload.lines])
    results = {
        row: LineInspection(accepted=item.accepted, condition=item.condition, notes=item.notes)
        for row, item in zip(rows, payload.lines, strict=True)
    }
    return return_inspect(
        actor=actor,
        ret=ret,
        results=results,
        partial_reason=payload.partial_reason,
        replacement_in_stock=payload.replacement_in_stock,
    )


RETURN = PartyObject(
    id_name="return_id",
    load=lambda actor, pk: return_get_for_actor(actor, pk=pk),
    answer=lambda actor, ret: _answer(ret),
    note=ACTING_NOTE,
)
PARTY_ACTIONS = [
    PartyAction(
        "return_approve_view",
        "/returns/{return_id}/approve",
        ReturnSellerActIn,
        lambda actor, ret, payload: return_approve(actor=actor, ret=ret),
        "Approve a return as the seller",
        "The buyer may print the label and ships by `ship_by`.",
    ),
    PartyAction(
        "return_refuse_view",
        "/returns/{return_id}/refuse",
        ReturnRefuseIn,
        lambda actor, ret, payload: return_refuse(actor=actor, ret=ret, reason=payload.reason),
        "Refuse a return as the seller",
        "With the reason the buyer reads; the buyer may take the refusal to a case.",
    ),
    PartyAction(
        "return_receive_view",
        "/returns/{return_id}/receive",
        ReturnSellerActIn,
        lambda actor, ret, payload: return_receive(actor=actor, code=ret.code),
        "Record the receipt of a return as the seller",
        "The parcel arrived: the refund deadline starts. Recording it again answers the first receipt.",
    ),
    PartyAction(
        "return_inspection_view",
        "/returns/{return_id}/inspection",
        ReturnInspectionIn,
        _inspect,
        "Record the inspection of a return as the seller",
        "Per returned line: how many are accepted and in what condition. What is accepted is refunded at the "
        "prices paid (recorded once in the ledger), or an exchange waits for its replacement; accepting less "
        "needs `partial_reason`. 409 `return_not_received` before the receipt.",
    ),
    PartyAction(
        "return_cancel_view",
        "/returns/{return_id}/cancel",
        ReturnBuyerActIn,
        lambda actor, ret, payload: return_cancel(actor=actor, ret=ret),
        "Cancel a return as the buyer",
        "Before the parcel is sent.",
    ),
    PartyAction(
        "return_shipped_view",
        "/returns/{return_id}/shipped",
        ReturnShippedIn,
        lambda actor, ret, payload: return_mark_shipped(
            actor=actor, ret=ret, tracking_number=payload.tracking_number, carrier=payload.carrier
        ),
        "Record that the buyer sent the parcel back",
        "With a carrier marketdesk knows and a tracking number, the parcel is tracked on the return.",
    ),
    PartyAction(
        "return_take_refund_view",
        "/returns/{return_id}/take-refund",
        ReturnBuyerActIn,
        lambda actor, ret, payload: return_refund_take(actor=actor, ret=ret),
        "Take the refund offered instead of an exchange",
        "When the replacement is out of stock; recorded once in the ledger.",
    ),
    PartyAction(
        "return_escalate_view",
        "/returns/{return_id}/escalate",
        ReturnBuyerActIn,
        lambda actor, ret, payload: return_escalate(actor=actor, ret=ret),
        "Take a refused return to a case",
        "The platform decides; the new case's id is in `return.escalated`.",
    ),
]
party_actions_register(
    router,
    RETURN,
    PARTY_ACTIONS,
    responses={200: ReturnOut, 400: ProblemOut, **dispute_api.WRITE_ERRORS},
    auth=dispute_api.MARKETPLACE_WRITE_AUTH,
    module=__name__,
)
