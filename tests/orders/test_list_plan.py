"""The order lists read a page straight off an index, from either end, on SQLite and PostgreSQL.

Each list is scoped (a buyer's orders, a shop's) and ordered newest first; the plan must walk
the scope's (placed_at, id) index in that order (forwards for the first page, backwards for the
last) and never sort the scope's orders, which is what made a page's time grow with them.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from marketdesk.api.pagination import KeysetPaginator
from marketdesk.core.actors import Actor
from marketdesk.orders.selectors import order_list_for_actor
from tests import factories

pytestmark = pytest.mark.django_db

KEYS = KeysetPaginator(fields=("placed_at", "id"))


def plan(qs) -> str:
    """The database's plan for the query, as text; on PostgreSQL sorting is priced out, so a Sort means no index serves it."""
    sql, params = qs.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def pages(qs) -> dict[str, object]:
    """The reads of a list's first, last and a middle page (after a cursor), as the order list runs them."""
    middle = qs.all()[10]
    return {
        "first": qs[:26],
        "last": qs.reverse()[:26],
        "after": qs.filter(KEYS.after([middle.placed_at, middle.pk]))[:26],
    }


@pytest.fixture
def orders(buyer, shop):
    return factories.OrderFactory.create_batch(40, buyer=buyer, shop=shop)


def test_a_buyers_pages_are_read_off_the_buyer_index_without_sorting(orders, buyer):
    # when
    plans = {name: plan(qs) for name, qs in pages(order_list_for_actor(Actor.for_user(buyer))).items()}
    # then
    assert all("order_buyer_recent_idx" in text for text in plans.values()), plans
    assert not any("TEMP B-TREE" in text or "Sort" in text for text in plans.values()), plans


def test_a_sellers_pages_are_read_off_the_shop_index_without_sorting(orders, seller):
    # when
    plans = {name: plan(qs) for name, qs in pages(order_list_for_actor(Actor.for_user(seller))).items()}
    # then
    assert all("order_shop_recent_idx" in text for text in plans.values()), plans
    assert not any("TEMP B-TREE" in text or "Sort" in text for text in plans.values()), plans
