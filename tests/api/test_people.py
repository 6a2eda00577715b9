"""The marketplace's people by API: minting sign-in links, shop members, deactivation — each role, each refusal."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from marketdesk.accounts.models import ShopMembership, User
from tests import factories
from tests.api.helpers import PROBLEM, session_client
from tests.conftest import NOW

pytestmark = pytest.mark.django_db

MINT = "/api/v1/sign-in-links"
MEMBER = "/api/v1/shops/S-1/members/U-7"


@pytest.fixture
def world(frozen_clock, marketplace, other_marketplace):
    shop = factories.ShopFactory(marketplace=marketplace, external_id="S-1")
    buyer = factories.BuyerFactory(marketplace=marketplace, external_id="B-100")
    order = factories.OrderFactory(marketplace=marketplace, buyer=buyer, shop=shop, external_id="O-1")
    other_shop = factories.ShopFactory(marketplace=other_marketplace, external_id="S-9")
    other_buyer = factories.BuyerFactory(marketplace=other_marketplace, external_id="B-900")
    factories.OrderFactory(marketplace=other_marketplace, buyer=other_buyer, shop=other_shop, external_id="O-9")
    return shop, buyer, order


def post(client: Client, path: str, body: dict | None = None, **extra):
    return client.post(path, body or {}, content_type="application/json", **extra)


def put(client: Client, path: str, body: dict, **extra):
    return client.put(path, body, content_type="application/json", **extra)


# --- minting -------------------------------------------------------------------------------------------


def test_minted_link_signs_the_buyer_in_once_and_lands_on_get_help(world, key_client):
    _shop, buyer, order = world

    response = post(key_client, MINT, {"external_id": "B-100", "locale": "ru", "role": "buyer", "order": "O-1"})

    body = response.json()
    link = urlsplit(body["url"])
    assert response.status_code == 201
    assert (link.scheme, link.netloc, link.path) == ("http", "127.0.0.1:8000", "/sso/handoff")
    assert dt.datetime.fromisoformat(body["expires_at"]) == NOW + dt.timedelta(minutes=5)
    browser = Client()
    landed = browser.get(f"{link.path}?{link.query}")
    assert (landed.status_code, landed["Location"]) == (302, f"/orders/{order.pk}/help/")
    assert browser.get(landed["Location"]).status_code == 200
    assert Client().get(f"{link.path}?{link.query}").status_code == 403
    buyer.refresh_from_db()
    assert buyer.language == "ru"


def test_minted_link_for_a_seller_of_a_shop(world, key_client):
    response = post(key_client, MINT, {"external_id": "U-7", "role": "seller", "shop": {"id": "S-1", "role": "owner"}})
    link = urlsplit(response.json()["url"])

    landed = Client().get(f"{link.path}?{link.query}")

    assert (response.status_code, landed.status_code) == (201, 302)
    assert ShopMembership.objects.get(user__external_id="U-7").role == "owner"


def test_minted_link_is_replayed_with_the_same_idempotency_key(world, key_client):
    body = {"external_id": "B-100", "role": "buyer"}

    first = post(key_client, MINT, body, headers={"Idempotency-Key": "mint-1"})
    again = post(key_client, MINT, body, headers={"Idempotency-Key": "mint-1"})

    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (201, 201, "true")
    assert again.json() == first.json()


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"external_id": "U-7", "role": "seller", "shop": {"id": "S-9"}}, 404, "shop.id"),
        ({"external_id": "B-900", "role": "buyer", "order": "O-9"}, 404, "order"),
        ({"external_id": "B-other", "role": "buyer", "order": "O-1"}, 404, "order"),
        ({"external_id": "X-1", "role": "admin"}, 403, "role"),
        ({"external_id": "X-1", "role": "operator"}, 403, "role"),
        ({"external_id": "B-100", "role": "buyer", "dest": "https://evil.example/"}, 422, "dest"),
        ({"external_id": "U-7", "role": "seller"}, 422, "shop"),
        ({"external_id": "B-100", "role": "buyer", "unknown": 1}, 422, "unknown"),
        ({"role": "buyer"}, 422, "external_id"),
    ],
)
def test_mint_refusals_name_the_field_and_create_nobody(world, key_client, body, status, field):
    people = User.objects.count()

    response = post(key_client, MINT, body)

    assert (response.status_code, response["Content-Type"]) == (status, PROBLEM)
    assert response.json()["errors"][0]["field"] == field
    assert User.objects.count() == people


def test_a_key_minting_for_another_marketplaces_person_id_names_its_own_person(world, key_client, other_marketplace):
    # B-900 is a buyer of the other marketplace; to this key the id is just one of its own people's
    response = post(key_client, MINT, {"external_id": "B-900", "role": "buyer"})
    link = urlsplit(response.json()["url"])
    browser = Client()

    browser.get(f"{link.path}?{link.query}")

    signed_in = User.objects.get(pk=browser.session["_auth_user_id"])
    assert (response.status_code, signed_in.marketplace_id) == (201, world[1].marketplace_id)
    assert User.objects.get(marketplace=other_marketplace, external_id="B-900") != signed_in


@pytest.mark.parametrize(
    "body",
    [
        {"external_id": "B-100", "role": "seller", "shop": {"id": "S-1"}},
        {"external_id": "OP-1", "role": "buyer"},
        {"external_id": "B-gone", "role": "buyer"},
    ],
)
def test_mint_refuses_a_person_who_cannot_sign_in_so(world, key_client, marketplace, body):
    factories.OperatorFactory(marketplace=marketplace, external_id="OP-1")
    factories.BuyerFactory(marketplace=marketplace, external_id="B-gone", is_active=False)

    response = post(key_client, MINT, body)

    assert (response.status_code, response.json()["errors"][0]["field"]) == (409, "role")


# --- provisioning --------------------------------------------------------------------------------------


def test_member_put_creates_then_updates_idempotently(world, key_client):
    body = {"name": "Sam Seller", "email": "sam@example.test", "language": "ru", "role": "staff"}

    created = put(key_client, MEMBER, body)
    repeated = put(key_client, MEMBER, body)
    promoted = put(key_client, MEMBER, {**body, "role": "owner"})

    assert (created.status_code, repeated.status_code, promoted.status_code) == (201, 200, 200)
    assert created.json() == {
        "shop_external_id": "S-1",
        "user_external_id": "U-7",
        "name": "Sam Seller",
        "email": "sam@example.test",
        "language": "ru",
        "role": "staff",
    }
    seller = User.objects.get(external_id="U-7")
    assert (seller.role, seller.has_usable_password()) == ("seller", False)
    assert list(ShopMembership.objects.filter(user=seller).values_list("role", flat=True)) == ["owner"]


def test_member_put_refuses_to_make_a_buyer_a_seller(world, key_client):
    response = put(key_client, "/api/v1/shops/S-1/members/B-100", {"role": "staff"})

    assert (response.status_code, response.json()["errors"][0]["field"]) == (409, "role")
    assert ShopMembership.objects.count() == 0


def test_member_put_refuses_an_unknown_role(world, key_client):
    response = put(key_client, MEMBER, {"role": "admin"})

    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "role")


def test_member_delete_removes_the_membership_and_keeps_the_person(world, key_client):
    put(key_client, MEMBER, {"role": "staff"})

    response = key_client.delete(MEMBER)
    again = key_client.delete(MEMBER)

    assert (response.status_code, again.status_code) == (204, 204)
    assert (ShopMembership.objects.count(), User.objects.filter(external_id="U-7").count()) == (0, 1)


def test_deactivation_ends_the_persons_sessions_at_once(world, key_client):
    _shop, buyer, order = world
    browser = session_client(buyer)
    assert browser.get(f"/orders/{order.pk}/").status_code == 200

    response = post(key_client, "/api/v1/users/B-100/deactivate")

    assert response.status_code == 200
    assert response.json() == {
        "external_id": "B-100",
        "name": buyer.display_name,
        "email": buyer.email,
        "role": "buyer",
        "is_active": False,
    }
    assert Session.objects.count() == 0
    assert browser.get(f"/orders/{order.pk}/").status_code == 302
    assert browser.get("/api/v1/orders").status_code == 401


def test_a_kept_session_of_a_deactivated_person_no_longer_authenticates(world, key_client):
    # given: a session that deactivation could not delete (e.g. made after it, or restored from a backup)
    _shop, buyer, order = world
    post(key_client, "/api/v1/users/B-100/deactivate")
    browser = session_client(buyer)

    # then: Django's ModelBackend refuses the inactive user on every request
    assert browser.get(f"/orders/{order.pk}/").status_code == 302


def test_reactivation_lets_the_person_sign_in_again(world, key_client):
    post(key_client, "/api/v1/users/B-100/deactivate")

    response = post(key_client, "/api/v1/users/B-100/reactivate")
    link = urlsplit(post(key_client, MINT, {"external_id": "B-100", "role": "buyer"}).json()["url"])

    assert (response.status_code, response.json()["is_active"]) == (200, True)
    assert Client().get(f"{link.path}?{link.query}").status_code == 302


def test_operators_are_not_the_marketplaces_to_deactivate(world, key_client, marketplace):
    factories.OperatorFactory(marketplace=marketplace, external_id="OP-1")

    response = post(key_client, "/api/v1/users/OP-1/deactivate")

    assert response.status_code == 403
    assert User.objects.get(external_id="OP-1").is_active is True


# --- role × route ----------------------------------------------------------------------------------------

ROUTES = [
    ("post", MINT, {"external_id": "B-100", "role": "buyer"}, 201),
    ("put", "/api/v1/shops/S-1/members/B-100", {"role": "staff"}, 409),
    ("put", MEMBER, {"role": "staff"}, 201),
    ("delete", "/api/v1/shops/S-1/members/B-100", None, 204),
    ("post", "/api/v1/users/B-100/deactivate", None, 200),
    ("post", "/api/v1/users/B-100/reactivate", None, 200),
]


@pytest.mark.parametrize(("method", "path", "body", "expected"), ROUTES)
def test_the_marketplaces_own_key(world, key_client, method, path, body, expected):
    response = getattr(key_client, method)(path, body, content_type="application/json")

    assert response.status_code == expected


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", MINT, {"external_id": "B-100", "role": "buyer", "order": "O-1"}),
        ("put", MEMBER, {"role": "staff"}),
        ("delete", MEMBER, None),
        ("post", "/api/v1/users/B-100/deactivate", None),
        ("post", "/api/v1/users/B-100/reactivate", None),
    ],
)
def test_another_marketplaces_key_gets_404(world, other_key_client, method, path, body):
    people = list(User.objects.values_list("pk", "is_active"))

    response = getattr(other_key_client, method)(path, body, content_type="application/json")

    assert (response.status_code, response["Content-Type"]) == (404, PROBLEM)
    assert list(User.objects.values_list("pk", "is_active")) == people


@pytest.mark.parametrize(
    "client_fixture", ["anonymous_client", "buyer_session", "seller_session", "operator_session", "admin_session"]
)
@pytest.mark.parametrize(("method", "path", "body", "_expected"), ROUTES)
def test_people_without_the_key_get_401(world, request, client_fixture, method, path, body, _expected):
    client = request.getfixturevalue(client_fixture)

    response = getattr(client, method)(path, body, content_type="application/json")

    assert (response.status_code, response["Content-Type"]) == (401, PROBLEM)


@pytest.fixture
def buyer_session(world):
    return session_client(world[1])


@pytest.fixture
def seller_session(seller):
    return session_client(seller)


@pytest.fixture
def operator_session(operator):
    return session_client(operator)


@pytest.fixture
def admin_session(admin_user):
    return session_client(admin_user)
