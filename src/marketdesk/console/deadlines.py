"""Every clock on a case, in one place: who owes the next move, by when, in whose calendar, running or paused.

Two kinds of clock run on an open case:

* the **parties'** deadlines — the seller's answer (business days), an answer to the
  operator's question (hours), answering or escalating before the case expires, and the
  appeal window after a decision — counted in the marketplace's business calendar;
* the **operator's** SLA — a decision within ``decision_target_hours`` of the escalation
  (or the appeal) — counted in the platform's own calendar. While the operator waits
  for a party's answer that clock is *paused*: the wait is added to its deadline. A
  party's clock never pauses.

The queue sorts in SQL by ``queue_due_expression()`` (the deadline that matters now, as
the case stores it); ``case_clocks()`` then works out each shown case's clocks exactly,
from rows prefetched once per page.

Open returns carry the parties' deadlines too, and the queue merges them with the cases:
the seller's decision on a request, the buyer's shipment of an approved return, and the
seller's refund once the parcel is received (``return_due_expression()``, ``return_clock()``),
each in the marketplace's business calendar.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case as Switch
from django.db.models import DateTimeField, F, Value, When
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from marketdesk.cases.eligibility import appeal_window_closes
from marketdesk.cases.models import Case
from marketdesk.cases.states import CaseStatus
from marketdesk.core import clock
from marketdesk.core.calendar import WorkCalendar, calendar_for
from marketdesk.core.policies import Policy, policy_current
from marketdesk.returns.models import Resolution, Return
from marketdesk.returns.states import ReturnStatus
from marketdesk.web.presenters import Countdown, deadline_countdown

S = CaseStatus
PLATFORM_STATUSES = (S.ESCALATED, S.UNDER_REVIEW, S.AWAITING_INFO, S.APPEALED)
# Stands in for "no deadline", so such a case sorts last on every database.
NO_DEADLINE = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)
AT_RISK = dt.timedelta(hours=24)


class Owner:
    OPERATOR = "operator"
    SELLER = "seller"
    BUYER = "buyer"
    PARTIES = "parties"


OWNER_LABELS: dict[str, Promise] = {
    Owner.OPERATOR: _("Support"),
    Owner.SELLER: _("Seller"),
    Owner.BUYER: _("Buyer"),
    Owner.PARTIES: _("Either party"),
}


def queue_due_expression(policy: Policy) -> Switch:
    """Return the SQL expression of the deadline that matters now (what the queue sorts by)."""
    far = Value(NO_DEADLINE, output_field=DateTimeField())
    return Switch(
        When(status=S.AWAITING_SELLER, then=F("seller_due_at")),
        When(status=S.AWAITING_INFO, info_due_at__isnull=False, then=F("info_due_at")),
        When(
            status__in=(S.ESCALATED, S.UNDER_REVIEW, S.APPEALED),
            decision_due_at__isnull=False,
            then=F("decision_due_at"),
        ),
        When(status__in=(S.OFFER_MADE, S.DECLINED), expires_at__isnull=False, then=F("expires_at")),
        # The appeal window runs from the decision, the case's last activity when it was decided.
        When(status=S.DECIDED, then=F("last_activity_at") + dt.timedelta(days=policy.appeal_window_days)),
        default=far,
        output_field=DateTimeField(),
    )


@dataclass(frozen=True)
class Clock:
    """One deadline on a case: whose it is, what it is for, when, and whether it runs."""

    owner: str
    purpose: Promise
    due_at: dt.datetime
    paused: bool
    countdown: Countdown
    # For a paused clock: how much time it had left when it stopped.
    remaining: dt.timedelta | None = None

    @property
    def owner_label(self) -> Promise:
        return OWNER_LABELS[self.owner]

    @property
    def tone(self) -> str:
        if self.paused:
            return "paused"
        return self.countdown.tone


class Calendars:
    """Calendars read once per page: the platform's and each marketplace's."""

    def __init__(self) -> None:
        self._by_code: dict[str, WorkCalendar] = {}
        self._policy: Policy | None = None

    @property
    def policy(self) -> Policy:
        if self._policy is None:
            self._policy = policy_current()
        return self._policy

    def get(self, code: str) -> WorkCalendar:
        if code not in self._by_code:
            self._by_code[code] = calendar_for(code or None)
        return self._by_code[code]

    @property
    def platform(self) -> WorkCalendar:
        return self.get("")


def _waits(case: Case) -> tuple[dt.timedelta, dt.datetime | None]:
    """Return how long the operator has waited for answered questions, and since when for an open one."""
    waited = dt.timedelta(0)
    open_since = None
    for request in case.info_requests.all():  # prefetched by the selector
        if request.answered_at is None:
            open_since = request.asked_at if open_since is None else max(open_since, request.asked_at)
        else:
            waited += request.answered_at - request.asked_at
    return waited, open_since


def _open_question_party(case: Case) -> str:
    asked = [r for r in case.info_requests.all() if r.answered_at is None]
    return asked[-1].party if asked else Owner.PARTIES


def operator_clock(case: Case, calendars: Calendars, *, now: dt.datetime | None = None) -> Clock | None:
    """Return the operator's decision clock, paused while a party is asked, with the waits added."""
    if case.status not in PLATFORM_STATUSES or case.decision_due_at is None:
        return None
    now = now or clock.now()
    waited, open_since = _waits(case)
    due = case.decision_due_at + waited
    purpose = _("Decide the appeal") if case.status == S.APPEALED else _("Decide")
    if open_since is not None:
        remaining = due - open_since
        # While paused the deadline moves with the clock: it is always "remaining" from now.
        shown = now + remaining
        return Clock(
            Owner.OPERATOR, purpose, shown, True, deadline_countdown(shown, calendar=calendars.platform, now=now),
            remaining=remaining,
        )  # fmt: skip
    return Clock(Owner.OPERATOR, purpose, due, False, deadline_countdown(due, calendar=calendars.platform, now=now))


def party_clock(case: Case, calendars: Calendars, *, now: dt.datetime | None = None) -> Clock | None:
    """Return the parties' running deadline on the case, if one runs now (never paused)."""
    now = now or clock.now()
    cal = calendars.get(case.order.marketplace.calendar_code or "")
    due: dt.datetime | None = None
    if case.status == S.AWAITING_SELLER:
        owner, purpose, due = Owner.SELLER, _("Answer the case"), case.seller_due_at
    elif case.status == S.AWAITING_INFO:
        owner, purpose, due = _open_question_party(case), _("Answer support's question"), case.info_due_at
    elif case.status == S.OFFER_MADE:
        owner, purpose, due = Owner.BUYER, _("Answer the offer before the case expires"), case.expires_at
    elif case.status == S.DECLINED:
        owner, purpose, due = Owner.PARTIES, _("Escalate before the case expires"), case.expires_at
    elif case.status == S.DECIDED:
        first = next((d for d in case.decisions.all() if not d.is_appeal), None)  # prefetched
        if first is not None:
            owner, purpose = Owner.PARTIES, _("Appeal window")
            due = appeal_window_closes(first.decided_at, calendar=cal, policy=calendars.policy)
    if due is None:
        return None
    return Clock(owner, purpose, due, False, deadline_countdown(due, calendar=cal, now=now))


def case_clocks(case: Case, calendars: Calendars, *, now: dt.datetime | None = None) -> list[Clock]:
    """Return every clock running (or paused) on the case, the earliest running first."""
    now = now or clock.now()
    found = [c for c in (party_clock(case, calendars, now=now), operator_clock(case, calendars, now=now)) if c]
    return sorted(found, key=lambda c: (c.paused, c.due_at))


#: The return statuses with a party's deadline running: whose it is and what it asks.
RETURN_DEADLINES: dict[str, tuple[str, str]] = {
    ReturnStatus.REQUESTED: (Owner.SELLER, "seller_due_at"),
    ReturnStatus.APPROVED: (Owner.BUYER, "ship_by"),
    ReturnStatus.RECEIVED: (Owner.SELLER, "refund_due_at"),
}


def return_due_expression() -> Switch:
    """Return the SQL expression of a return's running deadline (``NO_DEADLINE`` when none runs)."""
    return Switch(
        *[When(status=status, then=F(field)) for status, (_owner, field) in RETURN_DEADLINES.items()],
        default=Value(NO_DEADLINE, output_field=DateTimeField()),
        output_field=DateTimeField(),
    )


def _return_purpose(ret: Return) -> Promise:
    if ret.status == ReturnStatus.REQUESTED:
        return _("Approve or refuse the return")
    if ret.status == ReturnStatus.APPROVED:
        return _("Ship the return back")
    if ret.resolution == Resolution.EXCHANGE:
        return _("Refund or replace the returned items")
    return _("Refund due after the return")


def return_clock(ret: Return, calendars: Calendars, *, now: dt.datetime | None = None) -> Clock | None:
    """Return the party's running deadline on an open return, in the marketplace's calendar (never paused)."""
    found = RETURN_DEADLINES.get(ret.status)
    due = getattr(ret, found[1]) if found else None
    if found is None or due is None:
        return None
    now = now or clock.now()
    cal = calendars.get(ret.order.marketplace.calendar_code or "")
    return Clock(found[0], _return_purpose(ret), due, False, deadline_countdown(due, calendar=cal, now=now))
