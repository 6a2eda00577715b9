"""The batch ingest of carrier tracking events: each good row stored once, each bad one reported.

A row is the carrier's event as the marketplace or a tracking aggregator sends it. It is kept
exactly as received (``raw``); its raw status goes through the carrier's mapping table. Rows
are refused one by one (index and reason) while the good rows of the same batch are stored.
A repeated carrier event id is a harmless duplicate.

The request stores; the worker projects. A batch's transaction holds its events and one outbox row naming those of
known parcels; after commit the worker's drain folds them into their parcels (status, flags, timeline, care) in
set-based writes (``shipping.services.projection``, ADR 0025).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Annotated, Any, NamedTuple, NotRequired, TypedDict

import orjson
from django.db import transaction
from django.utils.translation import gettext as _
from pydantic import AwareDatetime, StringConstraints, TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.bulk import rows_insert, rows_matching
from marketdesk.core.errors import DomainValidationError, PermissionDenied
from marketdesk.shipping.models import Carrier, Shipment, TrackingEvent
from marketdesk.shipping.services import tracking_events_project, tracking_projection_put

MAX_BATCH = 1000
#: Carrier clocks drift a little; an event further ahead than this is refused.
FUTURE_SKEW = dt.timedelta(hours=1)
#: No parcel travels this long: an older event is a mistake (a wrong year, a replayed archive).
MAX_AGE = dt.timedelta(days=365)


def _trimmed(shortest: int, longest: int) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=shortest, max_length=longest)


class EventRow(TypedDict):
    """The fields we read from a carrier event, checked and trimmed; anything else is kept in ``raw`` only."""

    carrier: Annotated[str, _trimmed(1, 40)]
    tracking_number: Annotated[str, _trimmed(1, 64)]
    event_id: Annotated[str, _trimmed(1, 120)]
    status: Annotated[str, _trimmed(1, 80)]
    occurred_at: AwareDatetime
    description: NotRequired[Annotated[str, _trimmed(0, 500)]]
    location: NotRequired[Annotated[str, _trimmed(0, 200)]]


#: The columns of a stored event, in the order of ``StoredEvent``'s fields.
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


class StoredEvent(NamedTuple):
    """An event of the batch as it is inserted (fields in the order of ``COLUMNS``); the worker reads it back by id."""

    marketplace_id: int
    carrier_id: int
    shipment_id: int | None
    tracking_number: str
    carrier_event_id: str
    event_at: dt.datetime
    received_at: dt.datetime
    raw: str
    raw_status: str
    raw_text: str
    location: str
    status: str
    exception_reason: str


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


def _reason(error: Any) -> tuple[str, str]:
    """The field and the translated reason of a row's first validation error (its ``loc`` after the row's index)."""
    name = ".".join(str(p) for p in error["loc"][1:]) or "row"
    kind = error["type"]
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


#: The batch's rows checked in one call of pydantic's validator (per row in Python, it cost more than the insert).
_ROWS = TypeAdapter(list[EventRow])


def _json_text(row: dict[str, Any]) -> str:
    """The row as JSON text, as it is stored (``raw``): orjson's, a few times quicker than the standard library's.

    A number orjson cannot write (an integer past 64 bits) is written by the standard library instead.
    """
    try:
        return orjson.dumps(row).decode()
    except orjson.JSONEncodeError:
        return json.dumps(row)


def _validated(objects: list[tuple[int, dict[str, Any], str]], errors: list[RowError]) -> list[tuple[Any, EventRow]]:
    """Each object with its ``EventRow``, all checked at once; a row that fails is reported by its first error."""
    try:
        return list(zip(objects, _ROWS.validate_python([row for _i, row, _t in objects]), strict=True))
    except PydanticValidationError as exc:
        first: dict[int, Any] = {}
        for error in exc.errors():
            first.setdefault(int(error["loc"][0]), error)
    errors.extend(RowError(objects[position][0], *_reason(error)) for position, error in first.items())
    good = [obj for position, obj in enumerate(objects) if position not in first]
    return list(zip(good, _ROWS.validate_python([row for _i, row, _t in good]), strict=True))


def _parsed(rows: list[Any], now: dt.datetime, errors: list[RowError]) -> list[tuple[int, EventRow, str]]:
    """The good rows, checked, and their JSON text (checked for NUL here, stored as ``raw`` as it is); refusals to ``errors``."""
    objects: list[tuple[int, dict[str, Any], str]] = []
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            errors.append(RowError(index, "row", _("Each event must be a JSON object.")))
            continue
        text = _json_text(row)
        if "\\u0000" in text:
            errors.append(RowError(index, "row", _("The event contains a NUL character.")))
            continue
        objects.append((index, row, text))
    latest, earliest = now + FUTURE_SKEW, now - MAX_AGE
    parsed = []
    for (index, _row, text), event in _validated(objects, errors):
        if event["occurred_at"] > latest:
            errors.append(RowError(index, "occurred_at", _("The event is dated in the future.")))
        elif event["occurred_at"] < earliest:
            errors.append(RowError(index, "occurred_at", _("The event is dated more than a year back.")))
        else:
            parsed.append((index, event, text))
    return parsed


def _lookups(parsed: list[tuple[int, EventRow, str]]) -> tuple[dict[str, int], dict[tuple[int, str], tuple[str, str]]]:
    """What the batch's rows refer to, in one read of plain values: carriers by code and their mappings."""
    carriers: dict[str, int] = {}
    # Normalisation by one dictionary look-up per event: (carrier, raw status) → (status, exception reason).
    normal: dict[tuple[int, str], tuple[str, str]] = {}
    for carrier_id, code, raw_status, status, reason in Carrier.objects.filter(
        code__in={p["carrier"] for _i, p, _r in parsed}
    ).values_list("pk", "code", "mappings__raw_status", "mappings__status", "mappings__exception_reason"):
        carriers[code] = carrier_id
        if raw_status is not None:  # a carrier with no mappings yet comes once, with none
            normal[(carrier_id, raw_status)] = (status, reason)
    return carriers, normal


def _parcels(known: list[tuple[int, EventRow, str, int]]) -> dict[tuple[int, str], tuple[int, int]]:
    """The batch's parcels by (carrier, number): (id, marketplace), in one read; the worker locks what it projects."""
    return {
        (carrier_id, number): (pk, owner)
        for pk, carrier_id, number, owner in rows_matching(
            Shipment,
            ("id", "carrier", "tracking_number", "marketplace"),
            within=(
                ("carrier", sorted({carrier_id for *_r, carrier_id in known})),
                ("tracking_number", sorted({row["tracking_number"] for _i, row, _r, _c in known})),
            ),
        )
    }


def tracking_events_ingest(*, actor: Actor, rows: list[Any], project_now: bool = False) -> IngestResult:
    """Store a batch of carrier events for the actor's marketplace; good rows are kept, bad rows reported.

    The worker folds the stored events into their parcels after commit. ``project_now`` folds them in this
    transaction instead: for the simulator, which writes the past at frozen moments with no worker beside it.
    """
    if actor.role not in (Role.MARKETPLACE, Role.SYSTEM, Role.ADMIN) or actor.marketplace_id is None:
        raise PermissionDenied(_("Tracking events come from a marketplace's key."))
    if len(rows) > MAX_BATCH:
        raise DomainValidationError(_("Send at most %(max)s events a request.") % {"max": MAX_BATCH}, field="events")
    marketplace_id = actor.marketplace_id
    now = clock.now()
    result = IngestResult(received=len(rows))
    parsed = _parsed(rows, now, result.errors)
    carriers, normal = _lookups(parsed)
    known: list[tuple[int, EventRow, str, int]] = []
    for index, row, raw in parsed:
        carrier_id = carriers.get(row["carrier"])
        if carrier_id is None:
            result.errors.append(RowError(index, "carrier", _("Unknown carrier %(code)s.") % {"code": row["carrier"]}))
        else:
            known.append((index, row, raw, carrier_id))
    if not known:
        result.errors.sort(key=lambda e: e.index)
        return result
    with transaction.atomic():
        shipments = _parcels(known)
        candidates = _candidates(known, shipments, normal, marketplace_id=marketplace_id, now=now, result=result)
        result.errors.sort(key=lambda e: e.index)
        if not candidates:
            return result
        # One insert that skips what the unique key already holds (sent before, or by a concurrent batch) and
        # names what it stored: no read of the existing keys first. Plain rows, not model instances: building
        # and compiling one per event cost more than the insert.
        stored = rows_insert(
            TrackingEvent,
            COLUMNS,
            list(candidates.values()),
            ignore_conflicts=True,
            encoded=("raw",),
            returning=("id", "carrier", "carrier_event_id"),
        )
        new = [(pk, candidates[carrier_id, event_id]) for pk, carrier_id, event_id in stored]
        result.duplicates += len(candidates) - len(new)
        result.stored = len(new)
        result.held = sum(1 for _pk, event in new if event.shipment_id is None)
        result.unmapped = sum(1 for _pk, event in new if not event.status)
        projected = [pk for pk, event in new if event.shipment_id is not None]
        if project_now:
            tracking_events_project(actor=actor, event_ids=projected)
        else:
            tracking_projection_put(actor=actor, event_ids=projected)
    return result


def _candidates(
    known: list[tuple[int, EventRow, str, int]],
    shipments: dict[tuple[int, str], tuple[int, int]],
    normal: dict[tuple[int, str], tuple[str, str]],
    *,
    marketplace_id: int,
    now: dt.datetime,
    result: IngestResult,
) -> dict[tuple[int, str], StoredEvent]:
    """The events to store, once each by (carrier, event id); another marketplace's numbers and repeats counted."""
    candidates: dict[tuple[int, str], StoredEvent] = {}
    unmapped = ("", "")
    for index, row, raw, carrier_id in known:
        found = shipments.get((carrier_id, row["tracking_number"]))
        if found is not None and found[1] != marketplace_id:
            # Never say whose it is: to this marketplace the number simply is not theirs.
            result.errors.append(
                RowError(index, "tracking_number", _("This tracking number belongs to another marketplace's order."))
            )
            continue
        key = (carrier_id, row["event_id"])
        if key in candidates:
            result.duplicates += 1
            continue
        status, reason = normal.get((carrier_id, row["status"]), unmapped)
        candidates[key] = StoredEvent(
            marketplace_id,
            carrier_id,
            found[0] if found else None,
            row["tracking_number"],
            row["event_id"],
            row["occurred_at"],
            now,
            raw,
            row["status"],
            row.get("description", ""),
            row.get("location", ""),
            status,
            reason,
        )
    return candidates
