"""Order statuses and the moves between them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from marketdesk.core.actors import Role
from marketdesk.core.timeline import status_event
from marketdesk.core.transitions import Move, TransitionTable


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("Placed")
    PAID = "paid", _("Paid")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
    REFUNDED = "refunded", _("Refunded")


S = OrderStatus
# The marketplace owns orders; an administrator may correct one by hand.
FEED = (Role.MARKETPLACE, Role.SYSTEM, Role.ADMIN)

ORDER_PAID = status_event("order.paid")
ORDER_SHIPPED = status_event("order.shipped")
ORDER_DELIVERED = status_event("order.delivered")
ORDER_CANCELLED = status_event("order.cancelled")
ORDER_PARTIALLY_REFUNDED = status_event("order.partially_refunded")
ORDER_REFUNDED = status_event("order.refunded")

ORDER_TRANSITIONS = TransitionTable(
    states=OrderStatus,
    moves=(
        Move(S.PLACED, S.PAID, FEED, ORDER_PAID.name),
        Move(S.PLACED, S.CANCELLED, FEED, ORDER_CANCELLED.name),
        Move(S.PAID, S.SHIPPED, FEED, ORDER_SHIPPED.name),
        Move(S.PAID, S.CANCELLED, FEED, ORDER_CANCELLED.name),
        Move(S.PAID, S.PARTIALLY_REFUNDED, FEED, ORDER_PARTIALLY_REFUNDED.name),
        Move(S.PAID, S.REFUNDED, FEED, ORDER_REFUNDED.name),
        Move(S.SHIPPED, S.DELIVERED, FEED, ORDER_DELIVERED.name),
        Move(S.SHIPPED, S.PARTIALLY_REFUNDED, FEED, ORDER_PARTIALLY_REFUNDED.name),
        Move(S.SHIPPED, S.REFUNDED, FEED, ORDER_REFUNDED.name),
        Move(S.DELIVERED, S.PARTIALLY_REFUNDED, FEED, ORDER_PARTIALLY_REFUNDED.name),
        Move(S.DELIVERED, S.REFUNDED, FEED, ORDER_REFUNDED.name),
        Move(S.PARTIALLY_REFUNDED, S.REFUNDED, FEED, ORDER_REFUNDED.name),
    ),
)
