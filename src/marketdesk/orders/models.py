"""The marketplace's data: marketplaces, shops, orders, lines and payments (read-mostly)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketdesk.core import clock
from marketdesk.core.money import Money
from marketdesk.core.transitions import StatefulModel
from marketdesk.orders.states import ORDER_TRANSITIONS, OrderStatus


class Marketplace(models.Model):
    """A marketplace plugged into this installation (one tenant)."""

    slug = models.SlugField(max_length=50, unique=True, verbose_name=_("slug"))
    name = models.CharField(_("name"), max_length=120)
    country = models.CharField(_("country"), max_length=2, default="GB")
    calendar_code = models.SlugField(max_length=32, blank=True, verbose_name=_("calendar code"))

    class Meta:
        verbose_name = _("marketplace")
        verbose_name_plural = _("marketplaces")

    def __str__(self) -> str:
        return self.name


class Shop(models.Model):
    """A seller's shop on a marketplace."""

    marketplace = models.ForeignKey(
        Marketplace, on_delete=models.PROTECT, related_name="shops", verbose_name=_("marketplace")
    )
    external_id = models.CharField(max_length=100, verbose_name=_("external id"))
    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(_("country"), max_length=2, default="GB")

    class Meta:
        verbose_name = _("shop")
        verbose_name_plural = _("shops")
        constraints = [models.UniqueConstraint(fields=["marketplace", "external_id"], name="shop_external_unique")]

    def __str__(self) -> str:
        return self.name


class Order(StatefulModel):
    """One order of one buyer from one shop."""

    TRANSITIONS = ORDER_TRANSITIONS

    marketplace = models.ForeignKey(
        Marketplace, on_delete=models.PROTECT, related_name="orders", verbose_name=_("marketplace")
    )
    external_id = models.CharField(_("order number"), max_length=100)
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders", verbose_name=_("buyer")
    )
    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="orders", verbose_name=_("shop"))
    status = models.CharField(_("status"), max_length=24, choices=OrderStatus.choices, default=OrderStatus.PLACED)
    currency = models.CharField(_("currency"), max_length=3)
    total_minor = models.BigIntegerField(_("total"))
    placed_at = models.DateTimeField(_("placed"))
    estimated_delivery_at = models.DateTimeField(_("estimated delivery"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    content_hash = models.CharField(max_length=64, verbose_name=_("content hash"))
    #: The marketplace's hash of the payment instrument (lowercase hex SHA-256), else empty (ADR 0020).
    payment_fingerprint = models.CharField(_("payment fingerprint"), max_length=64, blank=True)
    #: A keyed hash of the normalized delivery address; the address itself is never stored (ADR 0020).
    delivery_address_hash = models.CharField(_("delivery address hash"), max_length=64, blank=True)
    #: How many lines the order has, written with them (order_upsert): lists show it without counting lines.
    line_count = models.PositiveIntegerField(_("items"), default=0)
    created_at = models.DateTimeField(default=clock.now, verbose_name=_("created at"))
    updated_at = models.DateTimeField(default=clock.now, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.UniqueConstraint(fields=["marketplace", "external_id"], name="order_external_unique"),
            models.CheckConstraint(condition=models.Q(total_minor__gte=0), name="order_total_nonnegative"),
            models.CheckConstraint(condition=models.Q(status__in=OrderStatus.values), name="order_status_valid"),
        ]
        indexes = [
            models.Index(fields=["buyer", "-placed_at", "-id"], name="order_buyer_recent_idx"),
            models.Index(fields=["shop", "-placed_at", "-id"], name="order_shop_recent_idx"),
            models.Index(fields=["marketplace", "-placed_at", "-id"], name="order_mkt_recent_idx"),
            # Risk signals look up the other accounts behind one fingerprint or address (never the empty one).
            models.Index(
                fields=["payment_fingerprint", "placed_at"],
                condition=~models.Q(payment_fingerprint=""),
                name="order_payment_fp_idx",
            ),
            models.Index(
                fields=["delivery_address_hash", "placed_at"],
                condition=~models.Q(delivery_address_hash=""),
                name="order_address_hash_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.external_id

    @property
    def total(self) -> Money:
        return Money(self.total_minor, self.currency)


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    external_id = models.CharField(max_length=100)
    sku = models.CharField(max_length=100, blank=True)
    title = models.CharField(_("item"), max_length=300)
    # What the marketplace files the item under (the restocking fee's table reads it); empty when it says none.
    category = models.CharField(_("category"), max_length=50, blank=True, default="")
    # Sold as final sale: not returnable for a change of mind (damaged, wrong or not as described still is).
    final_sale = models.BooleanField(_("final sale"), default=False)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price_minor = models.BigIntegerField(_("unit price"))
    total_minor = models.BigIntegerField(_("line total"))

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "external_id"], name="line_external_unique"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="line_quantity_positive"),
            models.CheckConstraint(condition=models.Q(unit_price_minor__gte=0), name="line_price_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.title}"

    @property
    def unit_price(self) -> Money:
        return Money(self.unit_price_minor, self.order.currency)

    @property
    def total(self) -> Money:
        return Money(self.total_minor, self.order.currency)


class PaymentStatus(models.TextChoices):
    AUTHORIZED = "authorized", _("Authorized")
    CAPTURED = "captured", _("Captured")
    REFUNDED = "refunded", _("Refunded")
    FAILED = "failed", _("Failed")


# The payment methods marketplaces send, in words; a method not listed reads as its code made into words.
PAYMENT_METHOD_NAMES: dict[str, Any] = {
    "card": _("Card"),
    "paypal": "PayPal",
    "apple_pay": "Apple Pay",
    "google_pay": "Google Pay",
    "sbp": _("Faster Payments System (SBP)"),
    "yoomoney": "ЮMoney",
    "paypay": "PayPay",
    "konbini": _("Convenience store (konbini)"),
    "sepa_debit": _("SEPA direct debit"),
    "klarna": "Klarna",
    "bank_transfer": _("Bank transfer"),
    "cash_on_delivery": _("Cash on delivery"),
}


def payment_method_label(method: str) -> str:
    """Return a payment method in words in the active language ("apple_pay" reads "Apple Pay")."""
    known = PAYMENT_METHOD_NAMES.get(method)
    return str(known) if known is not None else method.replace("_", " ").capitalize()


class Payment(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="payments")
    external_id = models.CharField(max_length=100)
    method = models.CharField(_("method"), max_length=50)
    amount_minor = models.BigIntegerField(_("amount"))
    currency = models.CharField(max_length=3)
    status = models.CharField(_("status"), max_length=16, choices=PaymentStatus.choices)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "external_id"], name="payment_external_unique"),
            models.CheckConstraint(condition=models.Q(amount_minor__gte=0), name="payment_amount_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.amount_minor} {self.currency}"

    @property
    def amount(self) -> Money:
        return Money(self.amount_minor, self.currency)

    @property
    def method_label(self) -> str:
        return payment_method_label(self.method)


class OrderCount(models.Model):
    """How many orders one buyer has, or one shop: the "N orders" above an order list, read in one query.

    Kept exact by database triggers on the orders table (migration ``0004_order_counts``), so every write — an
    import, the simulator, a bulk insert, a delete — moves its count in its own transaction, and the lists never
    count a buyer's or a shop's orders again. ``marketdesk order_counts_check`` recounts and compares
    (``--repair`` rewrites them).
    """

    kind = models.CharField(max_length=8)  # "buyer" or "shop"
    owner_id = models.BigIntegerField()
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "owner_id"], name="order_count_key")]

    def __str__(self) -> str:
        return f"{self.kind} {self.owner_id}: {self.n}"
