"""The dashboard counts returned lines by their structured reason over its period, from the rollups and the rows.

The returns are written row by row with the moments they were asked at (the services date everything now);
each expected figure is worked out by hand in the comments.
"""

from __future__ import annotations

import datetime as dt
from itertools import count

import pytest
from django.urls import reverse

from marketdesk.console.dashboard import DashboardFilters, dashboard_for_actor
from marketdesk.console.models import DashboardRollup
from marketdesk.console.rollups import dashboard_rollups_drift, dashboard_rollups_roll
from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.orders.models import OrderLine
from marketdesk.returns.models import Return, ReturnLine
from tests import factories
from tests.console.conftest import client_as

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
D = dt.timedelta(days=1)
CODES = count(1)


def a_return(shop, asked: dt.datetime, *reasons: str) -> Return:
    """A return asked at ``asked`` with one line per reason (two items each)."""
    order = factories.OrderFactory(marketplace=shop.marketplace, shop=shop)
    ret = Return.objects.create(
        order=order, buyer=order.buyer, shop=shop, code=f"RA-T{next(CODES):07d}", reason=reasons[0],
        resolution="refund", status="requested", shipping_paid_by="buyer", policy_version=1,
        window_closes_at=asked + 30 * D, requested_at=asked, updated_at=asked,
    )  # fmt: skip
    for i, reason in enumerate(reasons):
        line = OrderLine.objects.create(
            order=order, external_id=f"R{i}", title="Item", quantity=2, unit_price_minor=100, total_minor=200
        )
        ReturnLine.objects.create(ret=ret, order_line=line, quantity=2, reason=reason)
    return ret


@pytest.fixture
def returns(marketplace, other_marketplace):
    shop = factories.ShopFactory(marketplace=marketplace)
    # 40 days ago: a return of two lines, one that does not fit and one damaged.
    a_return(shop, NOW - 40 * D, "doesnt_fit", "damaged")
    # 10 days ago: one that does not fit.
    a_return(shop, NOW - 10 * D, "doesnt_fit")
    # Today: a wrong item.
    a_return(shop, NOW - dt.timedelta(hours=2), "wrong_item")
    # 200 days ago: outside a 90-day period.
    a_return(shop, NOW - 200 * D, "changed_mind")
    # Another marketplace's return five days ago.
    a_return(factories.ShopFactory(marketplace=other_marketplace), NOW - 5 * D, "doesnt_fit")
    return shop


@pytest.fixture
def rolled(returns):
    with clock.frozen(NOW):
        dashboard_rollups_roll()
    return returns


def board(operator, **filters: object):
    return dashboard_for_actor(Actor.for_user(operator), DashboardFilters(**filters), now=NOW)  # type: ignore[arg-type]


@pytest.mark.parametrize("world", ["returns", "rolled"])
def test_lines_are_counted_by_reason_over_the_period(world, request, operator):
    # Given the returns, read from the rows only or with the closed days from the rollups
    request.getfixturevalue(world)
    # When the last 90 days are shown
    figures = board(operator, days=90)
    # Then 2 lines that do not fit (40 and 10 days ago), 1 damaged, 1 wrong item; not the 200-day-old one, nor
    # the other marketplace's
    assert [(row.label, row.text) for row in figures.return_reasons] == [
        ("Doesn't fit", "2"),
        ("Arrived damaged", "1"),
        ("Wrong item sent", "1"),
    ]
    assert ("returned_lines_by_reason", "Doesn't fit", "2") in figures.csv_rows()


def test_a_shorter_period_counts_fewer(rolled, operator):
    # Given the rolled returns; when the last 30 days are shown
    figures = board(operator, days=30)
    # Then the return 40 days ago is outside
    assert [(row.label, row.text) for row in figures.return_reasons] == [
        ("Doesn't fit", "1"),
        ("Wrong item sent", "1"),
    ]


def test_a_case_category_shows_no_returned_lines(rolled, operator):
    assert board(operator, days=90, category="item_not_received").return_reasons == []


def test_the_rollup_stores_lines_and_items_and_the_check_finds_no_drift(rolled):
    # Given the rolled returns: 40 days ago one line that does not fit, of two items
    row = DashboardRollup.objects.get(
        metric="returned", span="d", day=(NOW - 40 * D).date(), case_type="*", key="doesnt_fit"
    )
    # Then
    assert (row.n, row.total) == (1, 2)
    with clock.frozen(NOW):
        assert dashboard_rollups_drift() == {}


def test_the_page_shows_the_chart_to_operators_and_refuses_sellers(rolled, operator, seller):
    # Given
    # When
    with clock.frozen(NOW):
        page = client_as(operator).get(reverse("console:dashboard") + "?period=90")
        refused = client_as(seller).get(reverse("console:dashboard"))
    # Then
    assert page.status_code == 200
    assert 'data-chart="return_reasons"' in page.content.decode()
    assert refused.status_code == 403


def _queries(client, django_assert_max_num_queries, at: dt.datetime) -> int:
    with django_assert_max_num_queries(40) as captured, clock.frozen(at):
        response = client.get(reverse("console:dashboard") + "?period=365")
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_queries_do_not_grow_with_returned_lines(rolled, operator, django_assert_max_num_queries):
    # Given the rolled returns read for a year
    client = client_as(operator)
    with clock.frozen(NOW):
        client.get(reverse("console:dashboard"))  # the session is written once
    few = _queries(client, django_assert_max_num_queries, NOW)
    # When 60 more returns of two lines spread over the year (some today) are rolled and read again
    for i in range(60):
        a_return(rolled, NOW - (i * 6 % 365) * D - dt.timedelta(hours=1), "doesnt_fit", "other")
    with clock.frozen(NOW + D):
        dashboard_rollups_roll()
    many = _queries(client, django_assert_max_num_queries, NOW + D)
    # Then
    assert many == few
