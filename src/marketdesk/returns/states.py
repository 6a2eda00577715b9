"""Return statuses and the one table of moves between them.

A return is created in ``requested`` (the ``return.requested`` event records the
request); an in-policy request is approved by the system in the same
transaction. Every later change goes through this table.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from marketdesk.core.actors import Role
from marketdesk.core.models import Audience
from marketdesk.core.timeline import status_event
from marketdesk.core.transitions import Move, TransitionTable


class ReturnStatus(models.TextChoices):
    REQUESTED = "requested", _("Waiting for the seller")
    APPROVED = "approved", _("Approved: ship it back")
    REFUSED = "refused", _("Refused")
    SHIPPED = "shipped", _("On its way back")
    RECEIVED = "received", _("Received by the seller")
    REFUNDED = "refunded", _("Refunded")
    REPLACEMENT_REQUESTED = "replacement_requested", _("Replacement to be sent")
    REPLACEMENT_SHIPPED = "replacement_shipped", _("Replacement on its way")
    REFUND_OFFERED = "refund_offered", _("Out of stock: refund offered")
    CLOSED = "closed", _("Closed without refund")
    LAPSED = "lapsed", _("Lapsed: not shipped in time")
    CANCELLED = "cancelled", _("Cancelled")
    ESCALATED = "escalated", _("Escalated to a case")


S = ReturnStatus

#: A line in a return of these statuses counts as returned (or being returned): it cannot be returned again.
ACTIVE_STATUSES = (
    S.REQUESTED,
    S.APPROVED,
    S.SHIPPED,
    S.RECEIVED,
    S.REFUNDED,
    S.REPLACEMENT_REQUESTED,
    S.REPLACEMENT_SHIPPED,
    S.REFUND_OFFERED,
    S.CLOSED,
)
#: A label may be issued (and downloaded) in these statuses only.
LABEL_STATUSES = (S.APPROVED, S.SHIPPED)
#: Receipt may be recorded in these statuses.
RECEIVABLE_STATUSES = (S.APPROVED, S.SHIPPED)

SELLER_SIDE = (Role.SELLER, Role.OPERATOR, Role.ADMIN)
WAREHOUSE = (Role.SELLER, Role.MARKETPLACE, Role.OPERATOR, Role.ADMIN)

RETURN_APPROVED = status_event("return.approved")
RETURN_REFUSED = status_event("return.refused")
RETURN_SHIPPED = status_event("return.shipped")
RETURN_RECEIVED = status_event("return.received")
RETURN_REFUNDED = status_event("return.refunded", Audience.PUBLIC)
RETURN_REPLACEMENT_REQUESTED = status_event("return.replacement_requested")
RETURN_REPLACEMENT_SHIPPED = status_event("return.replacement_shipped")
RETURN_REFUND_OFFERED = status_event("return.refund_offered")
RETURN_CLOSED = status_event("return.closed")
RETURN_LAPSED = status_event("return.lapsed")
RETURN_CANCELLED = status_event("return.cancelled")
RETURN_ESCALATED = status_event("return.escalated")

RETURN_TRANSITIONS = TransitionTable(
    states=ReturnStatus,
    moves=(
        # In policy: the system approves at once; otherwise the seller decides, and silence approves.
        Move(S.REQUESTED, S.APPROVED, [Role.SYSTEM, *SELLER_SIDE], RETURN_APPROVED.name),
        Move(S.REQUESTED, S.REFUSED, SELLER_SIDE, RETURN_REFUSED.name),
        Move(S.REQUESTED, S.CANCELLED, [Role.BUYER], RETURN_CANCELLED.name),
        # Keep the item (a refund within the policy's band, a buyer without risk): the approval refunds at once.
        Move(S.REQUESTED, S.REFUNDED, [Role.SYSTEM, *SELLER_SIDE], RETURN_REFUNDED.name),
        # A refusal can be taken to a case.
        Move(S.REFUSED, S.ESCALATED, [Role.BUYER], RETURN_ESCALATED.name),
        # Shipping back, or not in time.
        Move(S.APPROVED, S.SHIPPED, [Role.BUYER, Role.MARKETPLACE], RETURN_SHIPPED.name),
        Move(S.APPROVED, S.CANCELLED, [Role.BUYER], RETURN_CANCELLED.name),
        Move(S.APPROVED, S.LAPSED, [Role.SYSTEM], RETURN_LAPSED.name),
        # The parcel arrives: scanned or typed by the seller or their warehouse (a shipped-back parcel may
        # arrive before the buyer said it was sent).
        Move(S.APPROVED, S.RECEIVED, WAREHOUSE, RETURN_RECEIVED.name),
        Move(S.SHIPPED, S.RECEIVED, WAREHOUSE, RETURN_RECEIVED.name),
        # Inspected: a refund (by the seller, or by the platform when the seller is late), a replacement,
        # or nothing accepted.
        Move(S.RECEIVED, S.REFUNDED, [Role.SYSTEM, *SELLER_SIDE], RETURN_REFUNDED.name),
        Move(S.RECEIVED, S.REPLACEMENT_REQUESTED, SELLER_SIDE, RETURN_REPLACEMENT_REQUESTED.name),
        Move(S.RECEIVED, S.CLOSED, SELLER_SIDE, RETURN_CLOSED.name),
        # An exchange: the seller sends the replacement with its tracking number; out of stock, the buyer is
        # offered the refund and takes it.
        Move(S.REPLACEMENT_REQUESTED, S.REPLACEMENT_SHIPPED, WAREHOUSE, RETURN_REPLACEMENT_SHIPPED.name),
        Move(S.RECEIVED, S.REFUND_OFFERED, SELLER_SIDE, RETURN_REFUND_OFFERED.name),
        Move(S.REFUND_OFFERED, S.REFUNDED, [Role.BUYER], RETURN_REFUNDED.name),
    ),
)
