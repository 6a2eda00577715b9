"""Signing in through the marketplace's OpenID provider (a real one on loopback): the round trip and every refusal."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from marketdesk.accounts.models import ShopMembership, User
from tests import factories
from tests.accounts.oidc_provider import Provider, configure_oidc, running_provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider_a() -> Iterator[Provider]:
    with running_provider() as provider:
        yield provider


@pytest.fixture
def provider_b() -> Iterator[Provider]:
    with running_provider(end_session=False) as provider:
        yield provider


@pytest.fixture
def world(marketplace, other_marketplace, provider_a, provider_b):
    """Marketplace A (buyer B-100, order O-1, shop S-1) and B (its own buyer B-100, order, shop S-9), each its provider."""
    configure_oidc(marketplace, provider_a, claim_shops="shops")
    configure_oidc(other_marketplace, provider_b)
    shop = factories.ShopFactory(marketplace=marketplace, external_id="S-1")
    buyer = factories.BuyerFactory(marketplace=marketplace, external_id="B-100", language="en")
    order = factories.OrderFactory(marketplace=marketplace, buyer=buyer, shop=shop, external_id="O-1")
    other_shop = factories.ShopFactory(marketplace=other_marketplace, external_id="S-9")
    other_buyer = factories.BuyerFactory(marketplace=other_marketplace, external_id="B-100")
    other_order = factories.OrderFactory(marketplace=other_marketplace, buyer=other_buyer, shop=other_shop)
    return SimpleNamespace(
        a=provider_a, b=provider_b, shop=shop, buyer=buyer, order=order, other_order=other_order, other_shop=other_shop
    )


def start(client: Client, marketplace: str = "market-default", next_path: str = "") -> str:
    response = client.get(f"/sso/oidc/{marketplace}/", {"next": next_path} if next_path else {})
    assert response.status_code == 302
    return response["Location"]


def callback(client: Client, query: dict[str, str], marketplace: str = "market-default"):
    return client.get(f"/sso/oidc/{marketplace}/callback", query)


def signed_in_as(client: Client) -> str | None:
    return client.session.get(SESSION_KEY)


def written() -> tuple[int, int]:
    return User.objects.count(), ShopMembership.objects.count()


# --- the round trip -----------------------------------------------------------------------------------


def test_sign_in_page_offers_each_configured_marketplace_with_next(world):
    response = Client().get("/sign-in/", {"next": "/orders/7/help/"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Sign in with Default Market" in page
    assert "Sign in with Other Market" in page
    assert 'href="/sso/oidc/market-default/?next=/orders/7/help/"' in page


def test_start_sends_the_browser_to_the_provider_with_pkce_state_and_nonce(world):
    location = start(Client())

    url = urlsplit(location)
    query = {key: values[0] for key, values in parse_qs(url.query).items()}
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{world.a.issuer}/authorize"
    assert query["response_type"] == "code"
    assert query["client_id"] == "marketdesk"
    assert query["redirect_uri"] == "http://127.0.0.1:8000/sso/oidc/market-default/callback"
    assert query["scope"] == "openid email profile"
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 20
    assert len(query["nonce"]) >= 20


def test_buyer_round_trip_maps_the_claims_and_lands_where_they_were_going(world):
    client = Client()
    get_help = f"/orders/{world.order.pk}/help/"

    response = callback(client, world.a.authorize(start(client, next_path=get_help)))

    assert response.status_code == 302
    assert response["Location"] == get_help
    assert response["Referrer-Policy"] == "no-referrer"
    assert signed_in_as(client) == str(world.buyer.pk)
    world.buyer.refresh_from_db()
    assert (world.buyer.display_name, world.buyer.email, world.buyer.language) == (
        "Ada Buyer",
        "ada@example.test",
        "ru",
    )
    assert world.a.token_requests[0]["grant_type"] == "authorization_code"
    assert client.get(get_help).status_code == 200


def test_a_new_person_is_created_as_a_buyer_of_this_marketplace_with_an_unusable_password(world):
    client = Client()

    response = callback(client, world.a.authorize(start(client), sub="B-777", name="Bo New", locale="en"))

    assert response.status_code == 302
    assert response["Location"] == "/"
    user = User.objects.get(external_id="B-777")
    assert (user.marketplace_id, user.role, user.display_name, user.language) == (
        world.order.marketplace_id,
        "buyer",
        "Bo New",
        "en",
    )
    assert user.has_usable_password() is False
    assert signed_in_as(client) == str(user.pk)


@pytest.mark.parametrize("unsafe", ["https://evil.example/orders/", "//evil.example/", "/\\evil.example", "/a b"])
def test_a_next_that_is_not_a_path_inside_marketdesk_lands_on_the_home_page(world, unsafe):
    client = Client()

    response = callback(client, world.a.authorize(start(client, next_path=unsafe)))

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_seller_gets_the_shops_of_the_shops_claim_of_this_marketplace_only(world):
    client = Client()
    shops = [{"id": "S-1", "role": "owner"}, {"id": "S-9", "role": "owner"}]

    response = callback(client, world.a.authorize(start(client), sub="U-5", role="seller", shops=shops))

    assert response.status_code == 302
    seller = User.objects.get(external_id="U-5")
    assert seller.role == "seller"
    assert list(ShopMembership.objects.filter(user=seller).values_list("shop_id", "role")) == [(world.shop.pk, "owner")]


def test_a_seller_provisioned_by_api_signs_in_as_seller_without_a_role_claim(world):
    seller = factories.SellerFactory(marketplace=world.shop.marketplace, external_id="U-6")
    factories.MembershipFactory(user=seller, shop=world.shop, role="staff")
    client = Client()

    response = callback(client, world.a.authorize(start(client), sub="U-6"))

    assert response.status_code == 302
    assert signed_in_as(client) == str(seller.pk)
    seller.refresh_from_db()
    assert seller.role == "seller"
    assert list(ShopMembership.objects.filter(user=seller).values_list("role", flat=True)) == ["staff"]


@pytest.mark.parametrize("claimed", ["admin", "operator", "superuser"])
def test_a_claim_asking_for_operator_or_admin_is_ignored(world, claimed):
    client = Client()

    response = callback(client, world.a.authorize(start(client), sub="B-666", role=claimed))

    assert response.status_code == 302
    user = User.objects.get(external_id="B-666")
    assert (user.role, user.is_staff, user.is_superuser) == ("buyer", False, False)
    assert client.get("/console/").status_code == 403


@pytest.mark.parametrize(
    ("path", "expected"),
    [("/orders/ref/O-1/help/", "cases:get_help"), ("/orders/ref/O-1/", "web:order_detail")],
)
def test_a_next_by_the_marketplaces_order_number_lands_on_that_orders_page(world, path, expected):
    client = Client()

    response = callback(client, world.a.authorize(start(client, next_path=path)))
    landed = client.get(response["Location"])

    assert landed.status_code == 302
    assert landed["Location"] == reverse(expected, kwargs={"pk": world.order.pk})


def test_an_order_number_of_another_marketplace_or_person_is_not_found(world):
    client = Client()
    callback(client, world.a.authorize(start(client)))

    assert client.get(f"/orders/ref/{world.other_order.external_id}/help/").status_code == 404
    assert client.get("/orders/ref/O-nope/").status_code == 404


def test_a_seller_by_order_number_gets_the_order_page_but_not_get_help(world):
    client = Client()
    callback(client, world.a.authorize(start(client), sub="U-8", role="seller", shops=[{"id": "S-1"}]))

    assert client.get("/orders/ref/O-1/")["Location"] == f"/seller/orders/{world.order.pk}/"
    assert client.get("/orders/ref/O-1/help/").status_code == 404


# --- isolation -------------------------------------------------------------------------------------


def test_the_same_id_at_two_marketplaces_is_two_people_and_neither_acts_on_the_others_orders(world):
    client_a, client_b = Client(), Client()

    callback(client_a, world.a.authorize(start(client_a)))
    callback(client_b, world.b.authorize(start(client_b, "market-other")), "market-other")

    assert signed_in_as(client_a) == str(world.buyer.pk)
    assert signed_in_as(client_b) == str(world.other_order.buyer_id)
    assert client_a.get(f"/orders/{world.other_order.pk}/help/").status_code == 404
    assert client_b.get(f"/orders/{world.order.pk}/help/").status_code == 404
    assert client_b.get(f"/orders/{world.other_order.pk}/help/").status_code == 200


def test_an_answer_of_marketplace_bs_provider_is_refused_at_as_callback(world):
    client = Client()
    start(client)  # a sign-in at A is pending in this browser
    answer = world.b.authorize(start(client, "market-other"))
    before = written()

    response = callback(client, answer)  # B's code and state, delivered to A's callback

    assert response.status_code == 400
    assert signed_in_as(client) is None
    assert written() == before


# --- refusals: nothing created, nobody signed in -------------------------------------------------------


def test_a_wrong_state_is_refused_with_a_clear_page_before_the_code_is_used(world):
    client = Client()
    answer = world.a.authorize(start(client), sub="B-901")
    before = written()

    response = callback(client, {**answer, "state": "forged-state"})

    assert response.status_code == 400
    assert "This sign-in was not started in this browser" in response.content.decode()
    assert signed_in_as(client) is None
    assert written() == before
    assert world.a.token_requests == []


def test_a_callback_in_another_browser_is_refused(world):
    answer = world.a.authorize(start(Client()), sub="B-902")
    before = written()

    response = callback(Client(), answer)

    assert response.status_code == 400
    assert written() == before


def test_a_state_is_used_once(world):
    client = Client()
    location = start(client)
    callback(client, world.a.authorize(location))
    client.logout()

    response = callback(client, world.a.authorize(location))

    assert response.status_code == 400
    assert signed_in_as(client) is None


@pytest.mark.parametrize(
    ("tamper", "description"),
    [
        ({"nonce": "another-nonce"}, "wrong nonce"),
        ({"nonce": None}, "no nonce"),
        ({"iss": "https://impostor.example"}, "wrong issuer"),
        ({"aud": "another-client"}, "wrong audience"),
        ({"exp": 1_000_000_000}, "expired"),
    ],
)
def test_an_id_token_that_does_not_check_out_is_refused_and_creates_nothing(world, tamper, description):
    client = Client()
    answer = world.a.authorize(start(client), sub="B-903", **tamper)
    before = written()

    response = callback(client, answer)

    assert response.status_code == 403, description
    assert "could not be verified" in response.content.decode()
    assert signed_in_as(client) is None
    assert written() == before


def test_the_providers_refusal_is_shown(world):
    client = Client()
    state = parse_qs(urlsplit(start(client)).query)["state"][0]

    response = callback(client, {"error": "access_denied", "state": state})

    assert response.status_code == 403
    assert "The marketplace did not sign you in." in response.content.decode()
    assert signed_in_as(client) is None


def test_the_refusal_page_is_translated(world):
    client = Client(headers={"accept-language": "ru"})

    response = callback(client, {"code": "x", "state": "forged-state"})

    assert response.status_code == 400
    assert "Этот вход" in response.content.decode()


def test_a_marketplace_without_openid_connect_has_no_sign_in_route(world):
    factories.MarketplaceFactory(slug="market-plain")

    assert Client().get("/sso/oidc/market-plain/").status_code == 404
    assert Client().get("/sso/oidc/market-plain/callback").status_code == 404


# --- signing out -----------------------------------------------------------------------------------


def test_signing_out_ends_the_session_and_signs_out_at_the_provider(world):
    client = Client()
    callback(client, world.a.authorize(start(client)))
    id_token = client.session["marketdesk_oidc"]["id_token"]

    response = client.post("/sign-out/")

    # A page that moves on to the provider by itself (a redirect after the form would break form-action 'self').
    target = re.search(r'<meta http-equiv="refresh" content="0;url=([^"]+)">', response.content.decode())
    url = urlsplit(html.unescape(target.group(1)))
    query = {key: values[0] for key, values in parse_qs(url.query).items()}
    assert response.status_code == 200
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{world.a.issuer}/logout"
    assert query["id_token_hint"] == id_token
    assert query["post_logout_redirect_uri"] == "http://127.0.0.1:8000/sign-in/"
    assert query["client_id"] == "marketdesk"
    assert signed_in_as(client) is None


def test_signing_out_when_the_provider_offers_no_end_session_stays_in_marketdesk(world):
    client = Client()
    callback(client, world.b.authorize(start(client, "market-other")), "market-other")

    response = client.post("/sign-out/")

    assert response.status_code == 302
    assert response["Location"] == "/sign-in/"
    assert signed_in_as(client) is None


# --- docs/integrate.md ------------------------------------------------------------------------------


def test_the_documented_id_token_claims_make_a_russian_speaking_owner_of_the_shop(world):
    doc = (Path(__file__).resolve().parents[2] / "docs" / "integrate.md").read_text()
    example = re.findall(r"^```python\n(.*?)^```", doc, flags=re.MULTILINE | re.DOTALL)[0]
    namespace: dict = {}
    exec(compile(example, "docs/integrate.md", "exec"), namespace)  # noqa: S102 -- our own documentation's example
    world.shop.external_id = "S-100"
    world.shop.save(update_fields=["external_id"])
    client = Client()

    response = callback(client, world.a.authorize(start(client), **namespace["ID_TOKEN_CLAIMS"]))

    assert response.status_code == 302
    seller = User.objects.get(external_id="U-7")
    assert (seller.role, seller.display_name, seller.email, seller.language) == (
        "seller",
        "Sam Seller",
        "sam@example.test",
        "ru",
    )
    assert list(ShopMembership.objects.filter(user=seller).values_list("shop_id", "role")) == [(world.shop.pk, "owner")]
