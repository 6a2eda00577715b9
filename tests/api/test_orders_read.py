"""GET /api/v1/orders and /api/v1/orders/{external_id}: each caller reads exactly what it may see."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.api.helpers import PROBLEM, session_client

pytestmark = pytest.mark.django_db


def test_a_key_reads_one_order_of_its_marketplace(key_client, marketplace):
    factories.OrderFactory(marketplace=marketplace, external_id="O-7")

    response = key_client.get("/api/v1/orders/O-7")

    assert response.status_code == 200
    assert response.json()["external_id"] == "O-7"
    assert response.json()["lines"][0]["title"] == "Wool scarf"


def test_a_key_gets_404_for_another_marketplaces_order(other_key_client, marketplace):
    factories.OrderFactory(marketplace=marketplace, external_id="O-7")

    response = other_key_client.get("/api/v1/orders/O-7")

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "not_found"


def test_an_order_that_does_not_exist_answers_the_same_404(other_key_client):
    response = other_key_client.get("/api/v1/orders/NO-SUCH")

    assert response.status_code == 404
    assert response.json()["detail"] == "Nothing was found here."


def test_a_keys_list_holds_only_its_marketplaces_orders(key_client, marketplace, other_marketplace):
    factories.OrderFactory(marketplace=marketplace, external_id="MINE")
    factories.OrderFactory(
        marketplace=other_marketplace,
        external_id="THEIRS",
        buyer=factories.BuyerFactory(marketplace=other_marketplace),
        shop=factories.ShopFactory(marketplace=other_marketplace),
    )

    response = key_client.get("/api/v1/orders")

    assert response.status_code == 200
    assert [o["external_id"] for o in response.json()["items"]] == ["MINE"]


def test_a_signed_in_buyer_lists_only_own_orders(buyer, other_buyer, marketplace):
    factories.OrderFactory(marketplace=marketplace, buyer=buyer, external_id="OWN")
    factories.OrderFactory(marketplace=marketplace, buyer=other_buyer, external_id="NOT-OWN")

    response = session_client(buyer).get("/api/v1/orders")

    assert response.status_code == 200
    assert [o["external_id"] for o in response.json()["items"]] == ["OWN"]


def test_a_signed_in_buyer_gets_404_for_someone_elses_order(buyer, other_buyer, marketplace):
    factories.OrderFactory(marketplace=marketplace, buyer=other_buyer, external_id="NOT-OWN")

    response = session_client(buyer).get("/api/v1/orders/NOT-OWN")

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM


def test_a_seller_lists_only_orders_of_own_shop(seller, shop, marketplace):
    factories.OrderFactory(marketplace=marketplace, shop=shop, external_id="MY-SHOP")
    factories.OrderFactory(marketplace=marketplace, external_id="OTHER-SHOP")

    response = session_client(seller).get("/api/v1/orders")

    assert [o["external_id"] for o in response.json()["items"]] == ["MY-SHOP"]


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/orders?limit=50")
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_list_takes_the_same_number_of_queries_for_3_and_30_orders(key_client, marketplace):
    key_client.get("/api/v1/orders")  # the key's first use records last_used_at once; keep it out of the count
    factories.OrderFactory.create_batch(3, marketplace=marketplace)
    for order in factories.OrderFactory._meta.model.objects.all():
        factories.PaymentFactory(order=order)
    with_3 = _list_queries(key_client)
    for order in factories.OrderFactory.create_batch(27, marketplace=marketplace):
        factories.PaymentFactory(order=order)

    with_30 = _list_queries(key_client)

    assert with_30 == with_3
    assert with_3 == 4  # key, page of orders, their lines, their payments


BASE = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)


def test_walking_all_pages_yields_every_order_once_in_order(key_client, marketplace):
    # Four orders share one placed_at: the id must break the tie so none is skipped or repeated.
    times = [BASE, BASE, BASE, BASE, BASE - dt.timedelta(hours=1), BASE + dt.timedelta(hours=1), BASE]
    orders = [factories.OrderFactory(marketplace=marketplace, placed_at=t) for t in times]
    expected = [o.external_id for o in sorted(orders, key=lambda o: (o.placed_at, o.pk), reverse=True)]

    first = key_client.get("/api/v1/orders?limit=3").json()
    second = key_client.get(f"/api/v1/orders?limit=3&cursor={first['next_cursor']}").json()
    third = key_client.get(f"/api/v1/orders?limit=3&cursor={second['next_cursor']}").json()

    seen = [o["external_id"] for page in (first, second, third) for o in page["items"]]
    assert seen == expected
    assert [len(first["items"]), len(second["items"]), len(third["items"])] == [3, 3, 1]
    assert third["next_cursor"] is None


def test_the_default_page_holds_50(key_client, marketplace):
    factories.OrderFactory.create_batch(51, marketplace=marketplace)

    body = key_client.get("/api/v1/orders").json()

    assert len(body["items"]) == 50
    assert body["next_cursor"] is not None


@pytest.mark.parametrize(
    "cursor",
    ["not-base64!!", "bm90IGpzb24", "WyJ4Il0", "WyJ5ZXN0ZXJkYXkiLDFd", "WyIyMDI2LTExLTAxVDEyOjAwOjAwIiwxXQ"],
    ids=["not-base64", "not-json", "wrong-length", "not-a-datetime", "naive-datetime"],
)
def test_a_bad_cursor_is_a_400_naming_the_cursor(key_client, cursor):
    response = key_client.get(f"/api/v1/orders?cursor={cursor}")

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "invalid_cursor"
    assert response.json()["errors"][0]["field"] == "cursor"


@pytest.mark.parametrize("limit", ["0", "201", "ten"])
def test_a_limit_outside_1_to_200_is_a_422_naming_the_limit(key_client, limit):
    response = key_client.get(f"/api/v1/orders?limit={limit}")

    assert response.status_code == 422
    assert response["Content-Type"] == PROBLEM
    assert response.json()["errors"][0]["field"] == "limit"
