"""Every clock on a case, in one place: who owes the next move, by when, in whose calendar, running or paused.

Two kinds of clock run on an open case:

* the **parties'** deadlines — the seller's answer (business days), an answer to the
  operator's question (hours), answering or escalating before the case expires, and the
  appeal window after a decision — counted in the marketplace's business calendar;
* the **operator's** SLA — a decision within ``decision_target_hours`` of the escalation
  (or the appeal) — counted in the platform's own calendar. While the operator waits
  for a party's answer that clock is *paused*: the wait is added to its deadline. A
  party's clock never pauses.

The queue sorts in SQL by ``queue_due_at``, the deadline that matters now as each case stores
it (``Case.queue_due()``, read from an index); ``case_clocks()`` then works out each shown
case's clocks exactly, from rows prefetched once per page.

Open returns carry the parties' deadlines too, and the queue merges them with the cases:
the seller's decision on a request, the buyer's shipment of an approved return, and the
seller's refund once the parcel is received (``Return.queue_due()``, ``return_clock()``),
each in the marketplace's business calendar.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from marketdesk.cases.eligibility import case_appeal_closes
from marketdesk.cases.models import Case
from marketdesk.cases.states import CaseStatus
from marketdesk.core import clock
from marketdesk.core.calendar import WorkCalendar, calendar_for
from marketdesk.core.policies import Policy, policy_current
from marketdesk.returns.models import QUEUE_DEADLINE_FIELDS, Resolution, Return
from marketdesk.returns.states import ReturnStatus
from marketdesk.web.presenters import Countdown, deadline_countdown

S = CaseStatus
PLATFORM_STATUSES = (S.ESCALATED, S.UNDER_REVIEW, S.AWAITING_INFO, S.APPEALED)
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


def _open_question_since(case: Case) -> dt.datetime | None:
    """Return since when the newest unanswered question waits (None unless the case awaits an answer).

    A question left unanswered when support decided on the evidence at hand stays so; it pauses nothing after.
    """
    if case.status != S.AWAITING_INFO:
        return None
    asked = [r.asked_at for r in case.info_requests.all() if r.answered_at is None]  # prefetched by the selector
    return max(asked) if asked else None


def _open_question_party(case: Case) -> str:
    asked = [r for r in case.info_requests.all() if r.answered_at is None]
    return asked[-1].party if asked else Owner.PARTIES


def operator_clock(case: Case, calendars: Calendars, *, now: dt.datetime | None = None) -> Clock | None:
    """Return the operator's decision clock, paused while a party is asked, with the waits added."""
    if case.status not in PLATFORM_STATUSES or case.decision_due_at is None:
        return None
    now = now or clock.now()
    # An answered question already moved decision_due_at by its wait (case_info_provide).
    open_since = _open_question_since(case)
    due = case.decision_due_at
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
            due = case_appeal_closes(case, first.decided_at, calendar=cal, policy=calendars.policy)
    if due is None:
        return None
    return Clock(owner, purpose, due, False, deadline_countdown(due, calendar=cal, now=now))


def case_clocks(case: Case, calendars: Calendars, *, now: dt.datetime | None = None) -> list[Clock]:
    """Return every clock running (or paused) on the case, the earliest running first."""
    now = now or clock.now()
    found = [c for c in (party_clock(case, calendars, now=now), operator_clock(case, calendars, now=now)) if c]
    return sorted(found, key=lambda c: (c.paused, c.due_at))


#: The return statuses with a party's deadline running: whose it is and the column that holds it.
RETURN_DEADLINES: dict[str, tuple[str, str]] = {
    status: (Owner.BUYER if status == ReturnStatus.APPROVED else Owner.SELLER, field)
    for status, field in QUEUE_DEADLINE_FIELDS.items()
}


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
