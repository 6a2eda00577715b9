"""Scheduled work on cases: expire the idle, escalate for suspended sellers, close the finished."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q

from marketdesk.cases.models import Case
from marketdesk.cases.services.common import _locked, _pending_offers_withdraw
from marketdesk.cases.services.decisions import _close
from marketdesk.cases.services.offers import _escalate
from marketdesk.cases.states import BEFORE_ESCALATION, CaseStatus
from marketdesk.cases.suspension import suspended_shop_ids, suspension_in_force
from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.core.errors import Conflict
from marketdesk.core.policies import policy_current
from marketdesk.core.transitions import transition


def cases_expire_idle(*, now: dt.datetime | None = None) -> int:
    """Expire cases idle before escalation for the policy's business days; return how many."""
    now = now or clock.now()
    due = Case.objects.filter(status__in=BEFORE_ESCALATION, expires_at__lte=now).order_by("expires_at", "id")
    expired = 0
    for case_id in due.values_list("id", flat=True):
        with transaction.atomic():
            _order, case = _locked(Case.objects.get(pk=case_id))
            # Activity may have come in since the list was read.
            if case.status not in BEFORE_ESCALATION or case.expires_at is None or case.expires_at > now:
                continue
            transition(
                case,
                to=CaseStatus.EXPIRED,
                actor=Actor.system(),
                payload={"idle_since": case.last_activity_at.isoformat()},
            )
            _pending_offers_withdraw(case, now=now, actor=Actor.system())
            expired += 1
    return expired


def cases_escalate_for_suspended_sellers(*, now: dt.datetime | None = None) -> int:
    """Take to support every case still waiting for a seller whose suspension is in force; return how many.

    A case opened after the suspension took effect went to support at once (``case_open``); this catches
    those opened before it, once the effective date comes.
    """
    now = now or clock.now()
    suspended = suspended_shop_ids(now=now)
    waiting = Case.objects.filter(status=CaseStatus.AWAITING_SELLER, shop_id__in=suspended).order_by("seller_due_at")
    escalated = 0
    for case_id in waiting.values_list("id", flat=True):
        with transaction.atomic():
            _order, case = _locked(Case.objects.get(pk=case_id))
            suspension = suspension_in_force(case.shop_id, now=now)
            # The seller may have answered, or the suspension ended, since the list was read.
            if case.status != CaseStatus.AWAITING_SELLER or suspension is None:
                continue
            _escalate(case, actor=Actor.system(), now=now, policy=policy_current(), suspension_id=suspension.pk)
            escalated += 1
    return escalated


def cases_close_finished(*, now: dt.datetime | None = None) -> int:
    """Close accepted offers, appeal decisions, and decisions whose appeal window is over; return how many."""
    now = now or clock.now()
    # A day of slack for calendar days across a clock change; _close checks the exact moment.
    decided_before = now - dt.timedelta(days=policy_current().appeal_window_days - 1)
    candidates = (
        Case.objects.filter(
            Q(status__in=(CaseStatus.RESOLVED, CaseStatus.DECIDED_ON_APPEAL))
            | Q(status=CaseStatus.DECIDED, decisions__is_appeal=False, decisions__decided_at__lte=decided_before)
        )
        .order_by("id")
        .distinct()
    )
    closed = 0
    for case in candidates:
        try:
            _close(actor=Actor.system(), case=case, now=now)
        except Conflict:
            continue  # still within its appeal window, or changed meanwhile
        closed += 1
    return closed
