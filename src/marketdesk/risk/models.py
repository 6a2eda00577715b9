"""Risk signals: one row per party and kind, with the orders, cases and returns behind it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketdesk.core import clock
from marketdesk.core.appeals import AppealableMeasure
from marketdesk.risk.states import RESTRICTION_TRANSITIONS, RestrictionStatus


class RiskKind(models.TextChoices):
    CLAIM_RATE = "claim_rate", _("Many claims for few orders")
    NOT_RECEIVED_WITH_PROOF = "inr_with_proof", _("“Not received” on a parcel delivered with proof")
    QUICK_CLAIMS = "quick_claims", _("Claims right after delivery")
    LATE_RETURNS = "late_returns", _("Returns always in the window's last days")
    INSPECTION_MISMATCH = "inspection_mismatch", _("Returned items differ from those sent")
    REPEATED_NOT_AS_DESCRIBED = "repeated_snad", _("Repeated “not as described” on one listing")
    SHARED_ADDRESS = "shared_address", _("Delivery address shared with other accounts")
    SHARED_PAYMENT = "shared_payment", _("Payment method shared with other accounts")


#: The kinds measured on buyers; the rest are measured on shops.
BUYER_KINDS = (
    RiskKind.CLAIM_RATE,
    RiskKind.NOT_RECEIVED_WITH_PROOF,
    RiskKind.QUICK_CLAIMS,
    RiskKind.LATE_RETURNS,
    RiskKind.INSPECTION_MISMATCH,
    RiskKind.SHARED_ADDRESS,
    RiskKind.SHARED_PAYMENT,
)
SHOP_KINDS = (RiskKind.REPEATED_NOT_AS_DESCRIBED,)


class RiskSignal(models.Model):
    """What the last computation found on one buyer or one shop, of one kind, and the evidence for it.

    Written only by ``risk.services`` (the periodic job, or a recompute for one party); read only by operators.
    """

    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    shop = models.ForeignKey("orders.Shop", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("signal"), max_length=24, choices=RiskKind.choices)
    # What the signal rests on: an operator opens each one (ids, as the computation found them).
    order_ids = models.JSONField(_("orders"), default=list)
    case_ids = models.JSONField(_("cases"), default=list)
    return_ids = models.JSONField(_("returns"), default=list)
    # The listing a seller's signal is about (the SKU), or the other accounts a buyer shares with, else empty.
    detail = models.CharField(_("detail"), max_length=100, blank=True)
    computed_at = models.DateTimeField(_("computed"), default=clock.now)

    class Meta:
        verbose_name = _("risk signal")
        verbose_name_plural = _("risk signals")
        ordering = ["kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(buyer__isnull=False, shop__isnull=True) | models.Q(buyer__isnull=True, shop__isnull=False)
                ),
                name="risk_signal_one_party",
            ),
            models.CheckConstraint(condition=models.Q(kind__in=RiskKind.values), name="risk_signal_kind_valid"),
            models.UniqueConstraint(
                fields=["buyer", "kind"], condition=models.Q(buyer__isnull=False), name="risk_buyer_kind_once"
            ),
            models.UniqueConstraint(
                fields=["shop", "kind"], condition=models.Q(shop__isnull=False), name="risk_shop_kind_once"
            ),
        ]

    def __str__(self) -> str:
        party = f"buyer {self.buyer_id}" if self.buyer_id else f"shop {self.shop_id}"
        return f"{party}: {self.kind}"


class BuyerRestriction(AppealableMeasure):
    """An operator's restriction of a buyer's protection: its reason, notice, effective date and one appeal.

    From ``effective_at`` while binding, the buyer cannot open a buyer-protection case (cases hear of it
    through ``cases.protection``, which this app registers).
    """

    TRANSITIONS = RESTRICTION_TRANSITIONS

    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("buyer")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=RestrictionStatus.choices, default=RestrictionStatus.ACTIVE
    )
    reason = models.TextField(_("reason"))
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("applied by")
    )
    applied_at = models.DateTimeField(_("applied"), default=clock.now)
    effective_at = models.DateTimeField(_("effective from"))

    class Meta:
        verbose_name = _("buyer protection restriction")
        verbose_name_plural = _("buyer protection restrictions")
        ordering = ["-applied_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=RestrictionStatus.values), name="buyer_restriction_status_valid"
            ),
            # One binding restriction per buyer: a second would have nothing to add.
            models.UniqueConstraint(
                fields=["buyer"],
                condition=models.Q(status__in=["active", "appealed"]),
                name="buyer_restriction_one_binding",
            ),
        ]

    def __str__(self) -> str:
        return f"restriction of buyer {self.buyer_id} ({self.status})"
