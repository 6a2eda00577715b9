"""The ledger: refunds, compensations and recoveries decided on an order, each recorded once."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketdesk.core import clock
from marketdesk.core.actors import Role
from marketdesk.core.money import Money
from marketdesk.core.transitions import Move, StatefulModel, TransitionTable


class EntryKind(models.TextChoices):
    REFUND = "refund", _("Refund")
    COMPENSATION = "compensation", _("Compensation")
    RECOVERY = "recovery", _("Recovery")


class Payer(models.TextChoices):
    SELLER = "seller", _("Seller")
    PLATFORM = "platform", _("Platform")


class InstructionStatus(models.TextChoices):
    """Where a refund instruction to the marketplace stands (other kinds are not instructed)."""

    NOT_APPLICABLE = "n/a", _("Not applicable")
    INSTRUCTED = "instructed", _("Instructed")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")


# The entry itself is the record (its webhook tells the marketplace): no timeline event of its own.
INSTRUCTION_TRANSITIONS = TransitionTable(
    states=InstructionStatus,
    moves=(Move(InstructionStatus.INSTRUCTED, InstructionStatus.ACKNOWLEDGED, [Role.MARKETPLACE], None),),
    field="instruction_status",
)


class LedgerEntry(StatefulModel):
    """One money movement of one decision; the set of a decision is written exactly once."""

    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="ledger_entries", verbose_name=_("order")
    )
    # No foreign key: the cases app is built alongside and must not be a dependency of the ledger's
    # schema. Turn this into a ForeignKey to cases.Case once that model exists.
    case_id = models.BigIntegerField(_("case"), null=True, blank=True)
    decision_key = models.CharField(_("decision"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    payer = models.CharField(_("payer"), max_length=16, choices=Payer.choices)
    amount_minor = models.BigIntegerField(_("amount"))
    currency = models.CharField(_("currency"), max_length=3)
    reason = models.CharField(_("reason"), max_length=64)
    created_at = models.DateTimeField(_("recorded"), default=clock.now)
    created_by_role = models.CharField(max_length=16, verbose_name=_("created by role"))
    created_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by user"),
    )
    TRANSITIONS = INSTRUCTION_TRANSITIONS
    instruction_status = models.CharField(
        _("instruction"), max_length=16, choices=InstructionStatus.choices, default=InstructionStatus.NOT_APPLICABLE
    )
    instructed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("instructed at"))
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            # The guarantee of "one set per decision": a retry, double click or race hits this, not a check in code.
            models.UniqueConstraint(fields=["decision_key", "kind", "payer"], name="ledger_decision_unique"),
            models.CheckConstraint(condition=models.Q(amount_minor__gt=0), name="ledger_amount_positive"),
            models.CheckConstraint(condition=models.Q(kind__in=EntryKind.values), name="ledger_kind_valid"),
            models.CheckConstraint(condition=models.Q(payer__in=Payer.values), name="ledger_payer_valid"),
            models.CheckConstraint(
                condition=(
                    models.Q(kind=EntryKind.REFUND, instruction_status__in=["instructed", "acknowledged"])
                    | (~models.Q(kind=EntryKind.REFUND) & models.Q(instruction_status="n/a"))
                ),
                name="ledger_instruction_matches_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["order", "-created_at", "-id"], name="ledger_order_recent_idx"),
            models.Index(fields=["instruction_status", "instructed_at"], name="ledger_unacknowledged_idx"),
            # The dashboard reads today's refunds (the closed days come from its rollups).
            models.Index(fields=["created_at"], name="ledger_created_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} ({self.payer})"

    @property
    def amount(self) -> Money:
        return Money(self.amount_minor, self.currency)
