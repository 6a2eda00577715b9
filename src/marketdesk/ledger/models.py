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


class FundingSource(models.TextChoices):
    """Who bears a refund in the end (``payer`` says who pays the buyer now)."""

    SELLER = "seller", _("Seller")
    PLATFORM_GUARANTEE = "platform_guarantee", _("Platform guarantee")
    CARRIER_CLAIM = "carrier_claim", _("Carrier claim")
    PLATFORM = "platform", _("Platform, outside the guarantee")


class FundingReason(models.TextChoices):
    """Why a refund is funded as it is: kept on the entry, shown translated."""

    SELLER_PAYS = "seller_pays", _("The decision has the seller pay")
    SELLER_LATE = "seller_late", _("The seller did not refund in time: the platform refunded and recovers it")
    CARRIER_LIABLE = "carrier_liable", _("The carrier lost the parcel: the platform claims it back")
    GUARANTEED = "guaranteed", _("Shipped on time with valid tracking by a shop in good standing, within the caps")
    NO_TRACKING = "no_tracking", _("No valid tracking: the parcel has no carrier scan")
    SHIPPED_LATE = "shipped_late", _("The order was shipped late")
    NO_STANDING = "no_standing", _("The shop has no standards rating yet")
    BELOW_STANDARD = "below_standard", _("The shop is not in good standing")
    NO_CAP = "no_cap", _("The guarantee has no cap in this currency")
    CAP_PER_REFUND = "cap_per_refund", _("Above the largest refund the guarantee covers")
    CAP_SHOP_MONTH = "cap_shop_month", _("The shop's guarantee for the month is used up")
    RECORDED_BEFORE = "recorded_before", _("Recorded before refunds had a funding source")


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
    # A refund's funding, decided by policy when it is recorded; a recovery the funding added carries its reason.
    funding_source = models.CharField(_("funded by"), max_length=24, choices=FundingSource.choices, blank=True)
    funding_reason = models.CharField(_("funding reason"), max_length=24, choices=FundingReason.choices, blank=True)
    funding_policy_version = models.PositiveIntegerField(_("funding policy version"), null=True, blank=True)
    carrier_recovered_minor = models.BigIntegerField(_("recovered from the carrier"), default=0)

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
            # Only a refund has a funding source (the service gives every refund one; rows written by hand may not).
            models.CheckConstraint(
                condition=models.Q(kind=EntryKind.REFUND) | models.Q(funding_source=""),
                name="ledger_funding_only_on_refunds",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    carrier_recovered_minor__gte=0, carrier_recovered_minor__lte=models.F("amount_minor")
                ),
                name="ledger_carrier_recovery_within_amount",
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

    @property
    def funding_explained(self) -> str:
        """The funding's reason in the reader's language (never the raw code)."""
        return str(FundingReason(self.funding_reason).label) if self.funding_reason else ""


class FundingMonth(models.Model):
    """The month's refunds of a marketplace by funding source and currency, kept as each refund is recorded.

    The funding report and its chart read these rows (one per month, source and currency), never the entries.
    A recovery is counted in the month of the refund it recovers.
    """

    marketplace = models.ForeignKey("orders.Marketplace", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("month"))
    source = models.CharField(_("funded by"), max_length=24, choices=FundingSource.choices)
    currency = models.CharField(_("currency"), max_length=3)
    refunds = models.PositiveIntegerField(_("refunds"), default=0)
    amount_minor = models.BigIntegerField(_("refunded"), default=0)
    seller_recovered_minor = models.BigIntegerField(_("recovered from the seller"), default=0)
    carrier_recovered_minor = models.BigIntegerField(_("recovered from the carrier"), default=0)

    class Meta:
        verbose_name = _("funding month")
        verbose_name_plural = _("funding months")
        constraints = [
            models.UniqueConstraint(fields=["marketplace", "month", "source", "currency"], name="funding_month_once"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.source} {self.currency}: {self.refunds}"


class GuaranteeUsage(models.Model):
    """What the platform guarantee has covered for one shop in one month and currency (the monthly cap's count)."""

    shop = models.ForeignKey("orders.Shop", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("month"))
    currency = models.CharField(_("currency"), max_length=3)
    used_minor = models.BigIntegerField(_("guaranteed"), default=0)

    class Meta:
        verbose_name = _("guarantee usage")
        verbose_name_plural = _("guarantee usage")
        constraints = [
            models.UniqueConstraint(fields=["shop", "month", "currency"], name="guarantee_usage_once"),
        ]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.month:%Y-%m}: {self.used_minor} {self.currency}"


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
