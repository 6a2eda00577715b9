"""Shipments of an order, the carrier's raw and normalized tracking events, delivery changes, lost parcels."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from marketdesk.core import clock
from marketdesk.core.money import Money
from marketdesk.core.transitions import StatefulModel
from marketdesk.shipping.states import (
    CHANGE_TRANSITIONS,
    FINAL,
    INVESTIGATION_TRANSITIONS,
    CareTrigger,
    ChangeKind,
    ChangeRoute,
    ChangeStatus,
    ExceptionReason,
    InvestigationStatus,
    TrackingStatus,
)

#: A parcel still on its way: the condition of the partial index of such parcels.
OPEN = ~models.Q(tracking_status__in=sorted(FINAL))
#: The same condition as a filter, its statuses written into the SQL (constants of ``TrackingStatus``): with them as
#: bound parameters, SQLite's planner cannot tell that the filter is the index's condition and reads the whole table.
OPEN_FILTER = RawSQL(  # noqa: S611 - constants, no input
    "NOT (tracking_status IN (%s))" % ", ".join(f"'{status}'" for status in sorted(FINAL)),  # noqa: UP031
    (),
    output_field=models.BooleanField(),
)


class Carrier(models.Model):
    """A carrier whose events we read; what it can do for a parcel already on its way."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    supports_redirect = models.BooleanField(_("redirects parcels in transit"), default=False)
    tracking_url = models.CharField(
        _("tracking page"), max_length=300, blank=True, help_text=_("With {number} where the tracking number goes.")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("carrier")
        verbose_name_plural = _("carriers")

    def __str__(self) -> str:
        return self.name


class CarrierStatusMapping(models.Model):
    """One row of a carrier's table: its raw status code → our status (and exception reason)."""

    carrier = models.ForeignKey(Carrier, on_delete=models.CASCADE, related_name="mappings")
    raw_status = models.CharField(_("carrier's status"), max_length=80)
    status = models.CharField(_("status"), max_length=24, choices=TrackingStatus.choices)
    exception_reason = models.CharField(
        _("exception"), max_length=16, choices=ExceptionReason.choices, blank=True, default=""
    )

    class Meta:
        ordering = ["carrier", "raw_status"]
        verbose_name = _("carrier status mapping")
        verbose_name_plural = _("carrier status mappings")
        constraints = [
            models.UniqueConstraint(fields=["carrier", "raw_status"], name="carrier_mapping_unique"),
            models.CheckConstraint(condition=models.Q(status__in=TrackingStatus.values), name="mapping_status_valid"),
            # A reason belongs to exceptions only, and every exception has one.
            models.CheckConstraint(
                condition=(models.Q(status="exception") & ~models.Q(exception_reason=""))
                | (~models.Q(status="exception") & models.Q(exception_reason="")),
                name="mapping_reason_only_for_exceptions",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.carrier.code}:{self.raw_status} → {self.status}"


class Shipment(models.Model):
    """One parcel of an order (an order may ship in several), as the marketplace and the carrier tell it.

    ``tracking_status`` and the flags are a projection of the tracking events and the clock,
    written only by ``shipping.services``.
    """

    # No index of their own: each leads a composite index below (the shipment number's, the order's, the tracking
    # number's), which serves the same look-ups; each index more is one more write when a parcel's row moves.
    marketplace = models.ForeignKey(
        "orders.Marketplace",
        on_delete=models.PROTECT,
        related_name="shipments",
        verbose_name=_("marketplace"),
        db_index=False,
    )
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="shipments", verbose_name=_("order"), db_index=False
    )
    external_id = models.CharField(_("shipment number"), max_length=100)
    carrier = models.ForeignKey(
        Carrier, on_delete=models.PROTECT, related_name="shipments", verbose_name=_("carrier"), db_index=False
    )
    service = models.CharField(_("service"), max_length=80, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=64)
    estimated_from = models.DateTimeField(_("estimated delivery from"), null=True, blank=True)
    estimated_to = models.DateTimeField(_("estimated delivery by"), null=True, blank=True)
    ship_by = models.DateTimeField(_("ship by"), null=True, blank=True)
    # Where it goes (a snapshot: a delivery change writes the new one here once accepted).
    recipient_name = models.CharField(_("recipient"), max_length=200, blank=True)
    address_line1 = models.CharField(_("address"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address, line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    pickup_point = models.CharField(_("pickup point"), max_length=200, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    # The projection of the events.
    tracking_status = models.CharField(
        _("status"), max_length=24, choices=TrackingStatus.choices, default=TrackingStatus.PENDING
    )
    exception_reason = models.CharField(
        _("exception"), max_length=16, choices=ExceptionReason.choices, blank=True, default=""
    )
    # The event the status comes from: the latest by event time (ties by the carrier's id), never arrival.
    last_event_at = models.DateTimeField(_("last event"), null=True, blank=True)
    last_event_ref = models.CharField(max_length=120, blank=True, verbose_name=_("last event ref"))
    # Any scan counts as a sign of life, mapped or not.
    last_scan_at = models.DateTimeField(_("last scan"), null=True, blank=True)
    handed_over_at = models.DateTimeField(_("handed to the carrier"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    # Flags (also the operator queue filters).
    late_to_ship = models.BooleanField(_("late to ship"), default=False)
    delayed = models.BooleanField(_("delayed"), default=False)
    stalled = models.BooleanField(_("stalled"), default=False)
    likely_lost = models.BooleanField(_("likely lost"), default=False)
    flags_at = models.DateTimeField(null=True, blank=True, verbose_name=_("flags at"))
    created_at = models.DateTimeField(default=clock.now, verbose_name=_("created at"))
    updated_at = models.DateTimeField(default=clock.now, verbose_name=_("updated at"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        constraints = [
            models.UniqueConstraint(fields=["marketplace", "external_id"], name="shipment_external_unique"),
            models.UniqueConstraint(fields=["carrier", "tracking_number"], name="shipment_tracking_unique"),
            models.CheckConstraint(
                condition=models.Q(tracking_status__in=TrackingStatus.values), name="shipment_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["order", "created_at"], name="shipment_order_idx"),
            # The periodic recompute reads only parcels still on their way, by id. Partial, on a column no event
            # writes: an entry comes and goes once per parcel, not with every event's new status and time.
            models.Index(fields=["id"], condition=OPEN, name="shipment_open_idx"),
            models.Index(fields=["marketplace", "stalled", "likely_lost", "delayed"], name="shipment_flags_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.carrier_id}:{self.tracking_number}"

    @property
    def flags(self) -> list[str]:
        return [name for name in ("late_to_ship", "delayed", "stalled", "likely_lost") if getattr(self, name)]

    @property
    def address_lines(self) -> list[str]:
        parts = [self.recipient_name, self.address_line1, self.address_line2, f"{self.postcode} {self.city}".strip()]
        return [p for p in [*parts, self.country] if p]


class ShipmentLine(models.Model):
    """Which order lines (and how many of each) travel in a shipment."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="shipment_lines")
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "line"], name="shipment_line_unique"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="shipment_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × line {self.line_id}"


class TrackingEvent(models.Model):
    """One carrier event exactly as received, and what it means in our statuses.

    An event whose tracking number has no shipment yet is *held* (``shipment`` empty) and
    attached when the shipment arrives; one whose raw status has no mapping is *unmapped*
    (``status`` empty) and normalized when an administrator adds the mapping.
    """

    # No index of their own: each leads a composite index below (the unique key, the number's, the parcel's
    # timeline), which serves the same look-ups; three more indexes to write on every event cost the ingest.
    marketplace = models.ForeignKey(
        "orders.Marketplace", on_delete=models.PROTECT, related_name="+", verbose_name=_("marketplace"), db_index=False
    )
    carrier = models.ForeignKey(
        Carrier, on_delete=models.PROTECT, related_name="events", verbose_name=_("carrier"), db_index=False
    )
    shipment = models.ForeignKey(
        Shipment,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("shipment"),
        db_index=False,
    )
    tracking_number = models.CharField(_("tracking number"), max_length=64)
    carrier_event_id = models.CharField(_("carrier's event id"), max_length=120)
    event_at = models.DateTimeField(_("time"))
    received_at = models.DateTimeField(_("received"), default=clock.now)
    raw = models.JSONField(_("as received"))
    raw_status = models.CharField(_("carrier's status"), max_length=80)
    raw_text = models.CharField(_("carrier's text"), max_length=500, blank=True)
    location = models.CharField(_("place"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=24, choices=TrackingStatus.choices, blank=True, default="")
    exception_reason = models.CharField(
        _("exception"), max_length=16, choices=ExceptionReason.choices, blank=True, default=""
    )

    class Meta:
        ordering = ["event_at", "id"]
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")
        constraints = [
            # Redelivery of the same event is harmless: the database says it is there already.
            models.UniqueConstraint(fields=["marketplace", "carrier", "carrier_event_id"], name="tracking_event_once"),
        ]
        indexes = [
            models.Index(fields=["shipment", "event_at"], name="tracking_shipment_time_idx"),
            # Read only to attach held events when their shipment arrives: indexing every event's number cost
            # each insert a write at a random place of a large index, for rows nobody looks up by number.
            models.Index(
                fields=["carrier", "tracking_number"],
                name="tracking_held_number_idx",
                condition=models.Q(shipment__isnull=True),
            ),
            models.Index(fields=["carrier", "status", "raw_status"], name="tracking_unmapped_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.carrier_event_id} {self.raw_status}"

    @property
    def held(self) -> bool:
        return self.shipment_id is None

    @property
    def unmapped(self) -> bool:
        return not self.status


class DeliveryChangeRequest(StatefulModel):
    """A buyer's request to change where or when a parcel is delivered, and its answer."""

    TRANSITIONS = CHANGE_TRANSITIONS

    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="change_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("change"), max_length=16, choices=ChangeKind.choices)
    route = models.CharField(_("answered by"), max_length=16, choices=ChangeRoute.choices)
    details = models.JSONField(_("requested"), default=dict)
    status = models.CharField(_("status"), max_length=16, choices=ChangeStatus.choices, default=ChangeStatus.REQUESTED)
    answer = models.TextField(_("answer"), blank=True)
    requested_at = models.DateTimeField(_("requested"), default=clock.now)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("delivery change request")
        verbose_name_plural = _("delivery change requests")
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=ChangeStatus.values), name="change_status_valid"),
            # One open request per parcel: a second would race the first at the carrier.
            models.UniqueConstraint(
                fields=["shipment"], condition=models.Q(status="requested"), name="change_one_open_per_shipment"
            ),
        ]


class LostParcelInvestigation(StatefulModel):
    """The inquiry with the carrier about a parcel that went missing, and how it ended for the buyer."""

    TRANSITIONS = INVESTIGATION_TRANSITIONS

    shipment = models.OneToOneField(Shipment, on_delete=models.PROTECT, related_name="investigation")
    status = models.CharField(
        _("status"), max_length=16, choices=InvestigationStatus.choices, default=InvestigationStatus.OPEN
    )
    opened_at = models.DateTimeField(_("opened"), default=clock.now)
    due_at = models.DateTimeField(_("carrier answers by"))
    policy_version = models.PositiveIntegerField(_("policy version"))
    carrier_liable = models.BooleanField(_("carrier liable"), default=False)
    reshipment = models.ForeignKey(
        Shipment, null=True, blank=True, on_delete=models.PROTECT, related_name="replaces_investigation"
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("lost parcel investigation")
        verbose_name_plural = _("lost parcel investigations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=InvestigationStatus.values), name="investigation_status_valid"
            ),
        ]


class CarrierClaim(models.Model):
    """What the platform claims back from a carrier that lost or damaged a parcel."""

    investigation = models.OneToOneField(LostParcelInvestigation, on_delete=models.PROTECT, related_name="claim")
    carrier = models.ForeignKey(Carrier, on_delete=models.PROTECT, related_name="claims")
    amount_minor = models.BigIntegerField(_("amount"))
    currency = models.CharField(_("currency"), max_length=3)
    filed_at = models.DateTimeField(_("filed"), default=clock.now)
    paid_minor = models.BigIntegerField(_("paid by the carrier"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)

    class Meta:
        verbose_name = _("carrier claim")
        verbose_name_plural = _("carrier claims")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_minor__gt=0), name="carrier_claim_positive"),
        ]

    def __str__(self) -> str:
        return f"claim {self.pk} ({self.amount_minor} {self.currency})"

    @property
    def amount(self) -> Money:
        return Money(self.amount_minor, self.currency)

    @property
    def paid(self) -> Money | None:
        return Money(self.paid_minor, self.currency) if self.paid_minor is not None else None


class CareAction(models.Model):
    """Proactive care: once per parcel and trigger, the buyer told, the seller prompted, evidence kept."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="care_actions")
    trigger = models.CharField(_("reason"), max_length=16, choices=CareTrigger.choices)
    created_at = models.DateTimeField(default=clock.now)
    #: The evidence bundle as it stood: tracking timeline, message and attachment ids.
    evidence = models.JSONField(_("evidence"), default=dict)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["shipment", "trigger"], name="care_once_per_trigger")]

    def __str__(self) -> str:
        return f"care {self.trigger} of shipment {self.shipment_id}"
