"""Writes of the marketplace's data: the idempotent order upsert."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from marketdesk.core.actors import Actor
from marketdesk.core.errors import Conflict, DomainValidationError, PermissionDenied
from marketdesk.core.money import validate_currency
from marketdesk.core.transitions import transition
from marketdesk.orders import events
from marketdesk.orders.models import Marketplace, Order, OrderLine, Payment, Shop
from marketdesk.orders.states import ORDER_TRANSITIONS, OrderStatus

if TYPE_CHECKING:
    from marketdesk.accounts.models import User


@dataclass(frozen=True)
class BuyerData:
    external_id: str
    name: str
    email: str = ""
    language: str = "en"


@dataclass(frozen=True)
class ShopData:
    external_id: str
    name: str
    country: str = "GB"


@dataclass(frozen=True)
class LineData:
    external_id: str
    title: str
    quantity: int
    unit_price_minor: int
    total_minor: int
    sku: str = ""
    category: str = ""
    final_sale: bool = False


#: Line fields added after orders were first hashed: left out of the hash while at their default, so an order
#: sent again as it was before they existed keeps its stored hash (and is not refused as changed).
_LINE_FIELDS_LATER = {"category": "", "final_sale": False}


def _line_content(line: LineData) -> dict[str, object]:
    return {k: v for k, v in asdict(line).items() if _LINE_FIELDS_LATER.get(k, object()) != v}


@dataclass(frozen=True)
class PaymentData:
    external_id: str
    method: str
    amount_minor: int
    currency: str
    status: str
    paid_at: dt.datetime | None = None


@dataclass(frozen=True)
class DeliveryAddressData:
    """Where the order goes, as the marketplace sends it: only its keyed hash is stored (ADR 0020)."""

    line1: str
    city: str
    postcode: str
    country: str
    line2: str = ""


@dataclass(frozen=True)
class OrderData:
    """What the marketplace tells us about one order."""

    external_id: str
    buyer: BuyerData
    shop: ShopData
    currency: str
    total_minor: int
    placed_at: dt.datetime
    lines: tuple[LineData, ...]
    status: str = OrderStatus.PLACED
    shipping_minor: int = 0
    payments: tuple[PaymentData, ...] = field(default_factory=tuple)
    estimated_delivery_at: dt.datetime | None = None
    delivered_at: dt.datetime | None = None
    # Not part of the content hash: a marketplace may send them later, or a changed address (ADR 0020).
    payment_fingerprint: str | None = None
    delivery_address: DeliveryAddressData | None = None

    def immutable_content(self) -> dict[str, object]:
        """The parts that never change once an order exists, for the content hash."""
        return {
            "buyer": self.buyer.external_id,
            "shop": self.shop.external_id,
            "currency": self.currency,
            "total_minor": self.total_minor,
            "shipping_minor": self.shipping_minor,
            # The same instant sent with another UTC offset is the same order.
            "placed_at": self.placed_at.astimezone(dt.UTC).isoformat(),
            "lines": [_line_content(line) for line in self.lines],
        }


def _hash(content: dict[str, object]) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


def order_content_hash(data: OrderData) -> str:
    """Return the content hash ``order_upsert`` stores for this order's immutable content."""
    return _hash(data.immutable_content())


#: A fingerprint is the marketplace's SHA-256 of the payment instrument, in hex (ADR 0020).
FINGERPRINT_RE = re.compile(r"[0-9a-fA-F]{64}")
#: SHA-256 of nothing: what a marketplace sends when it hashed an empty fingerprint; it would tie every such buyer.
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
ADDRESS_HASH_SALT = "marketdesk.orders.delivery_address"


def _address_part(text: str) -> str:
    # Same letters, case, width and punctuation as the same address typed another way ("Flat 2, 1 High St.").
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", folded).split())


def delivery_address_normalize(address: DeliveryAddressData) -> str:
    """Return the address in the one form its hash is taken of: folded case and width, no punctuation."""
    postcode = _address_part(address.postcode).replace(" ", "")
    parts = (address.line1, address.line2, address.city)
    return "|".join([*(_address_part(part) for part in parts), postcode, _address_part(address.country)])


def delivery_address_hash(address: DeliveryAddressData) -> str:
    """Return the keyed hash (HMAC-SHA256 under the installation's secret) of the normalized address."""
    return salted_hmac(ADDRESS_HASH_SALT, delivery_address_normalize(address), algorithm="sha256").hexdigest()


def order_risk_keys(data: OrderData) -> tuple[str, str]:
    """Return what the order stores of its payment fingerprint and delivery address (empty when not sent)."""
    fingerprint = (data.payment_fingerprint or "").lower()
    address = delivery_address_hash(data.delivery_address) if data.delivery_address is not None else ""
    return fingerprint, address


def _validate_risk_keys(data: OrderData) -> None:
    fingerprint = data.payment_fingerprint
    if fingerprint is not None:
        if not fingerprint.strip():
            raise DomainValidationError(
                _("The payment fingerprint is empty: leave it out when there is none."), field="payment_fingerprint"
            )
        if not FINGERPRINT_RE.fullmatch(fingerprint):
            raise DomainValidationError(
                _("The payment fingerprint must be a SHA-256 hash: 64 hexadecimal characters."),
                field="payment_fingerprint",
            )
        if fingerprint.lower() == EMPTY_SHA256:
            raise DomainValidationError(
                _("The payment fingerprint is the hash of an empty value: leave it out when there is none."),
                field="payment_fingerprint",
            )
    address = data.delivery_address
    if address is not None:
        for name in ("line1", "city", "country"):
            if not _address_part(getattr(address, name)):
                raise DomainValidationError(
                    _("The delivery address needs this part."), field=f"delivery_address.{name}"
                )


def order_validate(data: OrderData) -> None:
    """Check one order's data across fields; raise a field error naming the first problem."""
    validate_currency(data.currency)
    _require_aware_times(data)
    if data.status not in OrderStatus.values:
        raise DomainValidationError(_("Unknown order status %(status)s.") % {"status": data.status}, field="status")
    if not data.lines:
        raise DomainValidationError(_("An order needs at least one line."), field="lines")
    seen: set[str] = set()
    for i, line in enumerate(data.lines):
        if line.external_id in seen:
            raise DomainValidationError(_("Line ids must be unique within an order."), field=f"lines.{i}.external_id")
        seen.add(line.external_id)
        if line.quantity <= 0:
            raise DomainValidationError(_("Quantity must be at least 1."), field=f"lines.{i}.quantity")
        for name in ("unit_price_minor", "total_minor"):
            if getattr(line, name) < 0:
                raise DomainValidationError(_("Amounts cannot be negative."), field=f"lines.{i}.{name}")
        if line.quantity * line.unit_price_minor != line.total_minor:
            raise DomainValidationError(
                _("The line total is not quantity × unit price (%(expected)s).")
                % {"expected": line.quantity * line.unit_price_minor},
                field=f"lines.{i}.total_minor",
            )
    if data.shipping_minor < 0:
        raise DomainValidationError(_("Amounts cannot be negative."), field="shipping_minor")
    expected = sum(line.total_minor for line in data.lines) + data.shipping_minor
    if data.total_minor != expected:
        raise DomainValidationError(
            _("The order total does not add up: the lines and shipping come to %(expected)s.") % {"expected": expected},
            field="total_minor",
        )
    for i, payment in enumerate(data.payments):
        if payment.currency != data.currency:
            raise DomainValidationError(_("A payment must be in the order's currency."), field=f"payments.{i}.currency")
        if payment.amount_minor < 0:
            raise DomainValidationError(_("Amounts cannot be negative."), field=f"payments.{i}.amount_minor")
    _validate_risk_keys(data)


def _require_aware_times(data: OrderData) -> None:
    times = {
        "placed_at": data.placed_at,
        "estimated_delivery_at": data.estimated_delivery_at,
        "delivered_at": data.delivered_at,
        **{f"payments.{i}.paid_at": payment.paid_at for i, payment in enumerate(data.payments)},
    }
    for name, moment in times.items():
        if moment is not None and moment.tzinfo is None:
            raise DomainValidationError(_("Times must include a time zone."), field=name)


def _status_path(source: str, target: str) -> list[str]:
    """Return the shortest chain of moves from ``source`` to ``target`` (empty when equal)."""
    if source == target:
        return []
    queue: deque[tuple[str, list[str]]] = deque([(source, [])])
    seen = {source}
    while queue:
        state, path = queue.popleft()
        for nxt in ORDER_TRANSITIONS.targets(state):
            if nxt in seen:
                continue
            if nxt == target:
                return [*path, nxt]
            seen.add(nxt)
            queue.append((nxt, [*path, nxt]))
    raise Conflict(
        _("The order cannot go from %(source)s back to %(target)s.")
        % {"source": OrderStatus(source).label, "target": OrderStatus(target).label},
        field="status",
    )


# Who finds (or makes) the buyer an order names: accounts, the floor above, registers its writer
# (AccountsConfig.ready()), so that a buyer is created in one place however they first come.
type BuyerSource = Callable[[Marketplace, BuyerData], User]
_buyer_source: list[BuyerSource] = []


def register_buyer_source(source: BuyerSource) -> None:
    """Let ``source`` find or create the buyer of an order received from a marketplace (one source)."""
    _buyer_source[:] = [source]


def _buyer_for(marketplace: Marketplace, data: BuyerData) -> User:
    if not _buyer_source:
        raise ImproperlyConfigured("No buyer source is registered (marketdesk.accounts registers one).")
    return _buyer_source[0](marketplace, data)


def _shop_for(marketplace: Marketplace, data: ShopData) -> Shop:
    shop, _created = Shop.objects.get_or_create(
        marketplace=marketplace, external_id=data.external_id, defaults={"name": data.name, "country": data.country}
    )
    return shop


def _first_difference(order: Order, data: OrderData) -> str:
    if order.buyer.external_id != data.buyer.external_id:
        return "buyer.external_id"
    if order.shop.external_id != data.shop.external_id:
        return "shop.external_id"
    if order.currency != data.currency:
        return "currency"
    if order.total_minor != data.total_minor:
        return "total_minor"
    if order.placed_at != data.placed_at:
        return "placed_at"
    return "lines"


def _upsert_payments(order: Order, payments: tuple[PaymentData, ...]) -> bool:
    existing = {p.external_id: p for p in order.payments.all()}
    changed = False
    for i, pay in enumerate(payments):
        row = existing.get(pay.external_id)
        if row is None:
            Payment.objects.create(order=order, **asdict(pay))
            changed = True
        elif (row.method, row.amount_minor, row.currency) != (pay.method, pay.amount_minor, pay.currency):
            raise Conflict(_("This payment id was already used with other content."), field=f"payments.{i}")
        elif row.status != pay.status or row.paid_at != pay.paid_at:
            row.status, row.paid_at = pay.status, pay.paid_at
            row.save(update_fields=["status", "paid_at"])
            changed = True
    return changed


def order_upsert(*, actor: Actor, marketplace: Marketplace, data: OrderData) -> tuple[Order, bool]:
    """Create or update one order from the marketplace's data; repeat calls change nothing.

    Returns the order and whether it was created. The immutable content (buyer,
    shop, currency, amounts, lines) of an existing order must match; its status
    moves forward through the transition table, one recorded event per move.
    """
    if actor.role not in ("marketplace", "system", "admin"):
        raise PermissionDenied()
    if actor.marketplace_id is not None and actor.marketplace_id != marketplace.pk:
        raise PermissionDenied()
    order_validate(data)
    digest = order_content_hash(data)
    try:
        with transaction.atomic():
            order = (
                Order.objects.select_for_update()
                .select_related("buyer", "shop")
                .filter(marketplace=marketplace, external_id=data.external_id)
                .first()
            )
            if order is None:
                return _order_create(actor=actor, marketplace=marketplace, data=data, digest=digest), True
            if order.content_hash != digest:
                raise Conflict(
                    _("Order %(id)s already exists with different content; this field cannot change.")
                    % {"id": data.external_id},
                    field=_first_difference(order, data),
                )
            _order_update(actor=actor, order=order, data=data)
            return order, False
    except IntegrityError as exc:
        # Two deliveries of the same new order raced; the other one won, so this is a repeat.
        if Order.objects.filter(marketplace=marketplace, external_id=data.external_id, content_hash=digest).exists():
            return Order.objects.get(marketplace=marketplace, external_id=data.external_id), False
        raise Conflict(_("The order could not be stored: %(error)s") % {"error": exc}) from exc


def _order_create(*, actor: Actor, marketplace: Marketplace, data: OrderData, digest: str) -> Order:
    fingerprint, address_hash = order_risk_keys(data)
    order = Order.objects.create(
        marketplace=marketplace,
        external_id=data.external_id,
        buyer=_buyer_for(marketplace, data.buyer),
        shop=_shop_for(marketplace, data.shop),
        status=data.status,
        currency=data.currency,
        total_minor=data.total_minor,
        placed_at=data.placed_at,
        estimated_delivery_at=data.estimated_delivery_at,
        delivered_at=data.delivered_at,
        content_hash=digest,
        line_count=len(data.lines),
        payment_fingerprint=fingerprint,
        delivery_address_hash=address_hash,
    )
    OrderLine.objects.bulk_create([OrderLine(order=order, **asdict(line)) for line in data.lines])
    for pay in data.payments:
        Payment.objects.create(order=order, **asdict(pay))
    events.order_placed(
        order=order,
        actor=actor,
        status=data.status,
        total_minor=data.total_minor,
        currency=data.currency,
        lines=len(data.lines),
    )
    return order


TOLD_AS = {"delivery_address_hash": "delivery_address"}


def _order_update(*, actor: Actor, order: Order, data: OrderData) -> None:
    changed: list[str] = []
    for name in ("estimated_delivery_at", "delivered_at"):
        if getattr(order, name) != getattr(data, name) and getattr(data, name) is not None:
            setattr(order, name, getattr(data, name))
            changed.append(name)
    # Sent later, or changed (a new address before shipping): what is not sent stays as it was.
    fingerprint, address_hash = order_risk_keys(data)
    for name, value in (("payment_fingerprint", fingerprint), ("delivery_address_hash", address_hash)):
        if value and getattr(order, name) != value:
            setattr(order, name, value)
            changed.append(name)
    if changed:
        order.save(update_fields=changed)
    # The parties' timeline says the address changed, in words; the fingerprint is a risk key, for no party's eyes.
    told = [TOLD_AS.get(name, name) for name in changed if name != "payment_fingerprint"]
    if _upsert_payments(order, data.payments):
        told.append("payments")
    if told:
        events.order_details_updated(order=order, actor=actor, changed=told)
    for target in _status_path(order.status, data.status):
        transition(order, to=target, actor=actor)
