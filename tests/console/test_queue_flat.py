"""The queue flat in table size: kept counts that equal a recount, keyset pages, an index that serves the read."""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from marketdesk.cases.models import Case
from marketdesk.cases.states import CASE_TRANSITIONS, CaseStatus
from marketdesk.console.counters import queue_counts_drift, queue_counts_recount, queue_counts_repair
from marketdesk.console.models import QueueCount
from marketdesk.console.selectors import queue as queue_selectors
from marketdesk.console.selectors.queue import QueueFilters, _open_cases, at_risk_reads, queue_counts
from marketdesk.console.selectors.queue_pages import QueueCursor, queue_page
from marketdesk.console.services.assignment import case_assign, case_claim
from marketdesk.core.actors import Actor
from marketdesk.core.transitions import transition
from marketdesk.returns.models import Return
from marketdesk.returns.states import RETURN_TRANSITIONS, ReturnStatus
from tests import factories
from tests.cases.factories import CaseFactory
from tests.console.conftest import a_return, client_as

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)
OPEN_START = [CaseStatus.AWAITING_SELLER, CaseStatus.ESCALATED, CaseStatus.UNDER_REVIEW, CaseStatus.AWAITING_INFO]


def a_case(marketplace, status, due, **fields) -> Case:
    return CaseFactory(order=factories.OrderFactory(marketplace=marketplace), status=status, seller_due_at=due,
                       decision_due_at=due, info_due_at=due, **fields)  # fmt: skip


def random_move(rng, row, table) -> None:
    moves = [m for m in table.moves if m.source == row.status]
    if moves:
        move = rng.choice(moves)
        transition(row, to=move.target, actor=Actor(role=sorted(move.roles)[0]))


def test_the_kept_counts_equal_a_recount_after_a_random_workload(marketplace, other_marketplace, at_now):
    # given two marketplaces' operators, cases and returns
    rng = random.Random(22)
    now = at_now.now()
    operators = [factories.OperatorFactory(marketplace=marketplace) for _ in range(3)]
    cases = [
        a_case(mp, rng.choice(OPEN_START), now + rng.randrange(-5, 100) * HOUR)
        for mp in (marketplace, other_marketplace)
        for _ in range(12)
    ]
    returns = [a_return(marketplace, ReturnStatus.REQUESTED, now + i * HOUR) for i in range(6)]
    # when every kind of write happens, in a random order: moves, claims, assignments, bulk updates, deletes
    for step in range(150):
        case = Case.objects.get(pk=rng.choice(cases).pk)
        kind = step % 5
        if kind == 0:
            random_move(rng, case, CASE_TRANSITIONS)
        elif kind == 1 and case.shop.marketplace_id == marketplace.pk and case.status in OPEN_START:
            operator = rng.choice(operators)
            case_assign(actor=Actor.for_user(operators[0]), case=case, assignee_id=rng.choice([None, operator.pk]))
        elif kind == 2 and case.shop.marketplace_id == marketplace.pk and case.assignee_id is None:
            if case.status in OPEN_START:
                case_claim(actor=Actor.for_user(rng.choice(operators)), case=case)
        elif kind == 3:
            random_move(rng, Return.objects.get(pk=rng.choice(returns).pk), RETURN_TRANSITIONS)
        else:
            Return.objects.filter(pk=rng.choice(returns).pk).update(ship_by=None, seller_due_at=None)
    Case.objects.filter(pk__in=[c.pk for c in cases[:3]]).update(assignee=operators[1])
    Case.objects.filter(pk=cases[-1].pk).delete()

    # then the counts kept by the triggers are the recount, key by key
    assert queue_counts_drift() == {}
    assert sum(queue_counts_recount().values()) == Case.objects.count() + Return.objects.count()


def test_a_drift_is_found_and_repaired(escalated, operator):
    # given a count spoiled behind the triggers' back
    QueueCount.objects.filter(kind="case", status=CaseStatus.ESCALATED).update(n=7)
    assert queue_counts_drift() != {}
    # when
    queue_counts_repair()
    # then
    assert queue_counts_drift() == {}
    assert queue_counts(Actor.for_user(operator))["escalated"] == 1


def test_the_tabs_count_what_the_views_show(marketplace, operator, second_operator, other_marketplace, at_now):
    # given
    now = at_now.now()
    a_case(marketplace, CaseStatus.ESCALATED, now + 2 * HOUR, assignee=operator)
    a_case(marketplace, CaseStatus.ESCALATED, now + 50 * HOUR)
    a_case(marketplace, CaseStatus.AWAITING_INFO, now + 3 * HOUR, assignee=second_operator)
    a_case(marketplace, CaseStatus.AWAITING_SELLER, now + 70 * HOUR)
    a_case(marketplace, CaseStatus.CLOSED, now + 1 * HOUR)
    a_case(other_marketplace, CaseStatus.ESCALATED, now + 1 * HOUR)
    a_return(marketplace, ReturnStatus.REQUESTED, now + 5 * HOUR)
    actor = Actor.for_user(operator)
    # when
    counts = queue_counts(actor, now=now)
    # then every tab equals the length of its view
    shown = {view: len(queue_page(actor, QueueFilters(view=view), now=now).keys) for view in counts}
    assert counts == shown
    assert counts == {"all": 5, "escalated": 2, "awaiting_info": 1, "at_risk": 3, "mine": 1, "unassigned": 1,
                      "returns": 1}  # fmt: skip


def test_keyset_pages_walk_the_one_order_both_ways(escalated, operator, marketplace, at_now):
    # given a case due in 48 h among returns due on both sides of it, some at the same moment
    now = at_now.now()
    for hours in (1, 5, 5, 30, 48, 60, 100):
        a_return(marketplace, ReturnStatus.REQUESTED, now + hours * HOUR)
    actor = Actor.for_user(operator)
    whole = queue_page(actor, QueueFilters(), size=100).keys
    # when walking forward three at a time, then back from the end
    forward, page = [], queue_page(actor, QueueFilters(), size=3)
    pages = [page]
    while page.after is not None:
        page = queue_page(actor, QueueFilters(), after=page.after, size=3)
        pages.append(page)
    forward = [key for p in pages for key in p.keys]
    back = queue_page(actor, QueueFilters(), before=pages[-1].before, size=3)
    # then
    assert len(whole) == 8
    assert forward == whole
    assert [due for _pk, _kind, due in whole] == sorted(due for _pk, _kind, due in whole)
    assert back.keys == pages[-2].keys
    assert (pages[0].before, pages[-1].after) == (None, None)
    assert QueueCursor.decode(pages[0].after.encode()) == pages[0].after
    assert QueueCursor.decode("nonsense") is None


def test_queries_per_page_do_not_grow_with_the_queue_first_page_or_deep(
    marketplace, operator, django_assert_num_queries, at_now
):
    # given
    def add(n: int) -> None:
        for i in range(n):
            a_case(marketplace, [CaseStatus.ESCALATED, CaseStatus.AWAITING_INFO][i % 2], at_now.now() + i * HOUR,
                   assignee=operator if i % 3 == 0 else None)  # fmt: skip
            a_return(marketplace, ReturnStatus.REQUESTED, at_now.now() + i * HOUR + 30 * dt.timedelta(minutes=1))

    client = client_as(operator)
    client.get(reverse("console:queue"))  # the session is written once
    add(3)
    first = client.get(reverse("console:queue"))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("console:queue"))
    # when the queue grows twentyfold
    add(57)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(reverse("console:queue"))
    next_url = re.search(r'href="(\?[^"]*after=[^"]*)" rel="next"', response.content.decode()).group(1)
    with django_assert_num_queries(len(small.captured_queries)):
        second = client.get(reverse("console:queue") + next_url.replace("&amp;", "&"))
    # then
    assert (first.status_code, response.status_code, second.status_code) == (200, 200, 200)
    assert response.content.decode().count("data-queue-row") == 50
    assert second.content.decode().count("data-queue-row") == 50


def plan_of(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        # A test table is tiny, so the planner would rightly read all of it; what is checked is that an
        # index can hand the scoped rows over in deadline order, with no sort of every open case, judged on this
        # table's statistics (stale ones from earlier tests let it take any index that leads with the marketplace).
        cursor.execute("ANALYZE cases_case")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _page_read(operator, now, view: str):
    """The read of a page as the queue makes it: one marketplace's open cases by deadline, from a cursor."""
    cursor = QueueCursor(now, "case", 1)
    return (
        _open_cases(Actor.for_user(operator), QueueFilters(view=view), now=now)
        .order_by("queue_due_at", "id")
        .filter(queue_due_at__gte=cursor.due)
        .values_list("queue_due_at", "id")[:51]
    )


@pytest.mark.parametrize("view", ["all", "escalated", "at_risk"])
def test_the_scoped_deadline_ordered_read_is_served_by_the_index(escalated, operator, at_now, view):
    # given the read of a page as the queue makes it
    rows = _page_read(operator, at_now.now(), view)
    # when
    plan = plan_of(rows)
    # then
    # both walk (queue_due_at, id) in order; SQLite the marketplace's own, past no other marketplace's cases
    # (ADR 0026); PostgreSQL, on a test table of a few rows, may as well take the installation's
    index = "case_mp_open_due_idx" if connection.vendor == "sqlite" else r"case_(mp_open|open|queue)_due_idx"
    assert re.search(index, plan), plan
    assert "TEMP B-TREE" not in plan.upper(), plan
    assert not re.search(r"^\s*(->\s*)?Sort\b", plan, re.MULTILINE), plan


def test_the_operators_own_cases_are_read_by_an_index_never_by_a_scan_of_every_case(escalated, operator, at_now):
    # given the read of a page of "Mine"
    rows = _page_read(operator, at_now.now(), "mine")
    # when
    plan = plan_of(rows)
    # then: the deadline index in order, or (PostgreSQL's choice while an operator holds few cases) the
    # assignee's index, whose rows are only the cases this operator holds; never every case
    assert re.search(r"case_(mp_open|open|queue)_due_idx|cases_case_assignee", plan), plan
    assert not re.search(r"Seq Scan on cases_case|SCAN cases_case(?! USING)", plan), plan


def test_the_at_risk_count_walks_the_deadline_index_and_stops_at_the_cap(escalated, operator, at_now):
    # given the read that counts the open cases at risk
    cases_read, _returns_read = at_risk_reads(Actor.for_user(operator), now=at_now.now())
    # when
    plan = plan_of(cases_read)
    # then it walks (queue_due_at, id) in order and stops after the cap: no sort, never every open case
    assert re.search(r"case_(mp_open|open|queue)_due_idx", plan), plan
    assert "TEMP B-TREE" not in plan.upper(), plan
    assert not re.search(r"^\s*(->\s*)?Sort\b|Seq Scan on cases_case", plan, re.MULTILINE), plan
    assert f"LIMIT {queue_selectors.AT_RISK_COUNT_CAP}" in str(cases_read.query)


def test_the_at_risk_count_says_the_cap_when_more_are_at_risk(marketplace, operator, at_now, monkeypatch):
    # given four cases due within the day and one due next week, and a cap of three
    for hours in (1, 2, 3, 4, 200):
        a_case(marketplace, CaseStatus.ESCALATED, at_now.now() + hours * HOUR)
    monkeypatch.setattr(queue_selectors, "AT_RISK_COUNT_CAP", 3)
    # when
    counts = queue_counts(Actor.for_user(operator), now=at_now.now())
    # then the tab counts up to the cap, the other tabs exactly
    assert (counts["at_risk"], counts["all"], counts["escalated"]) == (3, 5, 5)
