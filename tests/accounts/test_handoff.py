"""Hand-off links: a marketplace-signed token signs a person in once and lands them; every forgery is refused."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import jwt
import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from marketdesk.accounts.handoff import handoff_tokens_purge
from marketdesk.accounts.models import HandoffTokenUse, ShopMembership, User
from tests import factories
from tests.accounts.handoff_tokens import ED_KEY, RSA_KEY, claims, configure, forged, public_pem
from tests.conftest import NOW

pytestmark = pytest.mark.django_db

ISSUER_A = "https://shop-a.example"
ISSUER_B = "https://shop-b.example"
IAT = int(NOW.timestamp())


@pytest.fixture
def world(frozen_clock, marketplace, other_marketplace):
    """Marketplace A with buyer B-100's order O-1 and shop S-1; marketplace B with its own shop and order."""
    _config, secret_a = configure(marketplace, ISSUER_A)
    _config, secret_b = configure(other_marketplace, ISSUER_B)
    shop = factories.ShopFactory(marketplace=marketplace, external_id="S-1")
    buyer = factories.BuyerFactory(marketplace=marketplace, external_id="B-100", language="en")
    order = factories.OrderFactory(marketplace=marketplace, buyer=buyer, shop=shop, external_id="O-1")
    other_shop = factories.ShopFactory(marketplace=other_marketplace, external_id="S-9")
    other_buyer = factories.BuyerFactory(marketplace=other_marketplace, external_id="B-900")
    other_order = factories.OrderFactory(
        marketplace=other_marketplace, buyer=other_buyer, shop=other_shop, external_id="O-9"
    )
    return SimpleNamespace(
        secret=secret_a, secret_b=secret_b, shop=shop, buyer=buyer, order=order, other_order=other_order
    )


def hs256(secret: str, **extra) -> str:
    return jwt.encode(claims(issuer=ISSUER_A, iat=IAT, **extra), secret, algorithm="HS256")


def redeem(client: Client, token: str):
    return client.get("/sso/handoff", {"token": token})


def written() -> tuple[int, int, int]:
    return User.objects.count(), ShopMembership.objects.count(), HandoffTokenUse.objects.count()


def signed_in_as(client: Client) -> str | None:
    return client.session.get(SESSION_KEY)


# --- what works ----------------------------------------------------------------------------------------


def test_buyer_link_signs_in_updates_the_person_and_lands_on_the_orders_get_help_page(world):
    client = Client()

    response = redeem(client, hs256(world.secret, order="O-1", page="help"))

    assert response.status_code == 302
    assert response["Location"] == f"/orders/{world.order.pk}/help/"
    assert response["Referrer-Policy"] == "no-referrer"
    assert signed_in_as(client) == str(world.buyer.pk)
    world.buyer.refresh_from_db()
    assert (world.buyer.language, world.buyer.display_name, world.buyer.email) == (
        "ru",
        "Ada Buyer",
        "ada@example.test",
    )
    assert client.get(response["Location"]).status_code == 200


def test_seller_link_creates_the_seller_and_the_shop_membership(world):
    client = Client()
    token = hs256(world.secret, sub="U-7", name="Sam", role="seller", shop={"id": "S-1", "role": "owner"})

    response = redeem(client, token)

    seller = User.objects.get(external_id="U-7")
    assert (response.status_code, response["Location"]) == (302, "/")
    assert (seller.role, seller.marketplace_id, seller.has_usable_password()) == (
        "seller",
        world.shop.marketplace_id,
        False,
    )
    assert list(ShopMembership.objects.filter(user=seller).values_list("shop__external_id", "role")) == [
        ("S-1", "owner")
    ]
    assert signed_in_as(client) == str(seller.pk)


def test_seller_link_to_an_order_lands_on_the_sellers_order_page_by_default(world):
    token = hs256(world.secret, sub="U-7", role="seller", shop={"id": "S-1"}, order="O-1")

    response = redeem(Client(), token)

    assert (response.status_code, response["Location"]) == (302, f"/seller/orders/{world.order.pk}/")
    assert ShopMembership.objects.get(user__external_id="U-7").role == "staff"


def test_new_buyer_is_created_with_an_unusable_password_and_a_relative_destination(world):
    client = Client()

    response = redeem(client, hs256(world.secret, sub="B-new", locale="en", dest="/orders/?page=2"))

    person = User.objects.get(external_id="B-new")
    assert (response.status_code, response["Location"]) == (302, "/orders/?page=2")
    assert (person.role, person.language, person.has_usable_password()) == ("buyer", "en", False)


def test_rs256_token_verifies_against_the_marketplaces_jwks(world):
    token = jwt.encode(claims(issuer=ISSUER_A, iat=IAT), RSA_KEY, algorithm="RS256", headers={"kid": "rsa-1"})

    response = redeem(Client(), token)

    assert (response.status_code, response["Location"]) == (302, "/")


def test_eddsa_token_verifies_against_the_marketplaces_jwks(world):
    token = jwt.encode(claims(issuer=ISSUER_A, iat=IAT), ED_KEY, algorithm="EdDSA", headers={"kid": "ed-1"})

    response = redeem(Client(), token)

    assert (response.status_code, response["Location"]) == (302, "/")


# --- refusals: a clear page, the right status, nothing written, nobody signed in ------------------------


def _refused(world, token: str, status: int, text: str) -> None:
    client = Client(headers={"Accept-Language": "en"})
    before = written()

    response = redeem(client, token)

    assert response.status_code == status
    assert text in response.content.decode()
    assert written() == before
    assert signed_in_as(client) is None


def test_expired_token_is_refused(world, frozen_clock):
    token = hs256(world.secret, lifetime=60)
    frozen_clock.advance(dt.timedelta(seconds=60))

    _refused(world, token, 403, "This sign-in link has expired.")


def test_replayed_token_is_refused_the_second_time(world):
    token = hs256(world.secret)
    assert redeem(Client(), token).status_code == 302

    _refused(world, token, 403, "This sign-in link has already been used.")


def test_tampered_token_is_refused(world):
    header, _payload, signature = hs256(world.secret, sub="B-100").split(".")
    other_payload = hs256("another-secret-of-at-least-32-bytes!!", sub="B-900").split(".")[1]

    _refused(world, f"{header}.{other_payload}.{signature}", 403, "has been altered")


def test_token_signed_with_another_marketplaces_secret_is_refused(world):
    _refused(world, hs256(world.secret_b), 403, "has been altered")


def test_wrong_issuer_is_refused(world):
    token = jwt.encode(claims(issuer="https://unknown.example", iat=IAT), world.secret, algorithm="HS256")

    _refused(world, token, 403, "comes from a marketplace marketdesk does not know")


def test_wrong_audience_is_refused(world):
    _refused(world, hs256(world.secret, aud="https://elsewhere.example"), 403, "was made for another site")


def test_alg_none_is_refused(world):
    token = forged({"alg": "none", "typ": "JWT"}, claims(issuer=ISSUER_A, iat=IAT))

    _refused(world, token, 403, "signed in a way marketdesk does not accept")


def test_hs256_token_keyed_with_the_public_rsa_key_is_refused(world):
    token = forged(
        {"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}, claims(issuer=ISSUER_A, iat=IAT), public_pem(RSA_KEY)
    )

    _refused(world, token, 403, "has been altered")


def test_rs256_token_naming_an_unknown_key_is_refused(world):
    token = jwt.encode(claims(issuer=ISSUER_A, iat=IAT), RSA_KEY, algorithm="RS256", headers={"kid": "rsa-2"})

    _refused(world, token, 403, "signed in a way marketdesk does not accept")


def test_lifetime_over_five_minutes_is_refused(world):
    _refused(world, hs256(world.secret, lifetime=301), 403, "at most five minutes")


def test_token_issued_in_the_future_is_refused(world):
    token = jwt.encode(claims(issuer=ISSUER_A, iat=IAT + 120), world.secret, algorithm="HS256")

    _refused(world, token, 403, "at most five minutes")


@pytest.mark.parametrize("role", ["operator", "admin", "marketplace", "system"])
def test_staff_roles_are_never_granted(world, role):
    _refused(world, hs256(world.secret, sub="X-1", role=role), 403, "never an operator or an administrator")


def test_existing_operator_is_not_signed_in_by_a_link(world, marketplace):
    factories.OperatorFactory(marketplace=marketplace, external_id="OP-1")

    _refused(world, hs256(world.secret, sub="OP-1", role="buyer"), 403, "already known here as Operator")


def test_deactivated_person_is_refused(world):
    User.objects.filter(pk=world.buyer.pk).update(is_active=False)

    _refused(world, hs256(world.secret), 403, "has been deactivated")


@pytest.mark.parametrize(
    "dest",
    [
        "https://evil.example/",
        "//evil.example/orders/",
        "/\\evil.example",
        "javascript:alert(1)",
        "orders/",
        "/orders/\r\nSet-Cookie: a=1",
    ],
)
def test_destination_on_another_host_is_refused(world, dest):
    _refused(world, hs256(world.secret, sub="B-new", dest=dest), 400, "must be a path inside marketdesk")


def test_token_naming_another_marketplaces_shop_is_refused(world):
    token = hs256(world.secret, sub="U-7", role="seller", shop={"id": "S-9", "role": "owner"})

    _refused(world, token, 403, "No shop S-9 was found.")


def test_token_landing_on_another_marketplaces_order_is_refused(world):
    _refused(world, hs256(world.secret, sub="B-100", order="O-9"), 403, "No order O-9 of this person was found.")


def test_seller_sent_to_the_buyers_get_help_page_is_refused(world):
    token = hs256(world.secret, sub="U-7", role="seller", shop={"id": "S-1"}, order="O-1", page="help")

    _refused(world, token, 400, "The Get help page is the buyer&#x27;s")


def test_buyer_token_landing_on_another_buyers_order_is_refused(world):
    _refused(world, hs256(world.secret, sub="B-other", order="O-1"), 403, "No order O-1 of this person was found.")


@pytest.mark.parametrize("token", ["", "not-a-token", "a.b.c"])
def test_unreadable_token_is_refused_as_a_bad_request(world, token):
    _refused(world, token, 400, "This sign-in link is damaged or incomplete.")


def test_token_without_a_jti_is_refused_as_a_bad_request(world):
    payload = claims(issuer=ISSUER_A, iat=IAT)
    del payload["jti"]

    _refused(world, jwt.encode(payload, world.secret, algorithm="HS256"), 400, "damaged or incomplete")


def test_refusal_page_is_in_russian_for_a_russian_browser(world):
    response = Client(headers={"Accept-Language": "ru"}).get("/sso/handoff", {"token": "a.b.c"})

    assert response.status_code == 400
    assert "Ссылка для входа не сработала" in response.content.decode()


def test_signed_in_by_a_link_to_another_marketplaces_order_path_gets_404(world):
    client = Client()
    path = f"/orders/{world.other_order.pk}/help/"

    response = redeem(client, hs256(world.secret, dest=path))

    assert (response.status_code, response["Location"]) == (302, path)
    assert client.get(path).status_code == 404


# --- housekeeping --------------------------------------------------------------------------------------


def test_purge_forgets_only_expired_token_ids(world, frozen_clock):
    redeem(Client(), hs256(world.secret, lifetime=60))
    redeem(Client(), hs256(world.secret, lifetime=300))
    frozen_clock.advance(dt.timedelta(seconds=120))

    deleted = handoff_tokens_purge()

    assert (deleted, HandoffTokenUse.objects.count()) == (1, 1)
