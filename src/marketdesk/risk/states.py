"""Statuses of a buyer's protection restriction and the one table of moves between them.

Reused from the seller standards' enforcements (``standards.states``): an operator restricts with notice
(in force from its effective date); the buyer may appeal once, and another operator revokes it or keeps
it; an operator may lift it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy

from marketdesk.core.actors import Role
from marketdesk.core.appeals import appeal_moves
from marketdesk.core.models import Audience
from marketdesk.core.timeline import EventType, Payload, status_event
from marketdesk.core.transitions import TransitionTable


class RestrictionStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("restriction", "In force")
    APPEALED = "appealed", pgettext_lazy("restriction", "Appealed")
    REVOKED = "revoked", pgettext_lazy("restriction", "Revoked on appeal")
    LIFTED = "lifted", pgettext_lazy("restriction", "Lifted")


S = RestrictionStatus
STAFF = (Role.OPERATOR, Role.ADMIN)
#: Binding (from its effective date) until revoked or lifted.
BINDING_STATUSES = (S.ACTIVE, S.APPEALED)


class RestrictionAppliedPayload(Payload):
    effective_at: str


RESTRICTION_APPLIED = EventType("buyer_restriction.applied", Audience.PARTIES, RestrictionAppliedPayload)
RESTRICTION_APPEALED = status_event("buyer_restriction.appealed", Audience.PARTIES)
RESTRICTION_APPEAL_ACCEPTED = status_event("buyer_restriction.appeal_accepted", Audience.PARTIES)
RESTRICTION_APPEAL_REJECTED = status_event("buyer_restriction.appeal_rejected", Audience.PARTIES)
RESTRICTION_LIFTED = status_event("buyer_restriction.lifted", Audience.PARTIES)

RESTRICTION_TRANSITIONS = TransitionTable(
    states=RestrictionStatus,
    moves=appeal_moves(
        party=Role.BUYER,
        staff=STAFF,
        appealed=RESTRICTION_APPEALED.name,
        accepted=RESTRICTION_APPEAL_ACCEPTED.name,
        rejected=RESTRICTION_APPEAL_REJECTED.name,
        lifted=RESTRICTION_LIFTED.name,
    ),
)
