"""Writes of risk signals: the periodic computation over every party, and a recompute for one.

Signals are computed set-based (``risk.signals``: a few aggregate queries per kind for all parties at
once) and stored as one ``RiskSignal`` per party and kind; pages read the rows, never the computation.
A buyer whose signals change is told to the marketplace by the ``buyer.risk_changed`` webhook.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.audit import audit_record
from marketdesk.core.calendar import calendar_for
from marketdesk.core.errors import Conflict, DomainValidationError, NotFound, PermissionDenied
from marketdesk.core.policies import policy_current
from marketdesk.core.timeline import timeline_append
from marketdesk.core.transitions import transition
from marketdesk.notifications.inbox import notify
from marketdesk.notifications.webhooks import webhook_event_emit
from marketdesk.risk.models import BuyerRestriction, RiskSignal
from marketdesk.risk.signals import BUYER_FINDERS, SHOP_FINDERS, Evidence, Found
from marketdesk.risk.states import (
    BINDING_STATUSES,
    RESTRICTION_APPLIED,
    STAFF,
    RestrictionAppliedPayload,
    RestrictionStatus,
)

BUYER_RISK_CHANGED = "buyer.risk_changed"


def _find(finders: Iterable, since: dt.datetime, ids: list[int] | None) -> Found:
    policy = policy_current()
    found: Found = {}
    for finder in finders:
        found.update(finder(policy, since, ids))
    return found


def _shape(evidence: Evidence) -> dict[str, object]:
    return {
        "order_ids": sorted(evidence.order_ids),
        "case_ids": sorted(evidence.case_ids),
        "return_ids": sorted(evidence.return_ids),
        "detail": evidence.detail,
    }


def _store(party: str, found: Found, ids: list[int] | None, now: dt.datetime) -> set[int]:
    """Make the rows of ``party`` (in scope) what was found; return the ids of the parties whose rows changed."""
    rows = RiskSignal.objects.select_for_update().filter(**{f"{party}__isnull": False})
    if ids is not None:
        rows = rows.filter(**{f"{party}_id__in": ids})
    existing = {(row.kind, getattr(row, f"{party}_id")): row for row in rows.order_by("id")}
    changed: set[int] = set()
    for key, gone in existing.items():
        if key not in found:
            gone.delete()
            changed.add(key[1])
    for (kind, party_id), evidence in found.items():
        shape = _shape(evidence)
        row = existing.get((kind, party_id))
        if row is None:
            RiskSignal.objects.create(**{f"{party}_id": party_id}, kind=kind, computed_at=now, **shape)
            changed.add(party_id)
        elif {name: getattr(row, name) for name in shape} != shape:
            for name, value in shape.items():
                setattr(row, name, value)
            row.computed_at = now
            row.save(update_fields=[*shape, "computed_at"])
            changed.add(party_id)
    return changed


def _tell_marketplaces(buyer_ids: set[int], now: dt.datetime) -> None:
    """Send each changed buyer's signals (kinds and counts, no evidence ids: those are the operators')."""
    kinds: dict[int, list[str]] = defaultdict(list)
    for buyer_id, kind in (
        RiskSignal.objects.filter(buyer_id__in=buyer_ids).order_by("kind").values_list("buyer_id", "kind")
    ):
        kinds[buyer_id].append(kind)
    buyers = (
        get_user_model()
        .objects.filter(pk__in=buyer_ids)
        .order_by("pk")
        .values_list("pk", "marketplace_id", "external_id")
    )
    for buyer_id, marketplace_id, external_id in buyers:
        webhook_event_emit(
            marketplace_id=marketplace_id,
            event_type=BUYER_RISK_CHANGED,
            data={"buyer": external_id, "signals": kinds[buyer_id]},
            event_id=f"buyer-risk-{buyer_id}-{now.isoformat()}",
        )


def risk_signals_refresh(*, buyer_ids: list[int] | None = None, shop_ids: list[int] | None = None) -> int:
    """Recompute the signals of the given buyers and shops (every one when both are None); return how many parties changed."""
    now = clock.now()
    since = now - dt.timedelta(days=policy_current().risk_window_days)
    everyone = buyer_ids is None and shop_ids is None
    with transaction.atomic():
        changed_buyers: set[int] = set()
        changed_shops: set[int] = set()
        if everyone or buyer_ids is not None:
            changed_buyers = _store("buyer", _find(BUYER_FINDERS, since, buyer_ids), buyer_ids, now)
        if everyone or shop_ids is not None:
            changed_shops = _store("shop", _find(SHOP_FINDERS, since, shop_ids), shop_ids, now)
        if changed_buyers:
            _tell_marketplaces(changed_buyers, now)
    return len(changed_buyers) + len(changed_shops)


def risk_recompute(*, actor: Actor, buyer_id: int | None = None, shop_id: int | None = None) -> int:
    """Recompute one buyer's or one shop's signals now, as an operator asks; return how many parties changed."""
    if actor.role not in (Role.OPERATOR, Role.ADMIN, Role.SYSTEM):
        raise PermissionDenied(_("Only the platform's operators see risk signals."))
    return risk_signals_refresh(
        buyer_ids=[buyer_id] if buyer_id is not None else [], shop_ids=[shop_id] if shop_id is not None else []
    )


def _clean_text(text: str, *, field: str) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainValidationError(_("Say why, in a few words."), field=field)
    if len(text) > 2000:
        raise DomainValidationError(_("Keep it under 2000 characters."), field=field)
    return text


def _restriction_locked(restriction: BuyerRestriction) -> BuyerRestriction:
    return BuyerRestriction.objects.select_for_update().get(pk=restriction.pk)


def _effective_from(buyer: Any, day: dt.date, *, earliest: dt.datetime) -> dt.datetime:
    """Return when a restriction dated ``day`` (in the buyer's marketplace's calendar) starts: that day's start,
    or the end of the notice when the notice ends on that day."""
    tz = calendar_for(buyer.marketplace.calendar_code or None).tz
    first_day = earliest.astimezone(tz).date()
    if day < first_day:
        raise DomainValidationError(
            _("A restriction starts after its notice, on %(date)s at the earliest.")
            % {"date": date_format(first_day, "DATE_FORMAT")},
            field="effective_at",
        )
    return max(dt.datetime.combine(day, dt.time(0), tzinfo=tz), earliest)


def _tell_buyer(row: BuyerRestriction, *, kind: str, data: dict[str, Any], body: str = "") -> None:
    """Tell the buyer in the app and by email, with the link to their restriction's page (in the caller's transaction)."""
    url = reverse("risk:buyer_restriction", args=[row.pk])
    notify(user_ids=[row.buyer_id], kind=kind, data=data, url=url, message_body=body)


def buyer_restrict(
    *,
    actor: Actor,
    buyer: Any,
    reason: str,
    effective_at: dt.datetime | None = None,
    effective_on: dt.date | None = None,
) -> BuyerRestriction:
    """Restrict a buyer's protection with notice: from ``effective_at`` (or the day ``effective_on``) the buyer opens no case."""
    if actor.role not in STAFF or actor.user is None:
        raise PermissionDenied(_("Only the platform's operators restrict a buyer's protection."))
    if buyer.role != Role.BUYER or buyer.marketplace_id != actor.marketplace_id:
        raise NotFound()
    reason = _clean_text(reason, field="reason")
    now = clock.now()
    earliest = now + dt.timedelta(days=policy_current().enforcement_notice_days)
    if effective_on is not None:
        effective_at = _effective_from(buyer, effective_on, earliest=earliest)
    effective_at = effective_at or earliest
    if effective_at < earliest - dt.timedelta(minutes=1):
        raise DomainValidationError(
            _("A restriction starts after its notice, on %(date)s at the earliest.")
            % {"date": date_format(earliest.date(), "DATE_FORMAT")},
            field="effective_at",
        )
    if effective_at > now + dt.timedelta(days=365):
        raise DomainValidationError(_("Choose an effective date within a year."), field="effective_at")
    with transaction.atomic():
        get_user_model().objects.select_for_update().get(pk=buyer.pk)
        if BuyerRestriction.objects.filter(buyer=buyer, status__in=BINDING_STATUSES).exists():
            raise Conflict(_("This buyer's protection is restricted already."), field="buyer")
        row = BuyerRestriction.objects.create(
            buyer=buyer, reason=reason, applied_by=actor.user, applied_at=now, effective_at=effective_at
        )
        timeline_append(
            subject=row,
            event=RESTRICTION_APPLIED,
            actor=actor,
            payload=RestrictionAppliedPayload(effective_at=effective_at.isoformat()),
        )
        audit_record(actor=actor, action="buyer_restriction.apply", obj=row, before=None, after={"reason": reason})
        _tell_buyer(row, kind="protection.restricted", data={"effective": effective_at.date().isoformat()}, body=reason)
    return row


def buyer_restriction_appeal(*, actor: Actor, restriction: BuyerRestriction, text: str) -> BuyerRestriction:
    """File the buyer's one appeal against the restriction of their protection."""
    if actor.role != Role.BUYER or actor.user is None or restriction.buyer_id != actor.user.pk:
        raise NotFound()
    text = _clean_text(text, field="text")
    with transaction.atomic():
        row = _restriction_locked(restriction)
        if row.appealed_at is not None:
            raise Conflict(_("This restriction was appealed already; an appeal is heard once."))
        row.appeal_text, row.appealed_at = text, clock.now()
        transition(row, to=RestrictionStatus.APPEALED, actor=actor, fields=["appeal_text", "appealed_at"])
    return row


def buyer_restriction_appeal_decide(
    *, actor: Actor, restriction: BuyerRestriction, accept: bool, answer: str
) -> BuyerRestriction:
    """Accept (revoke the restriction) or reject a buyer's appeal, with the answer the buyer reads."""
    if actor.role not in STAFF or actor.user is None:
        raise PermissionDenied(_("Only the platform's operators hear a buyer's appeal."))
    answer = _clean_text(answer, field="answer")
    with transaction.atomic():
        row = _restriction_locked(restriction)
        if row.applied_by_id == actor.user.pk:
            raise PermissionDenied(_("Another operator hears the appeal against a restriction you applied."))
        before = {"status": row.status}
        now = clock.now()
        row.appeal_answer, row.appeal_decided_by, row.appeal_decided_at = answer, actor.user, now
        fields = ["appeal_answer", "appeal_decided_by", "appeal_decided_at"]
        if accept:
            row.ended_at = now
            fields.append("ended_at")
        target = RestrictionStatus.REVOKED if accept else RestrictionStatus.ACTIVE
        transition(row, to=target, actor=actor, payload={"accepted": accept}, fields=fields)
        audit_record(
            actor=actor, action="buyer_restriction.appeal_decide", obj=row, before=before, after={"status": row.status}
        )
        _tell_buyer(row, kind="protection.appeal_decided", data={}, body=answer)
    return row


def buyer_restriction_lift(*, actor: Actor, restriction: BuyerRestriction) -> BuyerRestriction:
    """End a buyer's restriction before anyone appealed it."""
    if actor.role not in STAFF:
        raise PermissionDenied(_("Only the platform's operators restrict a buyer's protection."))
    with transaction.atomic():
        row = _restriction_locked(restriction)
        before = {"status": row.status}
        row.ended_at = clock.now()
        transition(row, to=RestrictionStatus.LIFTED, actor=actor, fields=["ended_at"])
        audit_record(actor=actor, action="buyer_restriction.lift", obj=row, before=before, after={"status": row.status})
        _tell_buyer(row, kind="protection.lifted", data={})
    return row
