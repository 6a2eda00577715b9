"""The situation is read in a fixed number of queries, however many orders, parcels and cases a page shows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from marketdesk.cases.states import CaseStatus
from marketdesk.orders.models import Order
from marketdesk.orders.situation import order_situations
from marketdesk.orders.states import OrderStatus
from tests.cases.factories import CaseFactory
from tests.situation.conftest import DAY, NOW, delivered, parcel_of

pytestmark = pytest.mark.django_db


def queries_of(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def busy_order(make_order, evri, number: int) -> Order:
    """An order with two parcels (one delivered) and two cases (one waiting for an answer)."""
    order = make_order(OrderStatus.SHIPPED)
    delivered(parcel_of(order, evri, f"EV9{number:05d}1", at=NOW - 9 * DAY), NOW - 3 * DAY)
    parcel_of(order, evri, f"EV9{number:05d}2", at=NOW - 2 * DAY)
    CaseFactory(order=order, status=CaseStatus.AWAITING_SELLER, seller_due_at=NOW + DAY)
    CaseFactory(order=order, status=CaseStatus.CLOSED, case_type="other", seller_due_at=NOW - 9 * DAY)
    return order


def test_the_situations_of_ten_orders_take_the_queries_of_one(make_order, evri, at_now):
    one = [busy_order(make_order, evri, 0)]
    ten = one + [busy_order(make_order, evri, n) for n in range(1, 10)]
    fetched_one = list(Order.objects.filter(pk__in=[o.pk for o in one]).select_related("marketplace"))
    fetched_ten = list(Order.objects.filter(pk__in=[o.pk for o in ten]).select_related("marketplace"))

    for_one = queries_of(lambda: order_situations(fetched_one))
    for_ten = queries_of(lambda: order_situations(fetched_ten))

    assert for_ten == for_one
    assert for_one <= 12


@pytest.mark.parametrize("who", ["buyer_client", "seller_client"])
def test_a_partys_case_list_takes_the_same_queries_for_one_order_or_ten(who, request, make_order, evri, at_now):
    client = request.getfixturevalue(who)
    busy_order(make_order, evri, 0)
    client.get(reverse("cases:case_list"))  # warm the session and the policy
    one = queries_of(lambda: client.get(reverse("cases:case_list")))

    for n in range(1, 10):
        busy_order(make_order, evri, n)
    ten = queries_of(lambda: client.get(reverse("cases:case_list")))

    assert ten == one


def test_the_order_page_reads_the_situation_once(make_order, evri, buyer_client, at_now):
    order = busy_order(make_order, evri, 0)
    buyer_client.get(reverse("web:order_detail", args=[order.pk]))  # warm the session and the policy
    plain = make_order(OrderStatus.PAID)
    quiet = queries_of(lambda: buyer_client.get(reverse("web:order_detail", args=[plain.pk])))

    busy = queries_of(lambda: buyer_client.get(reverse("web:order_detail", args=[order.pk])))

    # The busy order adds only what its own cards list (parcels, cases), never a second situation.
    assert busy - quiet <= 4
