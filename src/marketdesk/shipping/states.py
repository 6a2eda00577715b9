"""Normalized delivery statuses, exception reasons, and the two state machines of delivery.

A shipment's ``tracking_status`` is not a state machine: it is the projection of the
carrier's events (the one with the latest event time wins), so it may go anywhere the
carrier says. Delivery change requests and lost-parcel investigations are decided by
people and move only through their transition tables.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from marketdesk.core.actors import Role
from marketdesk.core.timeline import status_event
from marketdesk.core.transitions import Move, TransitionTable


class TrackingStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("delivery", "Pending")
    INFO_RECEIVED = "info_received", _("Label created")
    IN_TRANSIT = "in_transit", _("In transit")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    FAILED_ATTEMPT = "failed_attempt", _("Delivery attempt failed")
    AVAILABLE_FOR_PICKUP = "available_for_pickup", _("Ready for pickup")
    DELIVERED = "delivered", pgettext_lazy("delivery", "Delivered")
    EXCEPTION = "exception", _("Problem with delivery")
    RETURNING_TO_SENDER = "returning_to_sender", _("Returning to the seller")
    RETURNED = "returned", _("Returned to the seller")
    EXPIRED = "expired", _("Tracking expired")


class ExceptionReason(models.TextChoices):
    NONE = "", _("None")
    CUSTOMS = "customs", _("Held in customs")
    ADDRESS = "address", _("Address problem")
    REFUSED = "refused", _("Refused at delivery")
    DAMAGED = "damaged", _("Damaged in transit")
    LOST = "lost", _("Lost by the carrier")
    OTHER = "other", _("Other carrier problem")


T = TrackingStatus
#: Before the carrier has the parcel: the seller can still change where it goes.
BEFORE_HANDOVER = frozenset({T.PENDING, T.INFO_RECEIVED})
#: With the carrier, on its way: only a carrier that redirects can change it.
MOVING = frozenset({T.IN_TRANSIT, T.EXCEPTION})
#: Nothing more will happen to the parcel.
FINAL = frozenset({T.DELIVERED, T.RETURNED, T.EXPIRED})
#: Stages in the order the buyer's stage indicator shows them.
STAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ordered", (T.PENDING,)),
    ("handed_over", (T.INFO_RECEIVED,)),
    ("in_transit", (T.IN_TRANSIT, T.EXCEPTION, T.RETURNING_TO_SENDER)),
    ("out_for_delivery", (T.OUT_FOR_DELIVERY, T.FAILED_ATTEMPT, T.AVAILABLE_FOR_PICKUP)),
    ("delivered", (T.DELIVERED, T.RETURNED, T.EXPIRED)),
)


class ChangeKind(models.TextChoices):
    ADDRESS = "address", _("Change the address")
    DATE = "date", _("Change the delivery date")
    PICKUP_POINT = "pickup_point", _("Deliver to a pickup point")


class ChangeRoute(models.TextChoices):
    SELLER = "seller", _("The seller")
    CARRIER = "carrier", _("The carrier")


class ChangeStatus(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("delivery change", "Requested")
    ACCEPTED = "accepted", pgettext_lazy("delivery change", "Accepted")
    DECLINED = "declined", pgettext_lazy("delivery change", "Declined")
    WITHDRAWN = "withdrawn", pgettext_lazy("delivery change", "Withdrawn")


CHANGE_ACCEPTED = status_event("delivery_change.accepted")
CHANGE_DECLINED = status_event("delivery_change.declined")
CHANGE_WITHDRAWN = status_event("delivery_change.withdrawn")
# The seller answers for a change before handover; a carrier's answer arrives through the marketplace.
ANSWERERS = (Role.SELLER, Role.MARKETPLACE, Role.SYSTEM, Role.OPERATOR, Role.ADMIN)

C = ChangeStatus
CHANGE_TRANSITIONS = TransitionTable(
    states=ChangeStatus,
    moves=(
        Move(C.REQUESTED, C.ACCEPTED, ANSWERERS, CHANGE_ACCEPTED.name),
        Move(C.REQUESTED, C.DECLINED, ANSWERERS, CHANGE_DECLINED.name),
        Move(C.REQUESTED, C.WITHDRAWN, (Role.BUYER,), CHANGE_WITHDRAWN.name),
    ),
)


class InvestigationStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("investigation", "Open")
    FOUND = "found", _("Parcel found")
    REFUNDED = "refunded", pgettext_lazy("investigation", "Refunded")
    RESHIPPED = "reshipped", _("Sent again")


INVESTIGATION_FOUND = status_event("lost_parcel.found")
INVESTIGATION_REFUNDED = status_event("lost_parcel.refunded")
INVESTIGATION_RESHIPPED = status_event("lost_parcel.reshipped")
STAFF = (Role.OPERATOR, Role.ADMIN, Role.SYSTEM, Role.MARKETPLACE, Role.SELLER)

INV = InvestigationStatus
INVESTIGATION_TRANSITIONS = TransitionTable(
    states=InvestigationStatus,
    moves=(
        Move(INV.OPEN, INV.FOUND, STAFF, INVESTIGATION_FOUND.name),
        Move(INV.OPEN, INV.REFUNDED, STAFF, INVESTIGATION_REFUNDED.name),
        Move(INV.OPEN, INV.RESHIPPED, STAFF, INVESTIGATION_RESHIPPED.name),
    ),
)


class CareTrigger(models.TextChoices):
    LIKELY_LOST = "likely_lost", _("Likely lost")
    STALLED = "stalled", _("No scan for days")
    DAMAGED = "damaged", _("Damaged in transit")
    LOST = "lost", _("Lost by the carrier")
    REFUSED = "refused", _("Refused at delivery")
