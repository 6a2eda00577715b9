"""A measure staff take against a party that the party may appeal: its appeal's fields and its moves.

A seller's enforcement (``standards``) and the restriction of a buyer's protection (``risk``) are such
measures: PRODUCT.md restricts protection "with notice and appeal, as seller enforcement is". In force
until lifted, appealed by its party, the appeal answered by staff who revoke the measure or keep it.
Each keeps its own status choices (their Russian labels differ in grammatical gender), its own events
and its own services; the appeal's record and its moves are the same, and live here once.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketdesk.core.transitions import Move, StatefulModel


class AppealableMeasure(StatefulModel):
    """A measure's one appeal (its text, the answer, who decided and when) and when the measure ended."""

    appeal_text = models.TextField(_("appeal"), blank=True)
    appealed_at = models.DateTimeField(_("appealed"), null=True, blank=True)
    appeal_answer = models.TextField(_("answer to the appeal"), blank=True)
    appeal_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("appeal decided by"),
    )
    appeal_decided_at = models.DateTimeField(_("appeal decided at"), null=True, blank=True)
    # Revoked on appeal or lifted.
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        abstract = True


def appeal_moves(
    *, party: str, staff: Iterable[str], appealed: str, accepted: str, rejected: str, lifted: str
) -> tuple[Move, ...]:
    """Return the moves of a measure in force: ``party`` appeals it; ``staff`` revoke or keep it, or lift it.

    The measure's status choices must hold ``active``, ``appealed``, ``revoked`` and ``lifted`` (its table
    refuses an unknown state when it is built); ``appealed`` .. ``lifted`` name the event each move appends.
    """
    staff = tuple(staff)
    return (
        Move("active", "appealed", [party], appealed),
        Move("appealed", "revoked", staff, accepted),
        Move("appealed", "active", staff, rejected),
        Move("active", "lifted", staff, lifted),
    )
