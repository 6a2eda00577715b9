"""Every page as every role: exact status codes, never "anything ≥ 300"."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

# fmt: off
LIST_PAGES = {
    "web:buyer_orders":  {"buyer": 200, "other_buyer": 200, "seller": 403, "other_seller": 403, "operator": 403, "admin_user": 403},
    "web:seller_orders": {"buyer": 403, "other_buyer": 403, "seller": 200, "other_seller": 200, "operator": 403, "admin_user": 403},
    "web:operator_home": {"buyer": 403, "other_buyer": 403, "seller": 403, "other_seller": 403, "operator": 200, "admin_user": 200},
    "web:admin_home":    {"buyer": 403, "other_buyer": 403, "seller": 403, "other_seller": 403, "operator": 403, "admin_user": 200},
}
ORDER_PAGES = {
    "web:order_detail":         {"buyer": 200, "other_buyer": 404, "seller": 404, "other_seller": 404, "operator": 404, "admin_user": 404},
    "web:seller_order_detail":  {"buyer": 404, "other_buyer": 404, "seller": 200, "other_seller": 404, "operator": 404, "admin_user": 404},
    "web:console_order_detail": {"buyer": 404, "other_buyer": 404, "seller": 404, "other_seller": 404, "operator": 200, "admin_user": 200,
                                 "other_operator": 404},
}
# fmt: on

LIST_CASES = [(name, role, status) for name, row in LIST_PAGES.items() for role, status in row.items()]
ORDER_CASES = [(name, role, status) for name, row in ORDER_PAGES.items() for role, status in row.items()]
ALL_PAGES = [(name, False) for name in LIST_PAGES] + [(name, True) for name in ORDER_PAGES]


@pytest.mark.parametrize(("url_name", "role", "status"), LIST_CASES)
def test_section_page_answers_each_role(client_for, url_name, role, status):
    # given
    client = client_for(role)
    # when
    response = client.get(reverse(url_name))
    # then
    assert response.status_code == status


@pytest.mark.parametrize(("url_name", "role", "status"), ORDER_CASES)
def test_order_page_answers_each_role(client_for, order, url_name, role, status):
    # given
    client = client_for(role)
    # when
    response = client.get(reverse(url_name, args=[order.pk]))
    # then
    assert response.status_code == status


@pytest.mark.parametrize(("url_name", "needs_order"), ALL_PAGES)
def test_anonymous_visitor_is_sent_to_sign_in(client, order, url_name, needs_order):
    # given
    url = reverse(url_name, args=[order.pk] * needs_order)
    # when
    response = client.get(url)
    # then
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('web:login')}?next={url}"


@pytest.mark.parametrize(
    ("role", "home"),
    [
        ("buyer", "/orders/"),
        ("seller", "/seller/orders/"),
        ("operator", "/console/"),
        ("admin_user", "/manage/"),
        ("anonymous", "/sign-in/"),
    ],
)
def test_home_sends_each_role_to_its_own_home(client_for, role, home):
    # given
    client = client_for(role)
    # when
    response = client.get(reverse("web:home"))
    # then
    assert response.status_code == 302
    assert response["Location"] == home


def test_refused_section_shows_the_friendly_403_page(client_as, seller):
    # when
    response = client_as(seller).get(reverse("web:buyer_orders"))
    # then
    assert response.status_code == 403
    assert "This part of marketdesk is not for your account" in response.content.decode()
    assert 'class="topbar"' in response.content.decode()


def test_unknown_order_shows_the_friendly_404_page(client_as, buyer):
    # when
    response = client_as(buyer).get(reverse("web:order_detail", args=[987654]))
    # then
    assert response.status_code == 404
    assert "We could not find this page" in response.content.decode()


def test_500_page_renders_without_a_request():
    # given: Django renders 500.html with an empty context, so the layout must not need one
    from django.template.loader import render_to_string

    # when
    html = render_to_string("500.html")
    # then
    assert "Something went wrong on our side" in html
