"""Returns and exchanges: the request with its lines, the seller's return policy, inspection per line."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketdesk.core import clock
from marketdesk.core.deadlines import QueueDeadlineModel
from marketdesk.core.money import Money
from marketdesk.core.transitions import StatefulModel
from marketdesk.returns.states import RETURN_TRANSITIONS, ReturnStatus


class ReturnReason(models.TextChoices):
    CHANGED_MIND = "changed_mind", _("Changed my mind")
    DOESNT_FIT = "doesnt_fit", _("Doesn't fit")
    DAMAGED = "damaged", _("Arrived damaged")
    NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
    WRONG_ITEM = "wrong_item", _("Wrong item sent")
    OTHER = "other", _("Another reason")


#: The seller's fault: photos are asked for, and the seller pays the return shipping.
SELLER_FAULT_REASONS = (ReturnReason.DAMAGED, ReturnReason.NOT_AS_DESCRIBED, ReturnReason.WRONG_ITEM)
#: Approved at once unless the seller's policy says otherwise ("other" always waits for the seller).
DEFAULT_AUTO_APPROVE = (
    ReturnReason.CHANGED_MIND,
    ReturnReason.DOESNT_FIT,
    ReturnReason.DAMAGED,
    ReturnReason.NOT_AS_DESCRIBED,
    ReturnReason.WRONG_ITEM,
)


class Resolution(models.TextChoices):
    REFUND = "refund", _("Refund")
    EXCHANGE = "exchange", _("Exchange for the same item")


class ShippingPayer(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    SELLER = "seller", _("Seller")


class RefundPayer(models.TextChoices):
    SELLER = "seller", _("Seller")
    PLATFORM = "platform", _("Platform (recovered from the seller)")


class Condition(models.TextChoices):
    AS_NEW = "as_new", _("As new")
    OPENED = "opened", _("Opened, complete")
    USED = "used", _("Used or worn")
    DAMAGED = "damaged", _("Damaged")
    MISSING = "missing", _("Missing from the parcel")


class ShopReturnPolicy(models.Model):
    """A seller's own return policy: a longer window, and which reasons are approved without asking."""

    shop = models.OneToOneField(
        "orders.Shop", on_delete=models.CASCADE, related_name="return_policy", verbose_name=_("shop")
    )
    window_days = models.PositiveIntegerField(
        _("return window (days after delivery)"), help_text=_("Never shorter than the platform's window.")
    )
    auto_approve_reasons = models.JSONField(
        _("reasons approved at once"), default=list, help_text=_("Other reasons wait for the seller.")
    )

    class Meta:
        verbose_name = _("shop return policy")
        verbose_name_plural = _("shop return policies")

    def __str__(self) -> str:
        return f"{self.shop}: {self.window_days} d"


#: The statuses in which a party's deadline runs on a return, and the column that holds it.
QUEUE_DEADLINE_FIELDS: dict[str, str] = {
    ReturnStatus.REQUESTED: "seller_due_at",
    ReturnStatus.APPROVED: "ship_by",
    ReturnStatus.RECEIVED: "refund_due_at",
}


class Return(QueueDeadlineModel, StatefulModel):
    """A buyer's request to send items of one order back, for a refund or an exchange."""

    TRANSITIONS = RETURN_TRANSITIONS

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="returns", verbose_name=_("order"))
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="returns", verbose_name=_("buyer")
    )
    shop = models.ForeignKey("orders.Shop", on_delete=models.PROTECT, related_name="returns", verbose_name=_("shop"))
    code = models.CharField(_("return code"), max_length=16, unique=True)
    reason = models.CharField(_("reason"), max_length=24, choices=ReturnReason.choices)
    resolution = models.CharField(_("wanted"), max_length=16, choices=Resolution.choices)
    description = models.TextField(_("what is wrong"), blank=True)
    status = models.CharField(_("status"), max_length=24, choices=ReturnStatus.choices, default=ReturnStatus.REQUESTED)
    shipping_paid_by = models.CharField(_("return shipping paid by"), max_length=8, choices=ShippingPayer.choices)
    # Refunded without the item sent back (a low price, within the policy's band, and a buyer without risk).
    keep_item = models.BooleanField(_("refunded without sending the item back"), default=False)
    policy_version = models.PositiveIntegerField(_("policy version"))
    window_closes_at = models.DateTimeField(_("return window closed"))
    requested_at = models.DateTimeField(_("requested"), default=clock.now)
    seller_due_at = models.DateTimeField(_("seller decides by"), null=True, blank=True)
    decided_at = models.DateTimeField(_("approved or refused"), null=True, blank=True)
    refusal_reason = models.TextField(_("reason for the refusal"), blank=True)
    ship_by = models.DateTimeField(_("ship back by"), null=True, blank=True)
    remind_at = models.DateTimeField(_("remind to ship at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded to ship"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped back"), null=True, blank=True)
    tracking_number = models.CharField(_("return tracking number"), max_length=64, blank=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    refund_due_at = models.DateTimeField(_("refund due"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("refunded or replaced"), null=True, blank=True)
    refund_offered_at = models.DateTimeField(_("refund offered"), null=True, blank=True)
    refund_minor = models.BigIntegerField(_("refund"), null=True, blank=True)
    refund_paid_by = models.CharField(_("refunded by"), max_length=8, choices=RefundPayer.choices, blank=True)
    partial_reason = models.TextField(_("why the refund is partial"), blank=True)
    replacement_out_of_stock = models.BooleanField(_("replacement out of stock"), default=False)
    replacement_shipment = models.ForeignKey(
        "shipping.Shipment",
        verbose_name=_("replacement shipment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    return_shipment = models.ForeignKey(
        "shipping.Shipment",
        verbose_name=_("return parcel"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    escalated_case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("escalated case"),
    )
    updated_at = models.DateTimeField(default=clock.now, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=ReturnStatus.values), name="return_status_valid"),
            models.CheckConstraint(condition=models.Q(reason__in=ReturnReason.values), name="return_reason_valid"),
            models.CheckConstraint(
                condition=models.Q(resolution__in=Resolution.values), name="return_resolution_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(refund_minor__isnull=True) | models.Q(refund_minor__gte=0),
                name="return_refund_nonnegative",
            ),
        ]
        indexes = [
            models.Index(fields=["buyer", "-requested_at"], name="return_buyer_recent_idx"),
            models.Index(fields=["shop", "status", "-requested_at"], name="return_shop_status_idx"),
            models.Index(fields=["status", "seller_due_at"], name="return_seller_due_idx"),
            models.Index(fields=["status", "ship_by"], name="return_ship_by_idx"),
            models.Index(fields=["status", "remind_at"], name="return_remind_idx"),
            models.Index(fields=["status", "refund_due_at"], name="return_refund_due_idx"),
            # The dashboard's rollups count returned lines by their request's day.
            models.Index(fields=["requested_at"], name="return_requested_idx"),
            # The operators' queue: returns by their running deadline.
            models.Index(
                fields=["queue_due_at", "id"],
                condition=models.Q(status__in=list(QUEUE_DEADLINE_FIELDS)),
                name="return_queue_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def queue_due(self) -> dt.datetime | None:
        """Return the party's running deadline (the seller's decision, the ship-back, the refund), if one runs."""
        field = QUEUE_DEADLINE_FIELDS.get(self.status)
        return getattr(self, field) if field else None

    @property
    def refund(self) -> Money | None:
        return Money(self.refund_minor, self.order.currency) if self.refund_minor is not None else None

    @property
    def authorization(self) -> str:
        """What the label's QR code holds: the return authorization with its code."""
        return f"MDRA:{self.code}"


class ReturnLine(models.Model):
    """One order line in a return: how many are sent back, and what inspection found."""

    ret = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="return_lines")
    quantity = models.PositiveIntegerField(_("quantity"))
    # Why this line comes back (the dashboard counts lines by it); the return's own reason unless said otherwise.
    reason = models.CharField(_("reason"), max_length=24, choices=ReturnReason.choices, blank=True)
    accepted_quantity = models.PositiveIntegerField(_("accepted"), null=True, blank=True)
    condition = models.CharField(_("condition"), max_length=16, choices=Condition.choices, blank=True)
    notes = models.TextField(_("inspection notes"), blank=True)
    inspected_at = models.DateTimeField(_("inspected"), null=True, blank=True)
    # Deducted from this line's refund at inspection (policy: category × condition, capped); the order's currency.
    restocking_fee_minor = models.BigIntegerField(_("restocking fee"), default=0)
    restocking_fee_currency = models.CharField(_("restocking fee currency"), max_length=3, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["ret", "order_line"], name="return_line_once"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="return_line_quantity_positive"),
            models.CheckConstraint(
                condition=models.Q(accepted_quantity__isnull=True)
                | models.Q(accepted_quantity__lte=models.F("quantity")),
                name="return_line_accepted_le_quantity",
            ),
            models.CheckConstraint(
                condition=models.Q(restocking_fee_minor__gte=0), name="return_line_restocking_fee_nonnegative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.order_line.title}"

    @property
    def requested_amount(self) -> Money:
        return Money(self.order_line.unit_price_minor * self.quantity, self.ret.order.currency)

    @property
    def restocking_fee(self) -> Money | None:
        return Money(self.restocking_fee_minor, self.restocking_fee_currency) if self.restocking_fee_minor else None
