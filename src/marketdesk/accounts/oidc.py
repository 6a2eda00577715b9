"""Signing in through the marketplace's OpenID provider: marketdesk is a relying party (code flow with PKCE).

Each marketplace has its own provider, configured on its ``SignInConfig`` (issuer, client, endpoints or a
discovery document, and which claim carries what). Authlib's Django client does the protocol: state,
nonce and PKCE verifier kept in the session, the code exchanged at the token endpoint, the ID token's
signature checked against the provider's JWKS and its claims (``iss``, ``aud``, ``exp``, ``nonce``)
validated. This module builds one such client per marketplace, maps the claims to a person and writes
them with the same function as hand-off links. Network calls happen outside any transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.django_client import DjangoIntegration, DjangoOAuth2App
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from joserfc.errors import JoseError

from marketdesk.accounts.handoff import GRANTABLE_ROLES, language_of, path_is_safe
from marketdesk.accounts.models import MembershipRole, SignInConfig, User, UserRole
from marketdesk.accounts.services import marketplace_person_put
from marketdesk.core.errors import DomainError
from marketdesk.orders.models import Shop

#: Seconds to wait for the provider before giving up.
TIMEOUT = 10
SIGNING_ALGORITHMS = ("RS256", "PS256", "ES256", "EdDSA")


class OidcRefused(DomainError):
    status = 403
    code = "oidc_refused"
    title = _("Signing in through the marketplace did not work.")
    default_message = _("The marketplace's answer could not be verified, so nobody was signed in.")


class OidcUnavailable(DomainError):
    status = 502
    code = "oidc_unavailable"
    title = _("The marketplace could not be reached.")
    default_message = _("The marketplace's sign-in service did not answer. Try again in a moment.")


class OidcStateRefused(OidcRefused):
    status = 400
    default_message = _(
        "This sign-in was not started in this browser, or it took too long. Start again from the sign-in page."
    )


@dataclass(frozen=True, slots=True)
class OidcResult:
    user: User
    next_path: str
    id_token: str


def oidc_configs() -> list[SignInConfig]:
    """Return the marketplaces one can sign in through with OpenID Connect, by name."""
    configs = SignInConfig.objects.exclude(oidc_client_id="").select_related("marketplace")
    return list(configs.order_by("marketplace__name"))


def oidc_config_of(marketplace_slug: str) -> SignInConfig | None:
    """Return a marketplace's configuration if it signs in with OpenID Connect."""
    configs = SignInConfig.objects.exclude(oidc_client_id="").select_related("marketplace")
    return configs.filter(marketplace__slug=marketplace_slug).first()


def _client(config: SignInConfig) -> DjangoOAuth2App:
    """Build the Authlib client of one marketplace's provider (its state lives under its own session keys)."""
    name = f"marketdesk-{config.marketplace.slug}"
    endpoints = {
        "issuer": config.issuer,
        "authorization_endpoint": config.oidc_authorization_endpoint,
        "token_endpoint": config.oidc_token_endpoint,
        "jwks_uri": config.oidc_jwks_uri,
        "end_session_endpoint": config.oidc_end_session_endpoint,
    }
    given = {key: value for key, value in endpoints.items() if value}
    discovery = config.oidc_discovery_url
    if not discovery and not config.oidc_authorization_endpoint:
        discovery = config.issuer.rstrip("/") + "/.well-known/openid-configuration"
    client_kwargs: dict[str, Any] = {
        "scope": config.oidc_scopes,
        "code_challenge_method": "S256",
        "default_timeout": TIMEOUT,
    }
    if not config.oidc_client_secret:
        client_kwargs["token_endpoint_auth_method"] = "none"  # noqa: S105 -- a public client: PKCE alone
    app = DjangoOAuth2App(
        DjangoIntegration(name),
        name=name,
        client_id=config.oidc_client_id,
        client_secret=config.oidc_client_secret or None,
        server_metadata_url=discovery or None,
        client_kwargs=client_kwargs,
        **given,
    )
    try:
        metadata = app.load_server_metadata()
    except requests.RequestException as exc:
        raise OidcUnavailable() from exc
    if metadata.get("issuer") != config.issuer:
        # OpenID Connect Discovery 4.3: the document must name the very issuer it was fetched for.
        raise OidcRefused(_("The marketplace's sign-in service names another issuer than the one configured."))
    app.server_metadata.update(given)  # what an administrator gave explicitly wins over discovery
    # ID tokens are checked against the provider's public keys only: never an HMAC "signed" with a public key.
    offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    app.server_metadata["id_token_signing_alg_values_supported"] = [a for a in offered if a in SIGNING_ALGORITHMS]
    return app


def oidc_authorization_url(*, config: SignInConfig, request: HttpRequest, redirect_uri: str, next_path: str) -> str:
    """Start a sign-in: remember state, nonce, PKCE verifier and ``next`` in the session; return the provider's URL."""
    app = _client(config)
    try:
        found = app.create_authorization_url(redirect_uri)
    except requests.RequestException as exc:
        raise OidcUnavailable() from exc
    safe_next = next_path if path_is_safe(next_path) else "/"
    app.save_authorize_data(request, redirect_uri=redirect_uri, next=safe_next, **found)
    return str(found["url"])


def oidc_sign_in(*, config: SignInConfig, request: HttpRequest) -> OidcResult:
    """Finish a sign-in: check the answer, exchange the code, verify the ID token, then write the person once."""
    app = _client(config)
    state_data = app.framework.get_state_data(request.session, request.GET.get("state", ""))
    if not state_data:
        raise OidcStateRefused()
    try:
        token = app.authorize_access_token(request, claims_options={"iss": {"essential": True, "value": config.issuer}})
    except MismatchingStateError as exc:
        raise OidcStateRefused() from exc
    except OAuthError as exc:
        raise OidcRefused(_("The marketplace did not sign you in.")) from exc
    except (JoseError, ValueError) as exc:
        raise OidcRefused() from exc
    except requests.RequestException as exc:
        raise OidcUnavailable() from exc
    claims = token.get("userinfo")
    if not claims or not token.get("id_token"):
        raise OidcRefused()
    user = _person_put(config, dict(claims))
    return OidcResult(user=user, next_path=str(state_data.get("next") or "/"), id_token=str(token["id_token"]))


def oidc_logout_url(*, config: SignInConfig, id_token: str, post_logout_redirect_uri: str) -> str:
    """Return the provider's end-session URL (RP-initiated logout), or "" if it offers none."""
    try:
        app = _client(config)
    except DomainError:
        return ""  # signing out of marketdesk still works; the provider's session outlives it
    if not app.server_metadata.get("end_session_endpoint"):
        return ""
    found = app.create_logout_url(
        post_logout_redirect_uri=post_logout_redirect_uri, id_token_hint=id_token, client_id=config.oidc_client_id
    )
    return str(found["url"])


# --- claims to a person ----------------------------------------------------------------------------


def _text(claims: dict[str, Any], name: str, limit: int) -> str:
    value = claims.get(name) if name else None
    return value[:limit] if isinstance(value, str) else ""


def _role(config: SignInConfig, claims: dict[str, Any]) -> str:
    """A buyer or seller claim is taken; any other (operator, admin) is ignored, never granted."""
    claimed = claims.get(config.claim_role) if config.claim_role else None
    if claimed in GRANTABLE_ROLES:
        return str(claimed)
    known = User.objects.filter(marketplace=config.marketplace, external_id=_external_id(config, claims)).first()
    return known.role if known is not None and known.role in GRANTABLE_ROLES else UserRole.BUYER


def _external_id(config: SignInConfig, claims: dict[str, Any]) -> str:
    value = claims.get(config.claim_external_id)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not 0 < len(value) <= 100:
        raise OidcRefused(_("The marketplace did not say who you are."))
    return value


def _shops(config: SignInConfig, claims: dict[str, Any]) -> list[tuple[Shop, MembershipRole]]:
    """Read a seller's shops from the shops claim; shops not of this marketplace are skipped."""
    entries = claims.get(config.claim_shops) if config.claim_shops else None
    if not isinstance(entries, list):
        return []
    wanted: dict[str, MembershipRole] = {}
    for entry in entries:
        shop_id, role = (entry.get("id"), entry.get("role")) if isinstance(entry, dict) else (entry, "staff")
        if isinstance(shop_id, str):
            wanted[shop_id] = MembershipRole.OWNER if role == MembershipRole.OWNER else MembershipRole.STAFF
    found = Shop.objects.filter(marketplace=config.marketplace, external_id__in=wanted)
    return [(shop, wanted[shop.external_id]) for shop in found]


def _person_put(config: SignInConfig, claims: dict[str, Any]) -> User:
    external_id = _external_id(config, claims)
    role = _role(config, claims)
    shops = _shops(config, claims) if role == UserRole.SELLER else []
    with transaction.atomic():
        return marketplace_person_put(
            marketplace=config.marketplace,
            external_id=external_id,
            role=role,
            name=_text(claims, config.claim_name, 150),
            email=_text(claims, config.claim_email, 254),
            language=language_of(_text(claims, config.claim_locale, 35)),
            shops=shops,
        )
