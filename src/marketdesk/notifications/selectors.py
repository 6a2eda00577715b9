"""Reads of webhook endpoints and deliveries, scoped to the marketplace of the actor."""

from __future__ import annotations

from django.db.models import QuerySet

from marketdesk.core.actors import Actor
from marketdesk.core.errors import NotFound
from marketdesk.notifications.models import WebhookDelivery, WebhookEndpoint


def webhook_endpoints_for_actor(actor: Actor) -> QuerySet[WebhookEndpoint]:
    """Return the live endpoints of the actor's marketplace (none for an actor without one)."""
    if actor.marketplace_id is None:
        return WebhookEndpoint.objects.none()
    return WebhookEndpoint.objects.filter(marketplace_id=actor.marketplace_id, deleted_at__isnull=True).order_by("id")


def webhook_endpoint_get_for_actor(actor: Actor, endpoint_id: int) -> WebhookEndpoint:
    """Return one endpoint of the actor's marketplace, or raise NotFound."""
    endpoint = webhook_endpoints_for_actor(actor).filter(pk=endpoint_id).first()
    if endpoint is None:
        raise NotFound()
    return endpoint


def webhook_deliveries_for_endpoint(endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """Return an endpoint's deliveries, newest first, each with its attempts."""
    return (
        WebhookDelivery.objects.filter(endpoint=endpoint).order_by("-created_at", "-id").prefetch_related("attempt_log")
    )
