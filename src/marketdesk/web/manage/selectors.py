"""Reads of the administrator's pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from marketdesk.accounts.models import ApiKey, User, UserRole
from marketdesk.core.actors import Actor
from marketdesk.core.calendar import WorkCalendar
from marketdesk.core.models import BusinessCalendar, PolicyVersion
from marketdesk.core.policies import PolicyValues, policy_version_in_force
from marketdesk.shipping.models import Carrier, CarrierStatusMapping, TrackingEvent
from marketdesk.shipping.selectors import unmapped_statuses
from marketdesk.web.manage.rules import RULE_GROUPS, rule_value_text


@dataclass(frozen=True, slots=True)
class RuleRow:
    name: str
    label: Any
    value: int
    other: int

    @property
    def changed(self) -> bool:
        return self.value != self.other

    @property
    def value_text(self) -> object:
        return rule_value_text(self.value)

    @property
    def other_text(self) -> object:
        return rule_value_text(self.other)


def policy_versions_list() -> QuerySet[PolicyVersion]:
    """Return every published version, newest first."""
    return PolicyVersion.objects.select_related("created_by").order_by("-version")


def policy_version_get(version: int) -> PolicyVersion | None:
    """Return one published version, or None."""
    return PolicyVersion.objects.select_related("created_by").filter(version=version).first()


def policy_in_force() -> tuple[int, PolicyValues]:
    """Return the number and the values of the version in force (0: the defaults)."""
    row = policy_version_in_force()
    return (row.version, PolicyValues.model_validate(row.values)) if row else (0, PolicyValues())


def policy_newest_values() -> PolicyValues:
    """Return the values of the newest version, in force or scheduled (a new version starts from them)."""
    row = PolicyVersion.objects.order_by("-version").first()
    return PolicyValues.model_validate(row.values) if row else PolicyValues()


def policy_rule_groups(values: dict[str, Any], other: dict[str, Any]) -> list[tuple[Any, list[RuleRow]]]:
    """Return every rule, grouped, with its value here and in ``other`` (to show what differs)."""
    # A version stored before a rule existed holds no value for it: it ran under the rule's default.
    defaults = PolicyValues().model_dump()
    values, other = {**defaults, **values}, {**defaults, **other}
    return [
        (group.title, [RuleRow(name, label, values[name], other[name]) for name, label in group.rules])
        for group in RULE_GROUPS
    ]


def business_calendars_list() -> QuerySet[BusinessCalendar]:
    """Return every business calendar by code."""
    return BusinessCalendar.objects.order_by("code")


def business_calendar_get(pk: int) -> BusinessCalendar | None:
    """Return one business calendar, or None."""
    return BusinessCalendar.objects.filter(pk=pk).first()


def business_days_next(row: BusinessCalendar, *, after: dt.date, count: int = 10) -> list[dt.date]:
    """Return the next ``count`` business days of a calendar after the day ``after``."""
    calendar = WorkCalendar.from_model(row)
    days: list[dt.date] = []
    day = after
    while len(days) < count:
        day = calendar.next_business_day(day)
        days.append(day)
    return days


def api_keys_for_actor(actor: Actor) -> QuerySet[ApiKey]:
    """Return the API keys of the actor's marketplace, newest first."""
    if actor.marketplace_id is None:
        return ApiKey.objects.none()
    return ApiKey.objects.filter(marketplace_id=actor.marketplace_id).select_related("created_by").order_by("-id")


def staff_for_actor(actor: Actor) -> QuerySet[User]:
    """Return the operators and administrators of the actor's marketplace."""
    if actor.marketplace_id is None:
        return User.objects.none()
    return User.objects.filter(
        marketplace_id=actor.marketplace_id, role__in=(UserRole.OPERATOR, UserRole.ADMIN)
    ).order_by("role", "username")


@dataclass(frozen=True, slots=True)
class CarrierRow:
    carrier: Carrier
    mappings: int
    unmapped_statuses: int
    unmapped_events: int


def carriers_for_actor(actor: Actor) -> list[CarrierRow]:
    """Return every carrier with its mapped statuses and the unmapped ones seen in the actor's events."""
    waiting: dict[int, tuple[int, int]] = {
        row["carrier_id"]: (row["statuses"], row["events"])
        for row in TrackingEvent.objects.filter(status="", marketplace_id=actor.marketplace_id or 0)
        .values("carrier_id")
        .annotate(statuses=Count("raw_status", distinct=True), events=Count("id"))
    }
    carriers = Carrier.objects.annotate(mapping_count=Count("mappings")).order_by("name")
    return [CarrierRow(carrier, carrier.mapping_count, *waiting.get(carrier.pk, (0, 0))) for carrier in carriers]


def carrier_get(pk: int) -> Carrier | None:
    """Return one carrier, or None (carriers are shared by every marketplace of the installation)."""
    return Carrier.objects.filter(pk=pk).first()


def carrier_mappings(carrier: Carrier) -> QuerySet[CarrierStatusMapping]:
    """Return a carrier's mapping table by raw status."""
    return CarrierStatusMapping.objects.filter(carrier=carrier).order_by("raw_status")


def carrier_unmapped(actor: Actor, carrier: Carrier) -> list[dict[str, Any]]:
    """Return the carrier's raw statuses seen in the actor's events that no mapping covers, with counts."""
    return unmapped_statuses(marketplace_id=actor.marketplace_id, carrier_id=carrier.pk)
