"""The dashboard reads one marketplace's cases by the indexes that lead with it (ADR 0026): another
marketplace's cases are neither counted nor read on the way."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketdesk.cases.states import CaseStatus
from marketdesk.console.dashboard import DashboardFilters, dashboard_for_actor
from marketdesk.core.actors import Actor
from tests import factories
from tests.cases.factories import CaseFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)


def a_case(marketplace, status, *, escalated: dt.datetime | None, opened: dt.datetime = NOW - 400 * H):
    shop = factories.ShopFactory(marketplace=marketplace)
    order = factories.OrderFactory(marketplace=marketplace, shop=shop)
    return CaseFactory(order=order, status=status, escalated_at=escalated, opened_at=opened)


@pytest.fixture
def two_marketplaces(marketplace, other_marketplace):
    # Here: escalated 2 h ago, 30 h ago and 10 days ago, one never escalated (an old row), one with the seller.
    for status, escalated in (
        (CaseStatus.ESCALATED, NOW - 2 * H),
        (CaseStatus.UNDER_REVIEW, NOW - 30 * H),
        (CaseStatus.APPEALED, NOW - 240 * H),
        (CaseStatus.ESCALATED, None),
        (CaseStatus.AWAITING_SELLER, None),
    ):
        a_case(marketplace, status, escalated=escalated)
    # Elsewhere: more of everything, which must count for nothing here.
    for hours in (1, 3, 26, 50, 80, 200, 300):
        a_case(other_marketplace, CaseStatus.ESCALATED, escalated=NOW - hours * H, opened=NOW - H)
    a_case(other_marketplace, CaseStatus.UNDER_REVIEW, escalated=None)


def test_the_backlog_counts_its_own_marketplace_only(two_marketplaces, operator):
    # When the operator of the first marketplace looks
    board = dashboard_for_actor(Actor.for_user(operator), DashboardFilters(days=7), now=NOW)
    # Then under a day, 1–2 days, ..., over a week: the never-escalated one is in no age (as before)
    assert [n for _label, n in board.backlog] == [1, 1, 0, 0, 1]
    assert sum(board.opened) == 0  # the other marketplace opened its cases today


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        # Test tables are tiny, so the planner would rightly read all of one; what is checked is that an index
        # leading with the marketplace serves the read, judged on this table's statistics (not a stale guess).
        cursor.execute("ANALYZE cases_case")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_backlog_and_todays_openings_are_read_by_the_marketplace_indexes(two_marketplaces, operator):
    # Given the queries of the dashboard
    with CaptureQueriesContext(connection) as captured:
        dashboard_for_actor(Actor.for_user(operator), DashboardFilters(days=7), now=NOW)
    case_reads = [q["sql"] for q in captured.captured_queries if re.search(r'FROM "cases_case"\s+WHERE', q["sql"])]
    backlog = [sql for sql in case_reads if '"escalated_at"' in sql and '"status" IN' in sql]
    opened = [sql for sql in case_reads if '"opened_at" >=' in sql]
    # Then the backlog's reads (the week's escalations, the never escalated) and today's openings each take
    # the index that starts with the marketplace, never every marketplace's cases
    assert len(backlog) == 2, case_reads
    assert len(opened) == 1, case_reads
    for sql, index in [
        *((sql, "case_mp_status_escalated_idx") for sql in backlog),
        (opened[0], "case_mp_opened_at_idx"),
    ]:
        plan = _plan(sql)
        assert not re.search(r"Seq Scan on cases_case|SCAN cases_case(?! USING)", plan), plan
        if connection.vendor == "sqlite":
            assert re.search(rf"USING (COVERING )?INDEX {index} \(marketplace_id=\?", plan), plan
        else:
            # On a few rows PostgreSQL may take either marketplace index (at 1M cases it takes these: ADR 0026).
            assert re.search(r"(Index|Index Only|Bitmap Index) Scan (using|on) case_mp_\w+", plan), plan
            assert re.search(r"Index Cond: \(\(?marketplace_id = \d+\)?", plan), plan
