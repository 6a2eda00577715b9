"""REST endpoints of orders: the marketplace pushes them, every party reads its own.

Thin by design: parse, call ``order_upsert`` or a selector, shape the answer.
Errors leave as problem documents through ``marketdesk.api.errors``.

Tenancy: a key belongs to one marketplace and every order number is read
within that marketplace. A key therefore cannot even name another
marketplace's order — ``GET`` of it is a 404 (its existence is not revealed)
and ``PUT`` of the same number creates a separate order in the key's own
marketplace, leaving the other untouched.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Path, Query, Router
from ninja.responses import Status
from pydantic import ValidationError as PydanticValidationError

from marketdesk.api.auth import FEED_AUTH, READ_AUTH, request_actor
from marketdesk.api.errors import ProblemOut, model_validation_problem
from marketdesk.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, KeysetPaginator
from marketdesk.core.actors import Actor
from marketdesk.core.errors import DomainError, PermissionDenied
from marketdesk.orders.models import Marketplace, Order
from marketdesk.orders.schemas import (
    OrderBatchIn,
    OrderBatchItemIn,
    OrderBatchOut,
    OrderDetailOut,
    OrderOut,
    OrderPageOut,
    OrderUpsertIn,
)
from marketdesk.orders.selectors import order_get_for_actor, order_list_for_actor, orders_for_actor
from marketdesk.orders.services import order_upsert
from marketdesk.orders.situation import order_situation

router = Router(tags=["orders"])

ExternalIdPath = Annotated[str, Path(min_length=1, max_length=100, description="The marketplace's order number.")]

ORDER_PAGES = KeysetPaginator(fields=("placed_at", "id"))

READ_ERRORS: dict[int, Any] = {400: ProblemOut, 401: ProblemOut, 404: ProblemOut, 422: ProblemOut}
WRITE_ERRORS: dict[int, Any] = {
    400: ProblemOut,
    401: ProblemOut,
    403: ProblemOut,
    409: ProblemOut,
    422: ProblemOut,
}


def _marketplace_of(actor: Actor) -> Marketplace:
    if actor.marketplace_id is None:
        raise PermissionDenied(_("Your account belongs to no marketplace; send orders with the marketplace's API key."))
    return Marketplace.objects.get(pk=actor.marketplace_id)


def _with_details(qs: QuerySet[Order]) -> QuerySet[Order]:
    # One query per relation for the whole page, however many orders it holds.
    return qs.prefetch_related("lines", "payments")


@router.get("/orders", response={200: OrderPageOut, **READ_ERRORS}, auth=READ_AUTH, summary="List orders")
def order_list(
    request: HttpRequest,
    cursor: str | None = Query(None, description="The next_cursor of the previous page."),
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
) -> dict[str, Any]:
    """List the orders the caller may see, newest first, a page at a time."""
    page = ORDER_PAGES.paginate(_with_details(order_list_for_actor(request_actor(request))), cursor=cursor, limit=limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


# Registered before /orders/{external_id} so that "batch" is never taken for an order number.
@router.post(
    "/orders/batch",
    response={200: OrderBatchOut, **WRITE_ERRORS},
    auth=FEED_AUTH,
    summary="Create or update up to 500 orders",
)
def order_batch_upsert(request: HttpRequest, payload: OrderBatchIn) -> dict[str, Any]:
    """Upsert each order on its own: one failing order never stops or undoes the others."""
    actor = request_actor(request)
    marketplace = _marketplace_of(actor)
    results: list[dict[str, Any]] = []
    stored: dict[int, int] = {}
    for index, raw in enumerate(payload.orders):
        external_id = raw.get("external_id") if isinstance(raw.get("external_id"), str) else None
        try:
            item = OrderBatchItemIn.model_validate(raw)
        except PydanticValidationError as exc:
            body = model_validation_problem(exc)
            results.append(
                {"index": index, "external_id": external_id, "result": "failed", "status": 422, "problem": body}
            )
            continue
        try:
            order, created = order_upsert(actor=actor, marketplace=marketplace, data=item.to_data(item.external_id))
        except DomainError as exc:
            body = exc.problem()
            results.append(
                {"index": index, "external_id": external_id, "result": "failed", "status": exc.status, "problem": body}
            )
            continue
        stored[index] = order.pk
        results.append(
            {
                "index": index,
                "external_id": item.external_id,
                "result": "created" if created else "updated",
                "status": 201 if created else 200,
            }
        )
    orders = {o.pk: o for o in _with_details(orders_for_actor(actor).filter(pk__in=stored.values()))}
    for index, pk in stored.items():
        results[index]["order"] = orders[pk]
    return {"results": results}


@router.get(
    "/orders/{external_id}", response={200: OrderDetailOut, **READ_ERRORS}, auth=READ_AUTH, summary="Get one order"
)
def order_detail(request: HttpRequest, external_id: ExternalIdPath) -> Order:
    """Return one order the caller may see (404 for any other, whether it exists or not), with its situation."""
    order = order_get_for_actor(request_actor(request), external_id=external_id)
    # Carried like a queryset annotation: the schema reads it as the order's ``situation`` field.
    order.situation = order_situation(order).as_data()  # type: ignore[attr-defined]
    return order


@router.put(
    "/orders/{external_id}",
    response={200: OrderOut, 201: OrderOut, **WRITE_ERRORS},
    auth=FEED_AUTH,
    summary="Create or update one order",
)
def order_put(request: HttpRequest, external_id: ExternalIdPath, payload: OrderUpsertIn) -> Status:
    """Create the order (201) or bring it up to date (200); sending the same order again changes nothing."""
    actor = request_actor(request)
    order, created = order_upsert(actor=actor, marketplace=_marketplace_of(actor), data=payload.to_data(external_id))
    return Status(201 if created else 200, order_get_for_actor(actor, pk=order.pk))
