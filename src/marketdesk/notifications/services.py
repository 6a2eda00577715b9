"""Writes of webhook endpoints and deliveries: register, remove, retry by hand, re-send an event."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.errors import DomainValidationError, NotFound
from marketdesk.notifications.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from marketdesk.notifications.webhooks import webhook_delivery_restart, webhook_secret_generate, webhook_url_validate

MAX_EVENT_TYPES = 50


def _marketplace_id(actor: Actor) -> int:
    if actor.marketplace_id is None:
        raise NotFound()
    return actor.marketplace_id


def webhook_endpoint_create(*, actor: Actor, url: str, event_types: list[str]) -> WebhookEndpoint:
    """Register an endpoint of the actor's marketplace with a new secret (shown to the caller once)."""
    marketplace_id = _marketplace_id(actor)
    webhook_url_validate(url)
    cleaned = sorted({t.strip() for t in event_types})
    if len(cleaned) > MAX_EVENT_TYPES or any(not t or len(t) > 64 for t in cleaned):
        raise DomainValidationError(_("List up to 50 event types such as case.decided."), field="event_types")
    return WebhookEndpoint.objects.create(
        marketplace_id=marketplace_id, url=url, event_types=cleaned, secret=webhook_secret_generate()
    )


def webhook_endpoint_delete(*, actor: Actor, endpoint_id: int) -> None:
    """Stop deliveries to an endpoint and hide it; its delivery log is kept."""
    with transaction.atomic():
        endpoint = _endpoint_locked(actor, endpoint_id)
        endpoint.active = False
        endpoint.deleted_at = clock.now()
        endpoint.save(update_fields=["active", "deleted_at"])


def _endpoint_locked(actor: Actor, endpoint_id: int) -> WebhookEndpoint:
    endpoint = (
        WebhookEndpoint.objects.select_for_update()
        .filter(pk=endpoint_id, marketplace_id=_marketplace_id(actor), deleted_at__isnull=True)
        .first()
    )
    if endpoint is None:
        raise NotFound()
    return endpoint


def webhook_endpoint_rotate_secret(*, actor: Actor, endpoint_id: int) -> tuple[WebhookEndpoint, str]:
    """Give an endpoint a new signing secret (returned to be shown once); the old one stops signing."""
    with transaction.atomic():
        endpoint = _endpoint_locked(actor, endpoint_id)
        endpoint.secret = webhook_secret_generate()
        endpoint.save(update_fields=["secret"])
        return endpoint, endpoint.secret


def webhook_endpoint_set_active(*, actor: Actor, endpoint_id: int, active: bool) -> WebhookEndpoint:
    """Pause deliveries to an endpoint, or resume them."""
    with transaction.atomic():
        endpoint = _endpoint_locked(actor, endpoint_id)
        endpoint.active = active
        endpoint.save(update_fields=["active"])
        return endpoint


def webhook_delivery_retry(*, actor: Actor | None, delivery_id: int, endpoint_id: int | None = None) -> WebhookDelivery:
    """Send a delivery again now, with the same event id (``actor`` None: an administrator, any marketplace)."""
    with transaction.atomic():
        qs = WebhookDelivery.objects.select_for_update().filter(pk=delivery_id, endpoint__deleted_at__isnull=True)
        if actor is not None:
            qs = qs.filter(endpoint__marketplace_id=_marketplace_id(actor))
        if endpoint_id is not None:
            qs = qs.filter(endpoint_id=endpoint_id)
        delivery = qs.first()
        if delivery is None:
            raise NotFound()
        # None: an administrator in the admin site.
        return webhook_delivery_restart(delivery, actor=actor or Actor(role=Role.ADMIN))


def webhook_event_redeliver(*, marketplace_id: int, event_id: str) -> int:
    """Start a new round for every finished delivery of an event (same id); return how many."""
    deliveries = (
        WebhookDelivery.objects.select_for_update()
        .filter(
            event_id=event_id,
            endpoint__marketplace_id=marketplace_id,
            endpoint__active=True,
            endpoint__deleted_at__isnull=True,
        )
        .exclude(status=DeliveryStatus.PENDING)  # one still being tried needs no second round
        .order_by("id")
    )
    count = 0
    for delivery in deliveries:
        webhook_delivery_restart(delivery, actor=Actor.system())
        count += 1
    return count
