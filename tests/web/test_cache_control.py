"""Signed-in pages and API answers carry `Cache-Control: private, no-store`."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from marketdesk.accounts.services import api_key_create
from marketdesk.core.actors import Actor

pytestmark = pytest.mark.django_db

ROLE_PAGES = [
    ("buyer", "web:buyer_orders", 200),
    ("seller", "web:seller_orders", 200),
    ("operator", "web:operator_home", 200),
    ("admin_user", "web:admin_home", 200),
    ("buyer", "web:admin_home", 403),  # a refusal names the person too
]


def directives(response) -> set[str]:
    return {d.strip() for d in response.get("Cache-Control", "").split(",") if d.strip()}


@pytest.mark.parametrize(("role", "url_name", "status"), ROLE_PAGES)
def test_a_signed_in_page_is_never_stored_by_a_shared_cache(client_for, role, url_name, status):
    # when
    response = client_for(role).get(reverse(url_name))
    # then
    assert response.status_code == status
    assert {"private", "no-store"} <= directives(response)


def test_an_order_page_of_a_buyer_is_never_stored(client_for, order):
    # when
    response = client_for("buyer").get(reverse("web:order_detail", args=[order.pk]))
    # then
    assert response.status_code == 200
    assert {"private", "no-store"} <= directives(response)


def test_an_api_answer_to_a_key_is_never_stored(marketplace):
    # given
    _key, raw = api_key_create(actor=Actor.system(), marketplace=marketplace, name="Integration")
    # when
    response = Client().get("/api/v1/orders", headers={"Authorization": f"Bearer {raw}"})
    # then
    assert response.status_code == 200
    assert {"private", "no-store"} <= directives(response)
