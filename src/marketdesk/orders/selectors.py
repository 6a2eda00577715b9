"""Reads of orders, always scoped to the actor who asks."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from marketdesk.core.actors import Actor, Role
from marketdesk.core.errors import NotFound
from marketdesk.core.models import Audience, TimelineEvent
from marketdesk.orders.models import Order


def orders_for_actor(actor: Actor) -> QuerySet[Order]:
    """Return the orders this actor may see, newest first."""
    qs = Order.objects.select_related("shop", "buyer", "marketplace").annotate(line_count=Count("lines"))
    if actor.role == Role.BUYER and actor.user is not None:
        qs = qs.filter(buyer=actor.user)
    elif actor.role == Role.SELLER and actor.user is not None:
        qs = qs.filter(shop__memberships__user=actor.user)
    elif actor.role in (Role.OPERATOR, Role.ADMIN):
        if actor.marketplace_id is not None:
            qs = qs.filter(marketplace_id=actor.marketplace_id)
    elif actor.role == Role.MARKETPLACE and actor.marketplace_id is not None:
        qs = qs.filter(marketplace_id=actor.marketplace_id)
    elif actor.role == Role.SYSTEM:
        pass  # background jobs act for the whole installation
    else:
        return Order.objects.none()
    return qs.order_by("-placed_at", "-id")


def order_get_for_actor(actor: Actor, *, pk: int | None = None, external_id: str | None = None) -> Order:
    """Return one order the actor may see, or raise NotFound (never a hint that it exists)."""
    qs = orders_for_actor(actor).prefetch_related("lines", "payments")
    lookup = {"pk": pk} if pk is not None else {"external_id": external_id}
    order = qs.filter(**lookup).first()
    if order is None:
        raise NotFound()
    return order


def audiences_for(actor: Actor) -> list[str]:
    """Return the timeline audiences an actor may read."""
    if actor.role in (Role.OPERATOR, Role.ADMIN, Role.SYSTEM):
        return [Audience.PUBLIC, Audience.PARTIES, Audience.INTERNAL]
    return [Audience.PUBLIC, Audience.PARTIES]


def order_timeline_for_actor(actor: Actor, order: Order) -> QuerySet[TimelineEvent]:
    """Return the order's timeline as this actor may see it (the order must come from a selector)."""
    from django.contrib.contenttypes.models import ContentType

    return TimelineEvent.objects.filter(
        subject_type=ContentType.objects.get_for_model(Order), subject_id=order.pk, audience__in=audiences_for(actor)
    ).select_related("actor_user")
