"""The dashboard's figures over a period, its charts, filters and CSV; constant queries."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.urls import reverse

from marketdesk.console.dashboard import DashboardFilters, dashboard_for_actor, percentile
from marketdesk.console.models import AuditEntry
from tests.cases.conftest import decide_full_refund
from tests.console.conftest import client_as

pytestmark = pytest.mark.django_db


def test_percentile_is_nearest_rank():
    assert (percentile([], 50), percentile([4.0, 1.0, 3.0, 2.0], 50), percentile([1.0, 2.0, 3.0], 90)) == (
        None,
        2.0,
        3.0,
    )


def test_a_decision_shows_in_every_figure(reviewed, operator_actor, at_now):
    at_now.advance(dt.timedelta(hours=2))
    decide_full_refund(operator_actor, reviewed)

    board = dashboard_for_actor(operator_actor, DashboardFilters(days=30))

    assert (sum(board.opened), sum(board.decided)) == (1, 1)
    assert board.decision_h == (pytest.approx(2.0), pytest.approx(2.0))
    assert board.first_response_h == (pytest.approx(0.0), pytest.approx(0.0))  # review started at the escalation
    assert (board.sla_met, board.sla_counted) == (100.0, 1)
    assert [r.text for r in board.refunds] == ["£25.00 (1)"]
    assert [(r.label, r.value) for r in board.top_sellers] == [(reviewed.shop.name, 1.0)]
    assert board.charts["per_day"].bars[-1].value == 1  # opened today


def test_backlog_by_age(escalated, operator_actor, at_now):
    at_now.advance(dt.timedelta(hours=30))

    board = dashboard_for_actor(operator_actor, DashboardFilters(days=7))

    assert [n for _label, n in board.backlog] == [0, 1, 0, 0, 0]


def test_category_filter_leaves_other_cases_out(reviewed, operator_actor):
    board = dashboard_for_actor(operator_actor, DashboardFilters(days=30, category="not_as_described"))

    assert sum(board.opened) == 0


def test_the_page_draws_svg_charts_and_exports_csv(reviewed, operator, operator_actor):
    decide_full_refund(operator_actor, reviewed)
    client = client_as(operator)

    page = client.get(reverse("console:dashboard") + "?period=7").content.decode()
    rows = list(csv.reader(io.StringIO(client.get(reverse("console:dashboard_csv") + "?period=7").content.decode())))

    assert '<svg viewBox="0 0 640 180"' in page
    assert 'data-chart="per_day"' in page
    assert rows[0] == ["metric", "key", "value"]
    assert ["sla_met_percent", "", "100.0"] in rows


def test_dashboard_queries_are_the_same_for_a_week_and_a_year(
    reviewed, operator, operator_actor, django_assert_max_num_queries
):
    decide_full_refund(operator_actor, reviewed)
    client = client_as(operator)
    client.get(reverse("console:dashboard"))  # the session is written once
    with django_assert_max_num_queries(20) as week:
        client.get(reverse("console:dashboard") + "?period=7")

    with django_assert_max_num_queries(len(week.captured_queries)):
        response = client.get(reverse("console:dashboard") + "?period=365")

    assert response.status_code == 200


def test_audit_page_filters_and_exports(reviewed, operator, operator_actor, second_operator):
    decide_full_refund(operator_actor, reviewed)
    client = client_as(operator)

    filtered = client.get(reverse("console:audit") + "?action=case.decided").content.decode()
    exported = client.get(reverse("console:audit_csv") + f"?who={operator.pk}")
    rows = list(csv.DictReader(io.StringIO(b"".join(exported.streaming_content).decode())))

    assert 'data-audit-action="case.decided"' in filtered
    assert 'data-audit-action="case.review_started"' not in filtered
    assert [r["action"] for r in rows] == ["case.decided", "case.review_started"]
    assert {r["actor"] for r in rows} == {operator.username}
    assert AuditEntry.objects.filter(actor_user=second_operator).count() == 0


def test_another_marketplaces_operator_reads_none_of_our_audit(reviewed, other_operator):
    page = client_as(other_operator).get(reverse("console:audit")).content.decode()

    assert "case.review_started" not in page


def test_the_charts_keep_numeric_coordinates_in_russian(reviewed, operator, operator_actor):
    decide_full_refund(operator_actor, reviewed)
    operator.language = "ru"
    operator.save(update_fields=["language"])

    page = client_as(operator).get(reverse("console:dashboard") + "?period=7").content.decode()

    bars = re.findall(r'<rect class="chart__bar[^>]*>', page)
    assert bars
    assert all(re.fullmatch(r'<rect class="[^"]+"( [a-z-]+="[0-9.]+")+>', bar) for bar in bars), bars[:2]
    assert 'data-value="1"' in page
