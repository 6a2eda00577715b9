"""The monthly funding report: its CSV (parsed), its chart on the dashboard, who may read it, its queries."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.core.errors import PermissionDenied
from marketdesk.ledger.selectors import funding_report_for_actor
from tests import factories
from tests.console.conftest import client_as
from tests.ledger.test_funding import an_order, on_time, rated, refund

pytestmark = pytest.mark.django_db

OCTOBER = dt.datetime(2026, 10, 15, 10, 0, tzinfo=dt.UTC)
HEADER_EN = [
    "Month",
    "Funded by",
    "Currency",
    "Refunds",
    "Refunded, minor units",
    "Recovered from the seller, minor units",
    "Recovered from the carrier, minor units",
    "Borne by the platform, minor units",
]


@pytest.fixture
def refunds(shop, other_marketplace, frozen_clock):
    """October: a platform refund without tracking (recovered). November: the seller's, and a guaranteed one."""
    with clock.frozen(OCTOBER):
        refund(an_order(shop), 2500)
    refund(an_order(shop), 1000, payer="seller")
    guaranteed = an_order(shop)
    on_time(guaranteed)
    rated(shop, "standard")
    refund(guaranteed, 3000)
    # Another marketplace's refund is none of ours.
    refund(an_order(factories.ShopFactory(marketplace=other_marketplace)), 700, payer="seller")


def csv_of(client) -> list[list[str]]:
    response = client.get(reverse("console:funding_csv"))
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_csv_has_a_row_per_month_source_and_currency_with_amounts_in_minor_units(refunds, operator):
    rows = csv_of(client_as(operator))

    assert rows == [
        HEADER_EN,
        ["2026-10", "Seller", "GBP", "1", "2500", "2500", "0", "0"],
        ["2026-11", "Platform guarantee", "GBP", "1", "3000", "0", "0", "3000"],
        ["2026-11", "Seller", "GBP", "1", "1000", "0", "0", "0"],
    ]


def test_the_csv_speaks_russian_to_a_russian_operator(refunds, operator):
    operator.language = "ru"
    operator.save(update_fields=["language"])

    rows = csv_of(client_as(operator))

    assert rows[0] == [
        "Месяц",
        "Кто оплачивает",
        "Валюта",
        "Возвраты",
        "Возвращено, в минимальных единицах",
        "Взыскано с продавца, в минимальных единицах",
        "Взыскано с перевозчика, в минимальных единицах",
        "Несёт платформа, в минимальных единицах",
    ]
    assert rows[2][:3] == ["2026-11", "Гарантия платформы", "GBP"]


def test_the_dashboard_draws_the_funding_chart_per_month_and_source(refunds, operator):
    page = client_as(operator).get(reverse("console:dashboard")).content.decode()

    assert 'data-chart="funding"' in page
    assert "Refunds per month by who funds them" in page
    assert "Platform guarantee" in page
    assert "10.26: 1" in page  # October's refund, as its bar's title
    assert reverse("console:funding_csv") in page


def test_the_funding_chart_in_russian(refunds, operator):
    operator.language = "ru"
    operator.save(update_fields=["language"])

    page = client_as(operator).get(reverse("console:dashboard")).content.decode()

    assert 'data-chart="funding"' in page
    assert "Возвраты по месяцам: кто оплачивает" in page
    assert "Гарантия платформы" in page


def test_with_no_refunds_the_chart_says_so_and_the_csv_has_its_header(operator, frozen_clock):
    client = client_as(operator)

    page = client.get(reverse("console:dashboard")).content.decode()

    assert 'aria-labelledby="chart-funding"' in page
    assert 'data-chart="funding"' not in page
    assert csv_of(client) == [HEADER_EN]


@pytest.mark.parametrize(
    ("who", "status"), [("operator", 200), ("admin_user", 200), ("buyer", 403), ("seller", 403), (None, 302)]
)
def test_the_funding_csv_by_role(request, refunds, who, status):
    user = request.getfixturevalue(who) if who else None

    response = client_as(user).get(reverse("console:funding_csv"))

    assert response.status_code == status


@pytest.mark.parametrize("who", ["buyer", "seller"])
def test_the_report_selector_refuses_the_parties(request, who):
    with pytest.raises(PermissionDenied):
        funding_report_for_actor(Actor.for_user(request.getfixturevalue(who)))


def test_another_marketplaces_operator_reads_only_its_own(refunds, other_operator):
    rows = csv_of(client_as(other_operator))

    assert rows[1:] == [["2026-11", "Seller", "GBP", "1", "700", "0", "0", "0"]]


def test_the_report_reads_the_same_queries_for_one_refund_or_many(
    shop, operator, frozen_clock, django_assert_num_queries, django_assert_max_num_queries
):
    client = client_as(operator)
    refund(an_order(shop), 100, payer="seller")
    client.get(reverse("console:funding_csv"))  # the session is written once
    with django_assert_max_num_queries(5) as one:
        csv_of(client)
    for month in range(1, 10):
        with clock.frozen(dt.datetime(2026, month, 10, tzinfo=dt.UTC)):
            for amount in (100, 200, 300):
                refund(an_order(shop), amount)

    with django_assert_num_queries(len(one.captured_queries)):
        rows = csv_of(client)

    assert len(rows) == 1 + 9 + 1  # the header, a row for each month from January to September, November's
