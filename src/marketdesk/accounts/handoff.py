"""Hand-off links: the marketplace's backend signs a short-lived JWT that signs one person in.

As Zendesk's JWT single sign-on: the token names the person (``sub`` = the
marketplace's id, ``email``, ``name``, ``locale``), the role (``buyer``, or
``seller`` of a shop with ``owner``/``staff``) and where to land (``dest``, a
relative path, or ``order`` + ``page``). It is checked against the
marketplace's own keys — HS256 with its shared secret, RS256/EdDSA with the
public keys of its JWKS, never one key type for another algorithm — and for
issuer, audience (this installation's base URL), expiry, a lifetime of at most
five minutes and single use (``jti``). Nothing is written unless every check
passes; an operator's or administrator's role is never granted.

Links minted by ``POST /api/v1/sign-in-links`` are the same tokens signed by
marketdesk itself (issuer ``marketdesk:<marketplace slug>``, a key derived
from ``SECRET_KEY`` per marketplace), so one endpoint redeems both.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any, Literal

import jwt
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.crypto import salted_hmac
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from marketdesk.accounts.models import HandoffTokenUse, MembershipRole, SignInConfig, User, UserRole
from marketdesk.accounts.services import marketplace_person_put
from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.errors import Conflict, DomainError, DomainValidationError, NotFound, PermissionDenied
from marketdesk.orders.models import Marketplace, Order, Shop

MAX_LIFETIME = dt.timedelta(minutes=5)
#: How far ahead of our clock a marketplace's ``iat`` may be before the token is refused.
CLOCK_SKEW = dt.timedelta(seconds=30)
MINT_ISSUER_PREFIX = "marketdesk:"
MINT_KEY_ID = "marketdesk"
#: Which algorithm each kind of key verifies; a token's ``alg`` outside this list is refused unread.
HMAC_ALGORITHM = "HS256"
KEY_TYPE_ALGORITHMS = {"RSA": "RS256", "OKP": "EdDSA"}
ALLOWED_ALGORITHMS = frozenset({HMAC_ALGORITHM, *KEY_TYPE_ALGORITHMS.values()})
GRANTABLE_ROLES = (UserRole.BUYER, UserRole.SELLER)


UNACCEPTED_SIGNATURE = _("This sign-in link is signed in a way marketdesk does not accept.")
UNKNOWN_ISSUER = _("This sign-in link comes from a marketplace marketdesk does not know.")


class HandoffInvalid(DomainError):
    status = 400
    code = "handoff_invalid"
    title = _("This sign-in link cannot be read.")
    default_message = _("This sign-in link is damaged or incomplete. Go back to the marketplace and try again.")


class HandoffRefused(DomainError):
    status = 403
    code = "handoff_refused"
    title = _("This sign-in link was refused.")
    default_message = _("This sign-in link is not valid. Go back to the marketplace and try again.")


class HandoffShop(BaseModel):
    """The shop a seller acts for, by the marketplace's shop id."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=100)
    role: Literal["owner", "staff"] = "staff"


class HandoffPerson(BaseModel):
    """Who signs in, in which role, and where they land: the claims of a token or the body of a mint."""

    model_config = ConfigDict(extra="ignore")

    external_id: str = Field(min_length=1, max_length=100)
    email: str = Field("", max_length=254)
    name: str = Field("", max_length=150)
    locale: str = Field("", max_length=35)
    role: str = Field(min_length=1, max_length=32)
    shop: HandoffShop | None = None
    dest: str = Field("", max_length=2000)
    order: str = Field("", max_length=100)
    #: Which page of the order: the buyer's Get help (their default) or the order itself (a seller's default).
    page: Literal["help", "order"] | None = None


@dataclass(frozen=True, slots=True)
class Destination:
    """Where a redeemed link lands: a checked relative path, or one of the person's orders and its page."""

    path: str = ""
    order_id: int | None = None
    page: str = ""


@dataclass(frozen=True, slots=True)
class HandoffResult:
    user: User
    destination: Destination


def audience() -> str:
    """Return the ``aud`` every hand-off token must carry: this installation's base URL."""
    return str(settings.MARKETDESK_BASE_URL).rstrip("/")


def language_of(locale: str) -> str:
    """Map a locale (``ru``, ``ru-RU``, ``ru_RU``) to a language of marketdesk; empty if none fits."""
    primary = locale.replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in ("en", "ru") else ""


def _mint_key(marketplace: Marketplace) -> str:
    # One key per marketplace, derived so that nothing secret is stored and A's links never verify as B's.
    return salted_hmac("marketdesk.accounts.handoff", f"mint:{marketplace.pk}", algorithm="sha256").hexdigest()


# --- checking the request against the marketplace ------------------------------------------------------


def path_is_safe(path: str) -> bool:
    """Tell whether a destination is a path inside marketdesk (also a sign-in's ``next``)."""
    # A path, never a host: no scheme, no "//host", no "/\\host", and nothing that could split a header.
    return (
        path.startswith("/")
        and path.isprintable()
        and not any(c.isspace() for c in path)
        and url_has_allowed_host_and_scheme(path, allowed_hosts=None)
    )


def _destination_check(marketplace: Marketplace, person: HandoffPerson) -> Destination:
    if person.dest and person.order:
        raise DomainValidationError(_("Give either a path or an order to land on, not both."), field="dest")
    if person.dest:
        if not path_is_safe(person.dest):
            raise DomainValidationError(
                _("The destination must be a path inside marketdesk, such as /orders/."), field="dest"
            )
        return Destination(path=person.dest)
    if not person.order:
        return Destination(path="/")
    order = Order.objects.filter(marketplace=marketplace, external_id=person.order).select_related("buyer", "shop")
    found = order.first()
    is_party = found is not None and (
        (person.role == UserRole.BUYER and found.buyer.external_id == person.external_id)
        or (person.role == UserRole.SELLER and person.shop is not None and found.shop.external_id == person.shop.id)
    )
    if found is None or not is_party:
        raise NotFound(_("No order %(order)s of this person was found.") % {"order": person.order}, field="order")
    page = person.page or ("help" if person.role == UserRole.BUYER else "order")
    if person.role == UserRole.SELLER and page == "help":
        raise DomainValidationError(_("The Get help page is the buyer's; send a seller to the order."), field="page")
    return Destination(order_id=found.pk, page=page)


def _person_check(marketplace: Marketplace, person: HandoffPerson) -> Shop | None:
    """Check the role and shop; return the seller's shop (of this marketplace only)."""
    if person.role not in GRANTABLE_ROLES:
        raise PermissionDenied(
            _("A sign-in link makes a buyer or a seller, never an operator or an administrator."), field="role"
        )
    if person.role == UserRole.BUYER:
        if person.shop is not None:
            raise DomainValidationError(_("Only a seller belongs to a shop."), field="shop")
        return None
    if person.shop is None:
        raise DomainValidationError(_("Name the seller's shop."), field="shop")
    shop = Shop.objects.filter(marketplace=marketplace, external_id=person.shop.id).first()
    if shop is None:
        raise NotFound(_("No shop %(shop)s was found.") % {"shop": person.shop.id}, field="shop.id")
    return shop


# --- reading a token --------------------------------------------------------------------------------


def _unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise HandoffInvalid() from exc
    return header, claims


def _key_for(header: dict[str, Any], issuer: str) -> tuple[Marketplace, Any, str]:
    """Choose the marketplace, the key and the one algorithm that key may verify."""
    algorithm = header.get("alg")
    if algorithm not in ALLOWED_ALGORITHMS:
        raise HandoffRefused(UNACCEPTED_SIGNATURE)
    if issuer.startswith(MINT_ISSUER_PREFIX):
        marketplace = Marketplace.objects.filter(slug=issuer.removeprefix(MINT_ISSUER_PREFIX)).first()
        if marketplace is None or header.get("kid") != MINT_KEY_ID or algorithm != HMAC_ALGORITHM:
            raise HandoffRefused(UNKNOWN_ISSUER)
        return marketplace, _mint_key(marketplace), HMAC_ALGORITHM
    config = SignInConfig.objects.select_related("marketplace").filter(issuer=issuer).first()
    if config is None:
        raise HandoffRefused(UNKNOWN_ISSUER)
    if algorithm == HMAC_ALGORITHM:
        if not config.hs256_secret:
            raise HandoffRefused(UNACCEPTED_SIGNATURE)
        return config.marketplace, config.hs256_secret, HMAC_ALGORITHM
    for jwk in _public_keys(config):
        if KEY_TYPE_ALGORITHMS.get(jwk.key_type or "") == algorithm and (
            jwk.key_id == header.get("kid") or not jwk.key_id
        ):
            return config.marketplace, jwk.key, algorithm
    raise HandoffRefused(UNACCEPTED_SIGNATURE)


def _public_keys(config: SignInConfig) -> list[jwt.PyJWK]:
    keys = []
    for data in (config.jwks or {}).get("keys", []):
        try:
            keys.append(jwt.PyJWK(data))
        except jwt.PyJWTError:
            continue  # an unusable key in the set verifies nothing; the others still do
    return keys


def _moment(claims: dict[str, Any], name: str) -> dt.datetime:
    value = claims.get(name)
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise HandoffInvalid()
    return dt.datetime.fromtimestamp(value, tz=dt.UTC)


def handoff_verify(token: str) -> tuple[Marketplace, HandoffPerson, str, dt.datetime]:
    """Check a token's signature and claims; return its marketplace, person, jti and expiry. Writes nothing."""
    if not token or len(token) > 8000:
        raise HandoffInvalid()
    header, unverified = _unverified(token)
    issuer = unverified.get("iss")
    if not isinstance(issuer, str) or not issuer:
        raise HandoffInvalid()
    marketplace, key, algorithm = _key_for(header, issuer)
    try:
        # Times are checked below against marketdesk's own clock, not PyJWT's.
        claims = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            audience=audience(),
            issuer=issuer,
            options={
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
                "require": ["iss", "aud", "sub", "exp", "iat", "jti"],
            },
        )
    except (jwt.InvalidSignatureError, jwt.InvalidAlgorithmError, jwt.InvalidKeyError) as exc:
        raise HandoffRefused(_("This sign-in link has been altered or was not signed by the marketplace.")) from exc
    except jwt.InvalidAudienceError as exc:
        raise HandoffRefused(_("This sign-in link was made for another site.")) from exc
    except jwt.MissingRequiredClaimError as exc:
        raise HandoffInvalid() from exc
    except jwt.PyJWTError as exc:
        raise HandoffRefused() from exc
    issued_at, expires_at, now = _moment(claims, "iat"), _moment(claims, "exp"), clock.now()
    if expires_at <= now:
        raise HandoffRefused(_("This sign-in link has expired. Go back to the marketplace and open it again."))
    if issued_at > now + CLOCK_SKEW or expires_at - issued_at > MAX_LIFETIME:
        raise HandoffRefused(_("A sign-in link may live at most five minutes; this one claims longer."))
    if not isinstance(claims["jti"], str) or not 0 < len(claims["jti"]) <= 200:
        raise HandoffInvalid()
    try:
        person = HandoffPerson.model_validate({**claims, "external_id": claims["sub"]})
    except PydanticValidationError as exc:
        raise HandoffInvalid() from exc
    return marketplace, person, claims["jti"], expires_at


def handoff_redeem(*, token: str) -> HandoffResult:
    """Redeem a hand-off token once: create or update the person and their shop membership."""
    marketplace, person, jti, expires_at = handoff_verify(token)
    shop = _person_check(marketplace, person)
    destination = _destination_check(marketplace, person)  # before anything is written
    with transaction.atomic():
        try:
            with transaction.atomic():
                HandoffTokenUse.objects.create(marketplace=marketplace, jti=jti, expires_at=expires_at)
        except IntegrityError as exc:
            raise HandoffRefused(_("This sign-in link has already been used. Each link signs in once.")) from exc
        user = marketplace_person_put(
            marketplace=marketplace,
            external_id=person.external_id,
            role=person.role,
            name=person.name,
            email=person.email,
            language=language_of(person.locale),
            shops=[(shop, MembershipRole(person.shop.role))] if shop is not None and person.shop is not None else [],
        )
    return HandoffResult(user=user, destination=destination)


# --- minting on the marketplace's behalf -------------------------------------------------------------


def sign_in_link_mint(*, actor: Actor, person: HandoffPerson) -> tuple[str, dt.datetime]:
    """Sign a hand-off token for one of the actor's marketplace's people; return it and its expiry."""
    if actor.role != Role.MARKETPLACE or actor.marketplace_id is None:
        raise PermissionDenied()
    marketplace = Marketplace.objects.get(pk=actor.marketplace_id)
    _person_check(marketplace, person)
    known = User.objects.filter(marketplace=marketplace, external_id=person.external_id).first()
    if known is not None and (known.role != person.role or not known.is_active):
        # Say so now rather than hand out a link that can only be refused.
        raise Conflict(
            _("This person cannot be signed in as %(role)s.") % {"role": UserRole(person.role).label}, field="role"
        )
    _destination_check(marketplace, person)
    issued_at = clock.now().replace(microsecond=0)
    expires_at = issued_at + MAX_LIFETIME
    claims = {
        **person.model_dump(exclude={"external_id"}, exclude_defaults=True),
        "iss": f"{MINT_ISSUER_PREFIX}{marketplace.slug}",
        "aud": audience(),
        "sub": person.external_id,
        "iat": int(issued_at.timestamp()),
        "exp": int(expires_at.timestamp()),
        "jti": uuid.uuid4().hex,
        "role": person.role,
    }
    token = jwt.encode(claims, _mint_key(marketplace), algorithm=HMAC_ALGORITHM, headers={"kid": MINT_KEY_ID})
    return token, expires_at


def handoff_tokens_purge() -> int:
    """Forget redeemed token ids whose tokens have expired (they are refused as expired anyway)."""
    deleted, _by_model = HandoffTokenUse.objects.filter(expires_at__lt=clock.now()).delete()
    return deleted
