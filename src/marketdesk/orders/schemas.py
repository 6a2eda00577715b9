"""API schemas of orders: strict input the marketplace pushes, and what every reader gets back.

Input is strict on purpose: amounts are whole numbers of minor units (never
12.5, never "1250"), times carry a time zone, and unknown fields are refused
so a typo in an integration fails loudly instead of being ignored. Rules that
span fields (totals adding up, known currency, unchanged content) live in
``order_validate`` / ``order_upsert``, not here.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import AwareDatetime, ConfigDict, Field, StrictInt

from marketdesk.api.pagination import CursorPage
from marketdesk.core.parsing import IsoDatetime
from marketdesk.orders.models import Order, PaymentStatus
from marketdesk.orders.services import (
    BuyerData,
    DeliveryAddressData,
    LineData,
    OrderData,
    PaymentData,
    ShopData,
)
from marketdesk.orders.states import OrderStatus

Minor = Annotated[StrictInt, Field(ge=0, description="Amount in minor units of the currency (cents, kopecks, yen).")]
Positive = Annotated[StrictInt, Field(ge=1)]
ExternalId = Annotated[str, Field(min_length=1, max_length=100)]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. GBP.")]


class StrictIn(Schema):
    model_config = ConfigDict(extra="forbid")


class BuyerIn(StrictIn):
    external_id: ExternalId
    name: Annotated[str, Field(min_length=1, max_length=150)]
    email: Annotated[str, Field(max_length=254)] = ""
    language: Literal["en", "ru"] = "en"


class ShopIn(StrictIn):
    external_id: ExternalId
    name: Annotated[str, Field(min_length=1, max_length=200)]
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] = "GB"


class OrderLineIn(StrictIn):
    external_id: ExternalId
    title: Annotated[str, Field(min_length=1, max_length=300)]
    quantity: Positive
    unit_price_minor: Minor
    total_minor: Minor
    sku: Annotated[str, Field(max_length=100)] = ""
    category: Annotated[
        str,
        Field(
            max_length=50,
            pattern=r"^[a-z0-9_-]*$",
            description="The item's category (lower case), as the return policy's restocking fees name it.",
        ),
    ] = ""
    final_sale: Annotated[
        bool, Field(description="Sold as final sale: not returnable for a change of mind or a bad fit.")
    ] = False


class PaymentIn(StrictIn):
    external_id: ExternalId
    method: Annotated[str, Field(min_length=1, max_length=50)]
    amount_minor: Minor
    currency: CurrencyCode
    status: PaymentStatus
    paid_at: IsoDatetime | None = None


class DeliveryAddressIn(StrictIn):
    """Where the order goes. marketdesk keeps only a keyed hash of its normalized form, to tell operators which
    accounts share an address (ADR 0020); the address itself is neither stored nor returned."""

    line1: Annotated[str, Field(min_length=1, max_length=200)]
    line2: Annotated[str, Field(max_length=200)] = ""
    city: Annotated[str, Field(min_length=1, max_length=100)]
    postcode: Annotated[str, Field(max_length=20)] = ""
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 code, e.g. GB.")]


class OrderUpsertIn(StrictIn):
    """One order as the marketplace knows it; its number is in the URL."""

    buyer: BuyerIn
    shop: ShopIn
    currency: CurrencyCode
    total_minor: Minor
    placed_at: IsoDatetime
    lines: Annotated[list[OrderLineIn], Field(min_length=1, max_length=500)]
    status: OrderStatus = OrderStatus.PLACED
    shipping_minor: Minor = 0
    payments: Annotated[list[PaymentIn], Field(max_length=50)] = []
    estimated_delivery_at: IsoDatetime | None = None
    delivered_at: IsoDatetime | None = None
    payment_fingerprint: Annotated[
        str | None,
        Field(
            max_length=64,
            description=(
                "Your SHA-256 (64 hexadecimal characters) of the payment instrument's own fingerprint, salted with a "
                "secret of yours; leave it out when there is none (empty, or the hash of an empty value, is refused). "
                "Used only for risk signals: accounts sharing one payment method."
            ),
        ),
    ] = None
    delivery_address: DeliveryAddressIn | None = None

    def to_data(self, external_id: str) -> OrderData:
        """Return the service's ``OrderData`` for this order."""
        return OrderData(
            external_id=external_id,
            buyer=BuyerData(**self.buyer.model_dump()),
            shop=ShopData(**self.shop.model_dump()),
            currency=self.currency,
            total_minor=self.total_minor,
            placed_at=self.placed_at,
            lines=tuple(LineData(**line.model_dump()) for line in self.lines),
            status=str(self.status),
            shipping_minor=self.shipping_minor,
            payments=tuple(PaymentData(**{**p.model_dump(), "status": str(p.status)}) for p in self.payments),
            estimated_delivery_at=self.estimated_delivery_at,
            delivered_at=self.delivered_at,
            payment_fingerprint=self.payment_fingerprint,
            delivery_address=(
                DeliveryAddressData(**self.delivery_address.model_dump()) if self.delivery_address else None
            ),
        )


class OrderBatchItemIn(OrderUpsertIn):
    """One order of a batch; here the number travels in the body."""

    external_id: ExternalId


class OrderBatchIn(StrictIn):
    orders: Annotated[
        list[dict[str, Any]],
        Field(
            min_length=1,
            max_length=500,
            description=(
                "Up to 500 orders, each shaped as OrderUpsertIn plus its external_id, and validated on its own: "
                "a malformed order fails alone (see its result) instead of failing the batch."
            ),
        ),
    ]


class PartyOut(Schema):
    external_id: str
    name: str


class OrderLineOut(Schema):
    external_id: str
    sku: str
    category: str
    final_sale: bool
    title: str
    quantity: int
    unit_price_minor: int
    total_minor: int


class PaymentOut(Schema):
    external_id: str
    method: str
    amount_minor: int
    currency: str
    status: str
    paid_at: AwareDatetime | None


class OrderOut(Schema):
    external_id: str
    status: str
    currency: str
    total_minor: int
    placed_at: AwareDatetime
    estimated_delivery_at: AwareDatetime | None
    delivered_at: AwareDatetime | None
    buyer: PartyOut
    shop: PartyOut
    lines: list[OrderLineOut]
    payments: list[PaymentOut]

    @staticmethod
    def resolve_buyer(obj: Order) -> dict[str, str]:
        return {"external_id": obj.buyer.external_id, "name": obj.buyer.name}

    @staticmethod
    def resolve_shop(obj: Order) -> dict[str, str]:
        return {"external_id": obj.shop.external_id, "name": obj.shop.name}

    @staticmethod
    def resolve_lines(obj: Order) -> list[Any]:
        return list(obj.lines.all())

    @staticmethod
    def resolve_payments(obj: Order) -> list[Any]:
        return list(obj.payments.all())


class LateOut(Schema):
    cause: str = Field(..., description="likely_lost, exception, customs, stalled, not_shipped or delayed.")
    due_at: AwareDatetime | None = Field(..., description="The delivery that was promised.")
    tracking_number: str | None = Field(..., description="The parcel the cause was found on (none: nothing shipped).")


class DeliveryChangeOptionOut(Schema):
    """Whether the delivery may still be changed, and through whom.

    Not named DeliveryChangeOut: shipping has a schema of that name, and OpenAPI keeps one component per name.
    """

    allowed: bool
    route: str = Field(..., description="seller or carrier when allowed, else empty.")
    reason: str


class ParcelSituationOut(Schema):
    tracking_number: str
    where: str = Field(..., description="not_shipped, in_transit, delivered or returned.")
    tracking_status: str
    change_delivery: DeliveryChangeOptionOut | None = Field(..., description="None once the parcel can no longer move.")


class LineSituationOut(Schema):
    external_id: str
    where: str = Field(..., description="not_shipped, in_transit, delivered, returned, cancelled or refunded.")
    returnable_quantity: int = Field(..., description="How many are not in a return yet.")


class ReturnOptionOut(Schema):
    allowed: bool
    reason: str
    closes_at: AwareDatetime | None


class CaseOptionOut(Schema):
    case_type: str
    allowed: bool
    reason: str
    opens_at: AwareDatetime | None
    closes_at: AwareDatetime | None


class NextDeadlineOut(Schema):
    due_at: AwareDatetime = Field(..., description="For a paused clock: when it would end if it ran again now.")
    whose: str = Field(..., description="seller, buyer, parties or operator.")
    purpose: str
    paused: bool
    subject: Literal["case", "return"]
    subject_id: int


class OrderSituationOut(Schema):
    """Where the order stands and what the buyer may do now: the same as every page says."""

    status: str
    status_label: str
    delivered_at: AwareDatetime | None = Field(..., description="As the marketplace said, else the last parcel's.")
    late: LateOut | None
    parcels: list[ParcelSituationOut]
    lines: list[LineSituationOut]
    contact_seller: bool
    return_option: ReturnOptionOut = Field(..., description="Whether items can be returned now, and until when.")
    cases: list[CaseOptionOut]
    next_deadline: NextDeadlineOut | None


class OrderDetailOut(OrderOut):
    """One order with its situation."""

    situation: OrderSituationOut


class OrderPageOut(CursorPage[OrderOut]):
    """A page of orders, newest first."""


class OrderBatchResultOut(Schema):
    """The outcome of one order of a batch: ``created``, ``unchanged_or_updated`` or ``failed``."""

    index: int
    external_id: str | None
    result: Literal["created", "updated", "failed"]
    status: int
    order: OrderOut | None = None
    problem: dict[str, Any] | None = None


class OrderBatchOut(Schema):
    results: list[OrderBatchResultOut]
