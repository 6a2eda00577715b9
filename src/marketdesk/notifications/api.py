"""REST endpoints of outgoing webhooks: the marketplace manages its endpoints and reads the delivery log.

Only the marketplace's key is accepted; an endpoint or delivery of another
marketplace is a 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status

from marketdesk.api.auth import api_key_auth, request_actor
from marketdesk.api.errors import ProblemOut
from marketdesk.api.idempotency import idempotent
from marketdesk.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, KeysetPaginator
from marketdesk.api.params import PathId
from marketdesk.notifications.models import WebhookDelivery, WebhookEndpoint
from marketdesk.notifications.schemas import (
    WebhookDeliveryOut,
    WebhookDeliveryPageOut,
    WebhookEndpointCreatedOut,
    WebhookEndpointCreateIn,
    WebhookEndpointOut,
)
from marketdesk.notifications.selectors import (
    webhook_deliveries_for_endpoint,
    webhook_endpoint_get_for_actor,
    webhook_endpoints_for_actor,
)
from marketdesk.notifications.services import webhook_delivery_retry, webhook_endpoint_create, webhook_endpoint_delete

router = Router(tags=["webhooks"])

DELIVERY_PAGES = KeysetPaginator(fields=("created_at", "id"))
READ_ERRORS: dict[int, Any] = {400: ProblemOut, 401: ProblemOut, 404: ProblemOut, 422: ProblemOut}
WRITE_ERRORS: dict[int, Any] = {401: ProblemOut, 404: ProblemOut, 409: ProblemOut, 422: ProblemOut}


@router.post(
    "/webhooks/endpoints",
    response={201: WebhookEndpointCreatedOut, **WRITE_ERRORS},
    auth=api_key_auth,
    summary="Register a webhook endpoint",
)
@idempotent
def webhook_endpoint_create_view(request: HttpRequest, payload: WebhookEndpointCreateIn) -> Status[WebhookEndpoint]:
    """Register an address for signed events; the answer holds the secret, shown this once. Accepts Idempotency-Key."""
    endpoint = webhook_endpoint_create(actor=request_actor(request), url=payload.url, event_types=payload.event_types)
    return Status(201, endpoint)


@router.get(
    "/webhooks/endpoints",
    response={200: list[WebhookEndpointOut], **READ_ERRORS},
    auth=api_key_auth,
    summary="List webhook endpoints",
)
def webhook_endpoint_list(request: HttpRequest) -> QuerySet[WebhookEndpoint]:
    """List the marketplace's endpoints (without their secrets)."""
    return webhook_endpoints_for_actor(request_actor(request))


@router.delete(
    "/webhooks/endpoints/{endpoint_id}",
    response={204: None, **WRITE_ERRORS},
    auth=api_key_auth,
    summary="Remove a webhook endpoint",
)
def webhook_endpoint_delete_view(request: HttpRequest, endpoint_id: PathId) -> Status[None]:
    """Stop sending to an endpoint; its delivery log is kept."""
    webhook_endpoint_delete(actor=request_actor(request), endpoint_id=endpoint_id)
    return Status(204, None)


@router.get(
    "/webhooks/endpoints/{endpoint_id}/deliveries",
    response={200: WebhookDeliveryPageOut, **READ_ERRORS},
    auth=api_key_auth,
    summary="List an endpoint's deliveries",
)
def webhook_delivery_list(
    request: HttpRequest,
    endpoint_id: PathId,
    cursor: str | None = Query(None, description="The next_cursor of the previous page."),
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
) -> dict[str, Any]:
    """List the deliveries to one endpoint, newest first, with their status and attempts."""
    endpoint = webhook_endpoint_get_for_actor(request_actor(request), endpoint_id)
    page = DELIVERY_PAGES.paginate(webhook_deliveries_for_endpoint(endpoint), cursor=cursor, limit=limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post(
    "/webhooks/endpoints/{endpoint_id}/deliveries/{delivery_id}/retry",
    response={202: WebhookDeliveryOut, **WRITE_ERRORS},
    auth=api_key_auth,
    summary="Send a delivery again",
)
def webhook_delivery_retry_view(
    request: HttpRequest, endpoint_id: PathId, delivery_id: PathId
) -> Status[WebhookDelivery]:
    """Send an event to the endpoint again now, with the same event id."""
    delivery = webhook_delivery_retry(actor=request_actor(request), endpoint_id=endpoint_id, delivery_id=delivery_id)
    return Status(202, delivery)
