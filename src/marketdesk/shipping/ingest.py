"""The batch ingest of carrier tracking events: each good row stored once, each bad one reported.

A row is the carrier's event as the marketplace or a tracking aggregator sends it. It is kept
exactly as received (``raw``); its raw status goes through the carrier's mapping table. Rows
are refused one by one (index and reason) while the good rows of the same batch are stored.
A repeated carrier event id is a harmless duplicate.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.bulk import rows_insert
from marketdesk.core.errors import DomainValidationError, PermissionDenied
from marketdesk.core.policies import policy_current
from marketdesk.shipping.models import Carrier, CarrierStatusMapping, Shipment, TrackingEvent
from marketdesk.shipping.services import shipments_apply_events

MAX_BATCH = 1000
#: Carrier clocks drift a little; an event further ahead than this is refused.
FUTURE_SKEW = dt.timedelta(hours=1)
#: No parcel travels this long: an older event is a mistake (a wrong year, a replayed archive).
MAX_AGE = dt.timedelta(days=365)


class EventRow(BaseModel):
    """The fields we read from a carrier event; anything else is kept in ``raw`` only."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)

    carrier: str = Field(min_length=1, max_length=40)
    tracking_number: str = Field(min_length=1, max_length=64)
    event_id: str = Field(min_length=1, max_length=120)
    status: str = Field(min_length=1, max_length=80)
    occurred_at: AwareDatetime
    description: str = Field("", max_length=500)
    location: str = Field("", max_length=200)


#: The columns of a stored event, in the order of ``StoredEvent.values``.
COLUMNS = (
    "marketplace",
    "carrier",
    "shipment",
    "tracking_number",
    "carrier_event_id",
    "event_at",
    "received_at",
    "raw",
    "raw_status",
    "raw_text",
    "location",
    "status",
    "exception_reason",
)


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event of the batch: what the projection reads, and its row as stored."""

    shipment_id: int | None
    carrier_event_id: str
    event_at: dt.datetime
    status: str
    exception_reason: str
    values: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class RowError:
    index: int
    field: str
    reason: str


@dataclass
class IngestResult:
    """What a batch did: rows stored, repeats ignored, rows waiting for their shipment, refusals."""

    received: int = 0
    stored: int = 0
    duplicates: int = 0
    held: int = 0
    unmapped: int = 0
    errors: list[RowError] = field(default_factory=list)


def _pydantic_reason(exc: PydanticValidationError) -> tuple[str, str]:
    first = exc.errors()[0]
    name = ".".join(str(p) for p in first["loc"]) or "row"
    kind = first["type"]
    if kind == "missing":
        return name, _("This field is required.")
    if kind in ("string_too_short",):
        return name, _("This field cannot be blank.")
    if kind in ("string_too_long",):
        return name, _("This value is too long.")
    if kind == "timezone_aware":
        return name, _("Times must include a time zone.")
    if kind.startswith("datetime"):
        return name, _("Not a date and time (use ISO 8601 with a time zone).")
    return name, _("This value is not valid.")


def _parse(index: int, row: Any, now: dt.datetime) -> tuple[EventRow, str] | RowError:
    """The row's fields and its JSON text (checked for NUL here, stored as ``raw`` as it is), or why it is refused."""
    if not isinstance(row, dict):
        return RowError(index, "row", _("Each event must be a JSON object."))
    text = json.dumps(row)
    if "\\u0000" in text:
        return RowError(index, "row", _("The event contains a NUL character."))
    try:
        parsed = EventRow.model_validate(row)
    except PydanticValidationError as exc:
        name, reason = _pydantic_reason(exc)
        return RowError(index, name, reason)
    if parsed.occurred_at > now + FUTURE_SKEW:
        return RowError(index, "occurred_at", _("The event is dated in the future."))
    if parsed.occurred_at < now - MAX_AGE:
        return RowError(index, "occurred_at", _("The event is dated more than a year back."))
    return parsed, text


def tracking_events_ingest(*, actor: Actor, rows: list[Any]) -> IngestResult:
    """Store a batch of carrier events for the actor's marketplace; good rows are kept, bad rows reported."""
    if actor.role not in (Role.MARKETPLACE, Role.SYSTEM, Role.ADMIN) or actor.marketplace_id is None:
        raise PermissionDenied(_("Tracking events come from a marketplace's key."))
    if len(rows) > MAX_BATCH:
        raise DomainValidationError(_("Send at most %(max)s events a request.") % {"max": MAX_BATCH}, field="events")
    marketplace_id = actor.marketplace_id
    now = clock.now()
    result = IngestResult(received=len(rows))
    parsed: list[tuple[int, EventRow, str]] = []
    for index, row in enumerate(rows):
        outcome = _parse(index, row, now)
        if isinstance(outcome, RowError):
            result.errors.append(outcome)
        else:
            parsed.append((index, *outcome))
    carriers = {c.code: c for c in Carrier.objects.filter(code__in={p.carrier for _i, p, _r in parsed})}
    mappings = {
        (m.carrier_id, m.raw_status): m
        for m in CarrierStatusMapping.objects.filter(carrier__in=list(carriers.values()))
    }
    numbers = {(carriers[p.carrier].pk, p.tracking_number) for _i, p, _r in parsed if p.carrier in carriers}
    shipments: dict[tuple[int, str], tuple[int, int]] = {}
    if numbers:
        for pk, carrier_id, number, owner in Shipment.objects.filter(
            carrier_id__in={c for c, _n in numbers}, tracking_number__in={n for _c, n in numbers}
        ).values_list("pk", "carrier_id", "tracking_number", "marketplace_id"):
            shipments[(carrier_id, number)] = (pk, owner)
    candidates: dict[tuple[int, str], StoredEvent] = {}
    for index, row, raw in parsed:
        carrier = carriers.get(row.carrier)
        if carrier is None:
            result.errors.append(RowError(index, "carrier", _("Unknown carrier %(code)s.") % {"code": row.carrier}))
            continue
        found = shipments.get((carrier.pk, row.tracking_number))
        if found is not None and found[1] != marketplace_id:
            # Never say whose it is: to this marketplace the number simply is not theirs.
            result.errors.append(
                RowError(index, "tracking_number", _("This tracking number belongs to another marketplace's order."))
            )
            continue
        key = (carrier.pk, row.event_id)
        if key in candidates:
            result.duplicates += 1
            continue
        mapping = mappings.get((carrier.pk, row.status))
        candidates[key] = StoredEvent(
            shipment_id=found[0] if found else None,
            carrier_event_id=row.event_id,
            event_at=row.occurred_at,
            status=mapping.status if mapping else "",
            exception_reason=mapping.exception_reason if mapping else "",
            values=(
                marketplace_id,
                carrier.pk,
                found[0] if found else None,
                row.tracking_number,
                row.event_id,
                row.occurred_at,
                now,
                raw,
                row.status,
                row.description,
                row.location,
                mapping.status if mapping else "",
                mapping.exception_reason if mapping else "",
            ),
        )
    result.errors.sort(key=lambda e: e.index)
    if not candidates:
        return result
    with transaction.atomic():
        existing = _existing_keys(marketplace_id, candidates)
        new = [event for key, event in candidates.items() if key not in existing]
        result.duplicates += len(candidates) - len(new)
        # A concurrent batch with the same events loses nothing: the unique key keeps one copy.
        # Plain rows, not model instances: building and compiling one per event cost more than the insert.
        rows_insert(TrackingEvent, COLUMNS, [event.values for event in new], ignore_conflicts=True, encoded=("raw",))
        by_shipment: dict[int, list[StoredEvent]] = defaultdict(list)
        for event in new:
            if event.shipment_id is not None:
                by_shipment[event.shipment_id].append(event)
        result.stored = len(new)
        result.held = sum(1 for event in new if event.shipment_id is None)
        result.unmapped = sum(1 for event in new if not event.status)
        if by_shipment:
            shipments_apply_events(actor=actor, events_by_shipment=dict(by_shipment), policy=policy_current())
    return result


def _existing_keys(marketplace_id: int, candidates: dict[tuple[int, str], StoredEvent]) -> set[tuple[int, str]]:
    by_carrier: dict[int, list[str]] = defaultdict(list)
    for carrier_id, event_id in candidates:
        by_carrier[carrier_id].append(event_id)
    found: set[tuple[int, str]] = set()
    for carrier_id, ids in by_carrier.items():
        found.update(
            TrackingEvent.objects.filter(
                marketplace_id=marketplace_id, carrier_id=carrier_id, carrier_event_id__in=ids
            ).values_list("carrier_id", "carrier_event_id")
        )
    return found
