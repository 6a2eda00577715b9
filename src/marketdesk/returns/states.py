"""Return statuses and the one table of moves between them.

A return is created in ``requested`` (the ``return.requested`` event records the
request); an in-policy request is approved by the system in the same
transaction. Every later change goes through this table.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from marketdesk.core.actors import Role
from marketdesk.core.timeline import status_events
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

#: A return in these statuses ended without taking its lines back: they may be returned again.
ENDED_WITHOUT_RETURN = (S.REFUSED, S.LAPSED, S.CANCELLED, S.ESCALATED)
#: A line in a return of any other status counts as returned (or being returned): it cannot be returned again.
ACTIVE_STATUSES = tuple(status for status in S if status not in ENDED_WITHOUT_RETURN)
#: A label may be issued (and downloaded) in these statuses only.
LABEL_STATUSES = (S.APPROVED, S.SHIPPED)
#: Receipt may be recorded in these statuses.
RECEIVABLE_STATUSES = (S.APPROVED, S.SHIPPED)

SELLER_SIDE = (Role.SELLER, Role.OPERATOR, Role.ADMIN)
WAREHOUSE = (Role.SELLER, Role.MARKETPLACE, Role.OPERATOR, Role.ADMIN)

status_events(
    "return",
    (
        "approved",
        "refused",
        "shipped",
        "received",
        "replacement_requested",
        "replacement_shipped",
        "refund_offered",
        "closed",
        "lapsed",
        "cancelled",
        "escalated",
    ),
    public=("refunded",),
)

RETURN_TRANSITIONS = TransitionTable(
    states=ReturnStatus,
    moves=(
        # In policy: the system approves at once; otherwise the seller decides, and silence approves.
        Move(S.REQUESTED, S.APPROVED, [Role.SYSTEM, *SELLER_SIDE], "return.approved"),
        Move(S.REQUESTED, S.REFUSED, SELLER_SIDE, "return.refused"),
        Move(S.REQUESTED, S.CANCELLED, [Role.BUYER], "return.cancelled"),
        # Keep the item (a refund within the policy's band, a buyer without risk): the approval refunds at once.
        Move(S.REQUESTED, S.REFUNDED, [Role.SYSTEM, *SELLER_SIDE], "return.refunded"),
        # A refusal can be taken to a case.
        Move(S.REFUSED, S.ESCALATED, [Role.BUYER], "return.escalated"),
        # Shipping back, or not in time.
        Move(S.APPROVED, S.SHIPPED, [Role.BUYER, Role.MARKETPLACE], "return.shipped"),
        Move(S.APPROVED, S.CANCELLED, [Role.BUYER], "return.cancelled"),
        Move(S.APPROVED, S.LAPSED, [Role.SYSTEM], "return.lapsed"),
        # The parcel arrives: scanned or typed by the seller or their warehouse (a shipped-back parcel may
        # arrive before the buyer said it was sent).
        Move(S.APPROVED, S.RECEIVED, WAREHOUSE, "return.received"),
        Move(S.SHIPPED, S.RECEIVED, WAREHOUSE, "return.received"),
        # Inspected: a refund (by the seller, or by the platform when the seller is late), a replacement,
        # or nothing accepted.
        Move(S.RECEIVED, S.REFUNDED, [Role.SYSTEM, *SELLER_SIDE], "return.refunded"),
        Move(S.RECEIVED, S.REPLACEMENT_REQUESTED, SELLER_SIDE, "return.replacement_requested"),
        Move(S.RECEIVED, S.CLOSED, SELLER_SIDE, "return.closed"),
        # An exchange: the seller sends the replacement with its tracking number; out of stock, the buyer is
        # offered the refund and takes it.
        Move(S.REPLACEMENT_REQUESTED, S.REPLACEMENT_SHIPPED, WAREHOUSE, "return.replacement_shipped"),
        Move(S.RECEIVED, S.REFUND_OFFERED, SELLER_SIDE, "return.refund_offered"),
        Move(S.REFUND_OFFERED, S.REFUNDED, [Role.BUYER], "return.refunded"),
    ),
)
