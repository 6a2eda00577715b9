"""Enforcement statuses and the one table of moves between them.

An enforcement starts ``proposed`` (by the nightly standards run, or by an
operator about to apply one); an operator with the permission applies or
dismisses it. Applied, it takes effect on its effective date; the seller may
appeal once, and another decision by an operator revokes it or keeps it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from marketdesk.core.actors import Role
from marketdesk.core.appeals import appeal_moves
from marketdesk.core.models import Audience
from marketdesk.core.timeline import status_event
from marketdesk.core.transitions import Move, TransitionTable


class EnforcementKind(models.TextChoices):
    WARNING = "warning", _("Warning")
    RESTRICTION = "restriction", _("Restriction")
    SUSPENSION = "suspension", _("Suspension")


class EnforcementStatus(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("enforcement", "Proposed")
    ACTIVE = "active", pgettext_lazy("enforcement", "In force")
    DISMISSED = "dismissed", pgettext_lazy("enforcement", "Dismissed")
    APPEALED = "appealed", pgettext_lazy("enforcement", "Appealed")
    REVOKED = "revoked", pgettext_lazy("enforcement", "Revoked on appeal")
    LIFTED = "lifted", pgettext_lazy("enforcement", "Lifted")


S = EnforcementStatus
STAFF = (Role.OPERATOR, Role.ADMIN)
# In force (or about to be, from its effective date) while applied and not yet revoked or lifted.
BINDING_STATUSES = (S.ACTIVE, S.APPEALED)
#: What a measure in force changes, as the seller and operators are told.
CONSEQUENCES = {
    EnforcementKind.WARNING: _(
        "Nothing changes yet. If the standards are still missed, the next step is a restriction."
    ),
    EnforcementKind.RESTRICTION: _(
        "While it is in force the marketplace is told, and may limit the shop's listings or hold its payouts."
    ),
    EnforcementKind.SUSPENSION: _(
        "While it is in force the shop's cases go straight to support, new ones and those waiting for its "
        "answer: the seller gets no first answer."
    ),
}
#: How heavy each measure is: a shop is held to the heaviest one in force.
SEVERITY: dict[str, int] = {EnforcementKind.WARNING: 1, EnforcementKind.RESTRICTION: 2, EnforcementKind.SUSPENSION: 3}

ENFORCEMENT_APPLIED = status_event("enforcement.applied", Audience.PARTIES)
ENFORCEMENT_DISMISSED = status_event("enforcement.dismissed", Audience.INTERNAL)
ENFORCEMENT_APPEALED = status_event("enforcement.appealed", Audience.PARTIES)
ENFORCEMENT_APPEAL_ACCEPTED = status_event("enforcement.appeal_accepted", Audience.PARTIES)
ENFORCEMENT_APPEAL_REJECTED = status_event("enforcement.appeal_rejected", Audience.PARTIES)
ENFORCEMENT_LIFTED = status_event("enforcement.lifted", Audience.PARTIES)

ENFORCEMENT_TRANSITIONS = TransitionTable(
    states=EnforcementStatus,
    moves=(
        Move(S.PROPOSED, S.ACTIVE, STAFF, ENFORCEMENT_APPLIED.name),
        Move(S.PROPOSED, S.DISMISSED, [*STAFF, Role.SYSTEM], ENFORCEMENT_DISMISSED.name),
        *appeal_moves(
            party=Role.SELLER,
            staff=STAFF,
            appealed=ENFORCEMENT_APPEALED.name,
            accepted=ENFORCEMENT_APPEAL_ACCEPTED.name,
            rejected=ENFORCEMENT_APPEAL_REJECTED.name,
            lifted=ENFORCEMENT_LIFTED.name,
        ),
    ),
)
