"""The order lists and order pages: what they show and how many queries they cost."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def _queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_buyer_list_shows_number_shop_date_items_total_and_status(client_as, buyer, order):
    # when
    html = client_as(buyer).get(reverse("web:buyer_orders")).content.decode()
    # then
    assert "O-1001" in html
    assert order.shop.name in html
    assert "Nov. 2, 2026" in html
    assert "1 item" in html
    assert "£25.00" in html
    assert 'class="badge badge--accent"' in html
    assert "Shipped" in html


def test_buyer_list_shows_only_the_buyers_own_orders(client_as, buyer, other_buyer, order):
    # given
    factories.OrderFactory(buyer=other_buyer, shop=order.shop, external_id="O-OTHER")
    # when
    html = client_as(buyer).get(reverse("web:buyer_orders")).content.decode()
    # then
    assert "O-1001" in html
    assert "O-OTHER" not in html


def test_buyer_list_pages_by_25_from_either_end(client_as, buyer, shop):
    # given
    orders = factories.OrderFactory.create_batch(30, buyer=buyer, shop=shop)  # each an hour older than the last
    client = client_as(buyer)
    # when
    first = client.get(reverse("web:buyer_orders"))
    older = client.get(reverse("web:buyer_orders"), {"after": first.context["page"].older_cursor})
    last = client.get(reverse("web:buyer_orders"), {"last": ""})
    newer = client.get(reverse("web:buyer_orders"), {"before": last.context["page"].newer_cursor})
    # then
    numbers = [o.external_id for o in orders]
    assert [o.external_id for o in first.context["page"].items] == numbers[:25]
    assert [o.external_id for o in older.context["page"].items] == numbers[25:]
    # The last page is a full page of the oldest orders; the page newer than it holds the rest.
    assert [o.external_id for o in last.context["page"].items] == numbers[5:]
    assert [o.external_id for o in newer.context["page"].items] == numbers[:5]
    assert (first.context["page"].newer_cursor, last.context["page"].older_cursor) == (None, None)
    assert newer.context["page"].newer_cursor is None
    assert "30 orders" in first.content.decode()
    assert 'rel="last"' in first.content.decode()
    assert 'rel="first"' in last.content.decode()


def test_a_tampered_cursor_shows_the_newest_orders(client_as, buyer, shop):
    # given
    orders = factories.OrderFactory.create_batch(3, buyer=buyer, shop=shop)
    # when
    response = client_as(buyer).get(reverse("web:buyer_orders"), {"after": "not-a-cursor"})
    # then
    assert response.status_code == 200
    assert [o.external_id for o in response.context["page"].items] == [o.external_id for o in orders]


def test_htmx_paging_returns_only_the_list(client_as, buyer, shop):
    # given
    factories.OrderFactory.create_batch(30, buyer=buyer, shop=shop)
    # when
    response = client_as(buyer).get(reverse("web:buyer_orders"), {"last": ""}, headers={"HX-Request": "true"})
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="order-list"')
    assert "<html" not in html


def test_buyer_list_query_count_does_not_grow_with_orders(client_as, buyer, other_buyer, shop):
    # given
    factories.OrderFactory.create_batch(3, buyer=buyer, shop=shop)
    factories.OrderFactory.create_batch(30, buyer=other_buyer, shop=shop)
    # when
    few = _queries_for(client_as(buyer), reverse("web:buyer_orders"))
    many = _queries_for(client_as(other_buyer), reverse("web:buyer_orders"))
    # then
    assert few == many


def test_seller_list_query_count_does_not_grow_with_orders(client_as, seller, other_seller, shop, other_shop):
    # given
    factories.OrderFactory.create_batch(3, shop=shop)
    factories.OrderFactory.create_batch(30, shop=other_shop)
    # when
    few = _queries_for(client_as(seller), reverse("web:seller_orders"))
    many = _queries_for(client_as(other_seller), reverse("web:seller_orders"))
    # then
    assert few == many


def test_last_pages_cost_the_queries_of_a_first_page_however_many_orders(client_as, buyer, other_buyer, shop):
    # given
    factories.OrderFactory.create_batch(3, buyer=buyer, shop=shop)
    factories.OrderFactory.create_batch(60, buyer=other_buyer, shop=shop)
    # when
    few = _queries_for(client_as(buyer), reverse("web:buyer_orders") + "?last")
    many_first = _queries_for(client_as(other_buyer), reverse("web:buyer_orders"))
    many_last = _queries_for(client_as(other_buyer), reverse("web:buyer_orders") + "?last")
    # then
    assert few == many_first == many_last


def test_seller_last_page_query_count_does_not_grow_with_orders(client_as, seller, other_seller, shop, other_shop):
    # given
    factories.OrderFactory.create_batch(3, shop=shop)
    factories.OrderFactory.create_batch(60, shop=other_shop)
    # when
    few = _queries_for(client_as(seller), reverse("web:seller_orders") + "?last")
    many = _queries_for(client_as(other_seller), reverse("web:seller_orders") + "?last")
    # then
    assert few == many


def test_the_items_column_reads_the_count_the_order_was_stored_with(client_as, buyer, shop):
    # given: an order of three lines, as the marketplace sends it
    factories.OrderFactory(buyer=buyer, shop=shop, external_id="O-THREE", line_count=3)
    # when
    html = client_as(buyer).get(reverse("web:buyer_orders")).content.decode()
    # then
    assert "3 items" in html


def test_seller_list_shows_the_shops_orders_with_the_buyer(client_as, seller, other_shop, order):
    # given
    factories.OrderFactory(shop=other_shop, external_id="O-ELSEWHERE")
    # when
    html = client_as(seller).get(reverse("web:seller_orders")).content.decode()
    # then
    assert "O-1001" in html
    assert order.buyer.name in html
    assert "O-ELSEWHERE" not in html


def test_order_page_shows_lines_payments_totals_and_timeline(client_as, buyer, order):
    # when
    html = client_as(buyer).get(reverse("web:order_detail", args=[order.pk])).content.decode()
    # then
    assert "Wool scarf" in html
    assert "1 × £25.00" in html
    assert "Card" in html
    assert "Captured" in html
    assert "Total" in html
    assert "Order placed" in html
    assert "Paid" in html
    assert "Nov. 2, 2026, 11:30 a.m." in html
    assert "Shipped" in html
    assert "Nov. 3, 2026, 3:45 p.m." in html
    assert "order.shipped" not in html


def test_order_page_speaks_the_buyers_language(client_as, buyer, order):
    # given
    buyer.language = "ru"
    buyer.save(update_fields=["language"])
    # when
    response = client_as(buyer).get(reverse("web:order_detail", args=[order.pk]))
    # then
    html = response.content.decode()
    assert '<html lang="ru">' in html
    assert "25,00\xa0£" in html
    assert "ноября 2026" in html


def test_operator_dashboard_counts_only_their_marketplace(client_as, operator, order, other_marketplace):
    # given
    factories.OrderFactory(
        marketplace=other_marketplace,
        shop=factories.ShopFactory(marketplace=other_marketplace),
        buyer=factories.BuyerFactory(marketplace=other_marketplace),
    )
    # when
    response = client_as(operator).get(reverse("web:operator_home"))
    # then
    dashboard = response.context["dashboard"]
    assert dashboard.total == 1
    assert {row.status: row.count for row in dashboard.by_status}["shipped"] == 1
    assert [o.pk for o in dashboard.latest] == [order.pk]
    assert reverse("web:console_order_detail", args=[order.pk]) in response.content.decode()


def test_admin_home_links_to_the_administration(client_as, admin_user):
    # when
    html = client_as(admin_user).get(reverse("web:admin_home")).content.decode()
    # then
    assert "Policy versions" in html
    assert "Business calendars" in html
    assert "API keys" in html
    assert "Users" in html
    assert reverse("admin:index") in html
