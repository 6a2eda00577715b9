"""A marketplace's hand-off configuration: made by an administrator, the HS256 secret shown once, public keys only."""

from __future__ import annotations

import jwt
import pytest
from django.test import Client

from marketdesk.accounts.models import SignInConfig
from marketdesk.accounts.services import sign_in_config_create, sign_in_config_set_oidc, sign_in_config_update
from marketdesk.core.actors import Actor
from marketdesk.core.errors import Conflict, DomainValidationError, PermissionDenied
from tests.accounts.handoff_tokens import RSA_KEY, claims, configure, public_jwk
from tests.api.helpers import session_client
from tests.conftest import NOW

pytestmark = pytest.mark.django_db

ISSUER = "https://shop.example"


def test_adding_a_configuration_in_the_admin_shows_the_secret_once(admin_user, marketplace):
    client = session_client(admin_user)

    response = client.post(
        "/admin/accounts/signinconfig/add/",
        {"marketplace": marketplace.pk, "issuer": ISSUER, "jwks": '{"keys": []}'},
        follow=True,
    )

    config = SignInConfig.objects.get(issuer=ISSUER)
    shown = [str(m) for m in response.context["messages"] if config.hs256_secret in str(m)]
    assert (response.status_code, len(shown), len(config.hs256_secret) >= 64) == (200, 1, True)
    assert config.hs256_secret not in client.get(f"/admin/accounts/signinconfig/{config.pk}/change/").content.decode()


def test_rotating_the_secret_in_the_admin_makes_the_old_one_useless(admin_user, marketplace, frozen_clock):
    config, old_secret = configure(marketplace, ISSUER)
    token = jwt.encode(claims(issuer=ISSUER, iat=int(NOW.timestamp()), sub="B-new"), old_secret, algorithm="HS256")

    session_client(admin_user).post(
        f"/admin/accounts/signinconfig/{config.pk}/change/", {"jwks": '{"keys": []}', "rotate_secret": "on"}
    )

    config.refresh_from_db()
    assert config.hs256_secret != old_secret
    assert Client().get("/sso/handoff", {"token": token}).status_code == 403


@pytest.mark.parametrize("role", ["buyer", "seller", "operator", "marketplace"])
def test_only_administrators_configure(marketplace, role):
    with pytest.raises(PermissionDenied):
        sign_in_config_create(
            actor=Actor(role=role, marketplace_id=marketplace.pk), marketplace=marketplace, issuer=ISSUER
        )


@pytest.mark.parametrize("issuer", ["", "   ", "marketdesk:market-default"])
def test_issuer_must_be_the_marketplaces_own(marketplace, issuer):
    with pytest.raises(DomainValidationError):
        sign_in_config_create(actor=Actor.system(), marketplace=marketplace, issuer=issuer)


def test_two_marketplaces_cannot_share_an_issuer(marketplace, other_marketplace):
    configure(marketplace, ISSUER)

    with pytest.raises(Conflict):
        sign_in_config_create(actor=Actor.system(), marketplace=other_marketplace, issuer=ISSUER)


@pytest.mark.parametrize(
    "jwks",
    [
        {"keys": [{"kty": "oct", "k": "c2VjcmV0"}]},
        {"keys": [{**public_jwk(RSA_KEY, "rsa-1"), "d": "private"}]},
        {"keys": "not a list"},
        {"key": []},
    ],
)
def test_jwks_holds_public_rsa_or_ed25519_keys_only(marketplace, jwks):
    config, _secret = configure(marketplace, ISSUER)

    with pytest.raises(DomainValidationError):
        sign_in_config_update(actor=Actor.system(), config_id=config.pk, jwks=jwks)


# --- OpenID Connect ----------------------------------------------------------------------------------


def test_an_administrator_turns_on_openid_connect_in_the_admin(admin_user, marketplace):
    config, _secret = configure(marketplace, ISSUER)
    form = {"jwks": '{"keys": []}', "oidc_client_id": "md", "oidc_client_secret": "cs", "claim_role": "role"}

    response = session_client(admin_user).post(f"/admin/accounts/signinconfig/{config.pk}/change/", form)

    config.refresh_from_db()
    assert response.status_code == 302
    assert (config.oidc_client_id, config.oidc_client_secret, config.oidc_scopes, config.claim_external_id) == (
        "md",
        "cs",
        "openid email profile",
        "sub",
    )
    assert Client().get("/sign-in/").content.decode().count("Sign in with Default Market") == 1


@pytest.mark.parametrize("role", ["operator", "buyer", "seller", "marketplace"])
def test_only_administrators_configure_openid_connect(marketplace, role):
    config, _secret = configure(marketplace, ISSUER)
    actor = Actor(role=role, marketplace_id=marketplace.pk)

    with pytest.raises(PermissionDenied):
        sign_in_config_set_oidc(actor=actor, config_id=config.pk, values={"oidc_client_id": "x"})


def test_openid_connect_scopes_must_include_openid(marketplace):
    config, _secret = configure(marketplace, ISSUER)

    with pytest.raises(DomainValidationError):
        sign_in_config_set_oidc(
            actor=Actor.system(), config_id=config.pk, values={"oidc_client_id": "x", "oidc_scopes": "email"}
        )
