"""Flags on messages that try to move payment or contact off the platform, and each marketplace's choice."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketdesk.core import clock
from marketdesk.core.transitions import StatefulModel
from marketdesk.safety.states import REASON_LABELS, TRANSITIONS, FlagAction, FlagKind, FlagStatus


class MessageFlag(StatefulModel):
    """One flagged message: what was found, what the policy did, and support's review."""

    TRANSITIONS = TRANSITIONS

    message = models.OneToOneField(
        "messaging.Message", on_delete=models.PROTECT, related_name="safety_flag", verbose_name=_("message")
    )
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+", verbose_name=_("order"))
    marketplace = models.ForeignKey(
        "orders.Marketplace", on_delete=models.PROTECT, related_name="+", verbose_name=_("marketplace")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=FlagKind.choices)
    reasons = models.JSONField(_("reasons"), default=list)
    score_bp = models.PositiveIntegerField(
        _("model score (basis points)"), default=0
    )  # the model's probability, in basis points
    action = models.CharField(_("action"), max_length=4, choices=FlagAction.choices)
    status = models.CharField(_("status"), max_length=8, choices=FlagStatus.choices)
    policy_version = models.PositiveIntegerField(_("policy version"), default=0)
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    updated_at = models.DateTimeField(_("updated at"), default=clock.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )

    class Meta:
        verbose_name = _("flagged message")
        verbose_name_plural = _("flagged messages")
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=FlagStatus.values), name="message_flag_status_valid"),
            models.CheckConstraint(condition=models.Q(kind__in=FlagKind.values), name="message_flag_kind_valid"),
        ]
        indexes = [
            # The review list: one marketplace's flags of a status, newest first (keyset on created_at, id).
            models.Index(fields=["marketplace", "status", "-created_at", "-id"], name="message_flag_review_idx"),
        ]

    def __str__(self) -> str:
        return f"flag on message {self.message_id}"

    @property
    def reason_words(self) -> list[str]:
        """Return what was found, in the reader's language."""
        return [str(REASON_LABELS.get(code, code)) for code in self.reasons]


class MarketplaceSafety(models.Model):
    """A marketplace's own choice of hold or warn per kind; blank follows the policy in force."""

    marketplace = models.OneToOneField(
        "orders.Marketplace", on_delete=models.CASCADE, related_name="safety", verbose_name=_("marketplace")
    )
    payment_action = models.CharField(
        _("seller asks for payment off the platform"), max_length=4, choices=FlagAction.choices, blank=True
    )
    contact_action = models.CharField(
        _("contact off the platform"), max_length=4, choices=FlagAction.choices, blank=True
    )

    class Meta:
        verbose_name = _("message safety setting")
        verbose_name_plural = _("message safety settings")

    def __str__(self) -> str:
        return f"message safety of marketplace {self.marketplace_id}"
