"""Writes of the administrator's pages: each calls the owning app's service and records an audit row.

The audit row is written in the same transaction as the change (``core.audit``), so a change that
rolls back leaves no row and no row exists without its change.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from marketdesk.accounts.models import ApiKey, User
from marketdesk.accounts.services import (
    api_key_create,
    api_key_revoke,
    operator_invite,
    staff_set_active,
    staff_set_role,
)
from marketdesk.core.actors import Actor, Role
from marketdesk.core.audit import audit_record
from marketdesk.core.errors import DomainValidationError, NotFound, PermissionDenied
from marketdesk.core.models import BusinessCalendar, PolicyVersion
from marketdesk.core.policies import PolicyValues, policy_publish
from marketdesk.notifications.models import WebhookDelivery, WebhookEndpoint
from marketdesk.notifications.services import (
    webhook_delivery_retry,
    webhook_endpoint_create,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_set_active,
)
from marketdesk.shipping.models import Carrier, CarrierStatusMapping
from marketdesk.shipping.services import carrier_mapping_save


def _admin_only(actor: Actor) -> None:
    if actor.role != Role.ADMIN:
        raise PermissionDenied(_("Only administrators manage these settings."))


def policy_version_publish(
    *, actor: Actor, changes: dict[str, Any], note: str, effective_at: dt.datetime | None = None
) -> PolicyVersion:
    """Publish a new policy version with ``changes`` over the newest one, and audit what changed."""
    _admin_only(actor)
    with transaction.atomic():
        newest = PolicyVersion.objects.select_for_update().order_by("-version").first()
        base = PolicyValues.model_validate(newest.values).model_dump() if newest else PolicyValues().model_dump()
        changed = {name: value for name, value in changes.items() if base.get(name) != value}
        if not changed:
            raise DomainValidationError(_("Change at least one rule to publish a new version."), field="note")
        version = policy_publish(actor=actor, changes=changed, note=note, effective_at=effective_at)
        audit_record(
            actor=actor,
            action="policy.published",
            obj=version,
            before={name: base.get(name) for name in changed},
            after={**changed, "note": note, "effective_at": version.effective_at},
        )
        return version


def _calendar_validate(values: dict[str, Any]) -> None:
    try:
        holidays.country_holidays(values["country"], subdiv=values.get("subdivision") or None)
    except NotImplementedError as exc:
        raise DomainValidationError(
            _("Public holidays of this country or region are not known."), field="country"
        ) from exc
    try:
        ZoneInfo(values["timezone"])
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise DomainValidationError(_("Choose a time zone from the list."), field="timezone") from exc
    if values["opens_at"] >= values["closes_at"]:
        raise DomainValidationError(_("The business must open before it closes."), field="closes_at")
    if len(set(values["weekend_days"])) >= 7:
        raise DomainValidationError(_("Leave at least one working day."), field="weekend_days")


def _calendar_snapshot(row: BusinessCalendar) -> dict[str, Any]:
    return {
        "country": row.country,
        "subdivision": row.subdivision,
        "timezone": row.timezone,
        "opens_at": str(row.opens_at)[:5],
        "closes_at": str(row.closes_at)[:5],
        "weekend_days": list(row.weekend_days),
        "extra_closed_days": list(row.extra_closed_days),
    }


def business_calendar_save(*, actor: Actor, calendar_id: int | None, values: dict[str, Any]) -> BusinessCalendar:
    """Create a business calendar, or change one (deadlines already computed keep their dates)."""
    _admin_only(actor)
    _calendar_validate(values)
    with transaction.atomic():
        if calendar_id is None:
            if BusinessCalendar.objects.filter(code=values["code"]).exists():
                raise DomainValidationError(_("A calendar with this code exists."), field="code")
            row = BusinessCalendar(code=values["code"])
            before = None
        else:
            found = BusinessCalendar.objects.select_for_update().filter(pk=calendar_id).first()
            if found is None:
                raise NotFound()
            row = found
            before = _calendar_snapshot(row)
        for name in ("name", "country", "subdivision", "timezone", "opens_at", "closes_at"):
            setattr(row, name, values[name])
        row.country = row.country.upper()
        row.weekend_days = sorted(set(values["weekend_days"]))
        row.extra_closed_days = list(values["extra_closed_days"])
        row.save()
        audit_record(
            actor=actor,
            action="calendar.created" if before is None else "calendar.changed",
            obj=row,
            before=before,
            after=_calendar_snapshot(row),
        )
        return row


def _endpoint_snapshot(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {"url": endpoint.url, "event_types": list(endpoint.event_types), "active": endpoint.active}


def webhook_endpoint_add(*, actor: Actor, url: str, event_types: list[str]) -> WebhookEndpoint:
    """Register a webhook endpoint (its secret is on the returned row, to be shown once)."""
    _admin_only(actor)
    with transaction.atomic():
        endpoint = webhook_endpoint_create(actor=actor, url=url, event_types=event_types)
        audit_record(actor=actor, action="webhook.created", obj=endpoint, after=_endpoint_snapshot(endpoint))
        return endpoint


def webhook_endpoint_rotate(*, actor: Actor, endpoint_id: int) -> tuple[WebhookEndpoint, str]:
    """Replace an endpoint's secret and return the new one (the audit row never holds it)."""
    _admin_only(actor)
    with transaction.atomic():
        endpoint, secret = webhook_endpoint_rotate_secret(actor=actor, endpoint_id=endpoint_id)
        audit_record(actor=actor, action="webhook.secret_rotated", obj=endpoint)
        return endpoint, secret


def webhook_endpoint_pause(*, actor: Actor, endpoint_id: int, active: bool) -> WebhookEndpoint:
    """Pause an endpoint (``active`` False) or resume it."""
    _admin_only(actor)
    with transaction.atomic():
        endpoint = webhook_endpoint_set_active(actor=actor, endpoint_id=endpoint_id, active=active)
        audit_record(
            actor=actor,
            action="webhook.resumed" if active else "webhook.paused",
            obj=endpoint,
            before={"active": not active},
            after={"active": active},
        )
        return endpoint


def webhook_delivery_resend(*, actor: Actor, endpoint_id: int, delivery_id: int) -> WebhookDelivery:
    """Send one delivery of the actor's marketplace again, with the same event id."""
    _admin_only(actor)
    with transaction.atomic():
        delivery = webhook_delivery_retry(actor=actor, delivery_id=delivery_id, endpoint_id=endpoint_id)
        audit_record(
            actor=actor, action="webhook.delivery_retried", obj=delivery.endpoint, after={"event_id": delivery.event_id}
        )
        return delivery


def api_key_add(*, actor: Actor, name: str) -> tuple[ApiKey, str]:
    """Create an API key of the actor's marketplace; return it and its secret (shown once, never audited)."""
    _admin_only(actor)
    marketplace = getattr(actor.user, "marketplace", None)
    if marketplace is None:
        raise NotFound()
    with transaction.atomic():
        key, raw = api_key_create(actor=actor, marketplace=marketplace, name=name)
        audit_record(actor=actor, action="api_key.created", obj=key, after={"name": key.name, "prefix": key.prefix})
        return key, raw


def api_key_withdraw(*, actor: Actor, key_id: int) -> ApiKey:
    """Revoke a key of the actor's marketplace at once (another marketplace's key is not found)."""
    _admin_only(actor)
    with transaction.atomic():
        mine = actor.marketplace_id is not None and ApiKey.objects.filter(
            pk=key_id, marketplace_id=actor.marketplace_id
        )
        if not mine or not mine.exists():
            raise NotFound()
        key = api_key_revoke(actor=actor, key_id=key_id)
        audit_record(actor=actor, action="api_key.revoked", obj=key, after={"revoked_at": key.revoked_at})
        return key


def operator_add(*, actor: Actor, username: str, email: str, display_name: str) -> User:
    """Invite an operator to the actor's marketplace and audit it."""
    _admin_only(actor)
    with transaction.atomic():
        user = operator_invite(actor=actor, username=username, email=email, display_name=display_name)
        audit_record(actor=actor, action="user.invited", obj=user, after={"username": user.username, "role": user.role})
        return user


def staff_role_change(*, actor: Actor, user_id: int, role: str) -> User:
    """Make an operator an administrator or back, and audit it (nothing is written when nothing changes)."""
    _admin_only(actor)
    with transaction.atomic():
        user, previous = staff_set_role(actor=actor, user_id=user_id, role=role)
        if previous != user.role:
            audit_record(
                actor=actor, action="user.role_changed", obj=user, before={"role": previous}, after={"role": role}
            )
        return user


def staff_activate(*, actor: Actor, user_id: int, active: bool) -> User:
    """Deactivate (sessions ended) or reactivate an operator or administrator, and audit it."""
    _admin_only(actor)
    with transaction.atomic():
        user = staff_set_active(actor=actor, user_id=user_id, active=active)
        audit_record(
            actor=actor,
            action="user.reactivated" if active else "user.deactivated",
            obj=user,
            after={"is_active": active},
        )
        return user


def carrier_mapping_set(
    *, actor: Actor, carrier_id: int, raw_status: str, status: str, exception_reason: str = ""
) -> tuple[CarrierStatusMapping, int]:
    """Map a carrier's raw status to our stage; events already received are normalized at once. Audited."""
    _admin_only(actor)
    raw_status = (raw_status or "").strip()
    if not raw_status:
        raise DomainValidationError(_("Write the carrier's status exactly as it sends it."), field="raw_status")
    if len(raw_status) > CarrierStatusMapping._meta.get_field("raw_status").max_length:  # type: ignore[operator]
        raise DomainValidationError(_("A carrier's status is at most 80 characters."), field="raw_status")
    with transaction.atomic():
        carrier = Carrier.objects.select_for_update().filter(pk=carrier_id).first()
        if carrier is None:
            raise NotFound()
        previous = CarrierStatusMapping.objects.filter(carrier=carrier, raw_status=raw_status).first()
        mapping, fixed = carrier_mapping_save(
            actor=actor, carrier=carrier, raw_status=raw_status, status=status, exception_reason=exception_reason
        )
        audit_record(
            actor=actor,
            action="carrier.mapping_changed" if previous else "carrier.mapping_added",
            obj=carrier,
            before={"raw_status": raw_status, "status": previous.status, "exception_reason": previous.exception_reason}
            if previous
            else None,
            after={"raw_status": raw_status, "status": status, "exception_reason": exception_reason, "events": fixed},
        )
        return mapping, fixed
