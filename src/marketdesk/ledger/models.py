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


class HoldStatus(models.TextChoices):
    HELD = "held", _("Held")
    RELEASED = "released", _("Released")


# The hold's webhooks tell the marketplace; the case or return it belongs to keeps the timeline.
HOLD_TRANSITIONS = TransitionTable(
    states=HoldStatus,
    moves=(Move(HoldStatus.HELD, HoldStatus.RELEASED, [Role.SYSTEM], None),),
)


class HoldReason(models.TextChoices):
    CASE = "case", _("Case")
    RETURN = "return", _("Return")


class PayoutHold(StatefulModel):
    """An amount of an order put at stake by one case or return: the seller's payout of it waits until it ends."""

    TRANSITIONS = HOLD_TRANSITIONS
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="payout_holds", verbose_name=_("order")
    )
    shop = models.ForeignKey("orders.Shop", on_delete=models.PROTECT, related_name="+", verbose_name=_("shop"))
    # No foreign key: cases and returns sit above the ledger (they register the hooks that hold and release).
    reason_type = models.CharField(_("reason"), max_length=16, choices=HoldReason.choices)
    reason_id = models.BigIntegerField(_("reason id"))
    amount_minor = models.BigIntegerField(_("amount held"))
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(_("status"), max_length=16, choices=HoldStatus.choices, default=HoldStatus.HELD)
    held_at = models.DateTimeField(_("held"), default=clock.now)
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    released_minor = models.BigIntegerField(_("amount released"), null=True, blank=True)
    kept_minor = models.BigIntegerField(_("amount kept"), null=True, blank=True)

    class Meta:
        ordering = ["-held_at", "-id"]
        verbose_name = _("payout hold")
        verbose_name_plural = _("payout holds")
        constraints = [
            # One hold per case or return: a retry or a repeated event finds this, never a second row.
            models.UniqueConstraint(fields=["reason_type", "reason_id"], name="payout_hold_one_per_reason"),
            models.CheckConstraint(condition=models.Q(amount_minor__gt=0), name="payout_hold_amount_positive"),
            models.CheckConstraint(condition=models.Q(status__in=HoldStatus.values), name="payout_hold_status_valid"),
            models.CheckConstraint(
                condition=models.Q(released_minor__isnull=True)
                | models.Q(released_minor__gte=0, released_minor__lte=models.F("amount_minor")),
                name="payout_hold_released_within_amount",
            ),
        ]
        indexes = [models.Index(fields=["order", "-held_at", "-id"], name="payout_hold_order_recent_idx")]

    def __str__(self) -> str:
        return f"{self.reason_type} {self.reason_id}: {self.amount} ({self.status})"

    @property
    def amount(self) -> Money:
        return Money(self.amount_minor, self.currency)
