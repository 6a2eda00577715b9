"""The queue's stored deadline: ``queue_due_at`` follows each case and return through its life, and the merged
queue reads its pages from it in one order, whatever page is asked."""

from __future__ import annotations

import datetime as dt

import pytest

from marketdesk.cases.eligibility import appeal_window_closes
from marketdesk.cases.services.decisions import case_close
from marketdesk.cases.services.review import case_info_provide, case_info_request
from marketdesk.console.selectors.queue import QueueFilters
from marketdesk.console.selectors.queue_pages import queue_keys
from marketdesk.core.actors import Actor
from marketdesk.core.calendar import calendar_for
from marketdesk.core.deadlines import NO_DEADLINE
from marketdesk.returns.states import ReturnStatus
from tests.cases.conftest import decide_full_refund, fresh
from tests.console.conftest import a_return

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


def test_a_case_stores_the_deadline_that_matters_now_through_its_life(opened_case, buyer_actor, operator_actor, at_now):
    from marketdesk.cases.services.offers import case_escalate
    from marketdesk.cases.services.review import case_review_start

    assert fresh(opened_case).queue_due_at == fresh(opened_case).seller_due_at
    at_now.advance(fresh(opened_case).seller_due_at - at_now.now() + HOUR)
    case_escalate(actor=buyer_actor, case=opened_case)
    escalated = fresh(opened_case)
    assert escalated.queue_due_at == escalated.decision_due_at
    case_review_start(actor=operator_actor, case=escalated)
    request = case_info_request(actor=operator_actor, case=fresh(opened_case), party="buyer", question="Photo?")
    assert fresh(opened_case).queue_due_at == request.due_at  # the buyer's answer is what matters now

    at_now.advance(3 * HOUR)
    case_info_provide(actor=buyer_actor, case=fresh(opened_case), answer="Attached.")
    answered = fresh(opened_case)
    # The operator's clock stood still for the three hours the buyer took.
    assert answered.decision_due_at == escalated.decision_due_at + 3 * HOUR
    assert answered.queue_due_at == answered.decision_due_at

    decide_full_refund(operator_actor, answered)
    decided = fresh(opened_case)
    closes = appeal_window_closes(at_now.now(), calendar=calendar_for(decided.order.marketplace.calendar_code or None))
    assert (decided.appeal_due_at, decided.queue_due_at) == (closes, closes)

    at_now.advance(closes - at_now.now() + HOUR)
    case_close(actor=operator_actor, case=decided)
    assert fresh(opened_case).queue_due_at == NO_DEADLINE


def test_a_return_stores_its_running_deadline_and_none_once_in_transit(marketplace):
    due = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
    requested = a_return(marketplace, ReturnStatus.REQUESTED, due)
    shipped = a_return(marketplace, ReturnStatus.SHIPPED, due)

    assert (requested.queue_due_at, shipped.queue_due_at) == (requested.seller_due_at, NO_DEADLINE)


def test_the_merged_queue_is_in_one_deadline_order(escalated, operator, marketplace, at_now):
    now = at_now.now()
    for hours in (1, 5, 30, 60, 100):  # escalated is due in 48 h: returns fall on both sides of it
        a_return(marketplace, ReturnStatus.REQUESTED, now + hours * HOUR)

    whole = queue_keys(Actor.for_user(operator), QueueFilters())

    assert len(whole) == 6
    assert [due for _pk, _kind, due in whole] == sorted(due for _pk, _kind, due in whole)
    assert [kind for _pk, kind, _due in whole].index("case") == 3
