"""Writes of accounts: API keys (hashed at rest, shown once, revocable), preferences, the marketplace's people.

The marketplace provisions its people by their external id: sellers and their
shop membership, deactivation (which ends every session at once) and the keys
its hand-off links are signed with.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from marketdesk.accounts.models import ApiKey, Language, MembershipRole, ShopMembership, SignInConfig, User, UserRole
from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.bulk import row_first
from marketdesk.core.errors import Conflict, DomainValidationError, NotFound, PermissionDenied
from marketdesk.orders.models import Marketplace, Shop
from marketdesk.orders.services import BuyerData

KEY_PREFIX = "mdk_"


def _digest(secret: str) -> str:
    # Keys are 256-bit random, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(secret.encode()).hexdigest()


def api_key_create(*, actor: Actor, marketplace: Marketplace, name: str) -> tuple[ApiKey, str]:
    """Create a key for one marketplace; return it and the secret, which is never shown again."""
    if actor.role not in (Role.ADMIN, Role.SYSTEM):
        raise PermissionDenied()
    if not name.strip():
        raise DomainValidationError(_("Give the key a name."), field="name")
    prefix = secrets.token_hex(6)
    raw = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        marketplace=marketplace, name=name.strip(), prefix=prefix, hashed_secret=_digest(raw), created_by=actor.user
    )
    return key, raw


def api_key_revoke(*, actor: Actor, key_id: int) -> ApiKey:
    """Revoke a key at once; requests with it are refused from now on."""
    if actor.role not in (Role.ADMIN, Role.SYSTEM):
        raise PermissionDenied()
    with transaction.atomic():
        key = ApiKey.objects.select_for_update().filter(pk=key_id).first()
        if key is None:
            raise NotFound()
        if key.revoked_at is None:
            key.revoked_at = clock.now()
            key.save(update_fields=["revoked_at"])
    return key


def api_key_authenticate(raw: str) -> ApiKey | None:
    """Return the active key for a presented secret, or None."""
    if not raw.startswith(KEY_PREFIX):
        return None
    prefix = raw[len(KEY_PREFIX) :].split("_", 1)[0]
    # The prefix is unique: one plain read on every request, of what the API needs (the key's id and its
    # marketplace's) and the check needs.
    key = row_first(
        ApiKey,
        '"prefix" = %s AND "revoked_at" IS NULL',
        [prefix],
        fields=["marketplace", "hashed_secret", "last_used_at"],
    )
    if key is None or not hmac.compare_digest(key.hashed_secret, _digest(raw)):
        return None
    now = clock.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


def user_set_language(*, user: User, language: str) -> User:
    """Save the user's interface and email language."""
    if language not in Language.values:
        raise DomainValidationError(_("Choose English or Russian."), field="language")
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user


# --- the marketplace's people, by external id -----------------------------------------------------------


def _user_new(*, marketplace: Marketplace, external_id: str, role: str, name: str, email: str, language: str) -> User:
    """Create a marketplace's person, known by their external id."""
    user = User(
        username=f"{marketplace.slug}:{external_id}"[:150],
        marketplace=marketplace,
        external_id=external_id,
        role=role,
        display_name=name,
        email=email,
        language=language or Language.EN,
    )
    # They sign in through the marketplace only; a password of ours would be a second way in.
    user.set_unusable_password()
    user.save()
    return user


def marketplace_buyer_get(marketplace: Marketplace, data: BuyerData) -> User:
    """Return the buyer an order from the marketplace names, created if new (orders' buyer source).

    An order never changes a known person (their own sign-in does); a language we do not speak means English.
    """
    user = User.objects.filter(marketplace=marketplace, external_id=data.external_id).first()
    if user is not None:
        return user
    language = data.language if data.language in Language.values else Language.EN
    return _user_new(
        marketplace=marketplace,
        external_id=data.external_id,
        role=UserRole.BUYER,
        name=data.name,
        email=data.email,
        language=language,
    )


def user_upsert_external(
    *, marketplace: Marketplace, external_id: str, role: str, name: str = "", email: str = "", language: str = ""
) -> User:
    """Create or update a marketplace's person by their external id; never change their role or revive them."""
    user = User.objects.select_for_update().filter(marketplace=marketplace, external_id=external_id).first()
    if user is None:
        return _user_new(
            marketplace=marketplace, external_id=external_id, role=role, name=name, email=email, language=language
        )
    if user.role != role:
        raise Conflict(
            _("This person is already known here as %(role)s and cannot become %(new)s.")
            % {"role": UserRole(user.role).label, "new": UserRole(role).label},
            field="role",
        )
    if not user.is_active:
        raise PermissionDenied(_("This person's account has been deactivated by the marketplace."))
    changes = {"display_name": name, "email": email, "language": language}
    changed = [field for field, value in changes.items() if value and getattr(user, field) != value]
    for field in changed:
        setattr(user, field, changes[field])
    if changed:
        user.save(update_fields=changed)
    return user


def shop_membership_put(*, user: User, shop: Shop, role: MembershipRole) -> tuple[ShopMembership, bool]:
    """Make the seller a member of the shop in this role; return the membership and whether it is new."""
    membership, created = ShopMembership.objects.get_or_create(user=user, shop=shop, defaults={"role": role})
    if not created and membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    return membership, created


def marketplace_person_put(
    *,
    marketplace: Marketplace,
    external_id: str,
    role: str,
    name: str = "",
    email: str = "",
    language: str = "",
    shops: Sequence[tuple[Shop, MembershipRole]] = (),
) -> User:
    """Create or update a person signing in through their marketplace, and a seller's places in its shops.

    The one writer behind hand-off links and OpenID Connect; call it inside the caller's transaction.
    """
    user = user_upsert_external(
        marketplace=marketplace, external_id=external_id, role=role, name=name, email=email, language=language
    )
    for shop in shops:
        if shop[0].marketplace_id != marketplace.pk:  # never a place in another marketplace's shop
            raise NotFound(_("No shop %(shop)s was found.") % {"shop": shop[0].external_id})
        shop_membership_put(user=user, shop=shop[0], role=shop[1])
    return user


def _marketplace_of(actor: Actor) -> Marketplace:
    if actor.role != Role.MARKETPLACE or actor.marketplace_id is None:
        raise PermissionDenied()
    return Marketplace.objects.get(pk=actor.marketplace_id)


def _shop_of(marketplace: Marketplace, shop_external_id: str) -> Shop:
    shop = Shop.objects.filter(marketplace=marketplace, external_id=shop_external_id).first()
    if shop is None:
        raise NotFound(_("No shop %(shop)s was found.") % {"shop": shop_external_id})
    return shop


def _person_of(marketplace: Marketplace, external_id: str) -> User:
    user = User.objects.select_for_update().filter(marketplace=marketplace, external_id=external_id).first()
    if user is None:
        raise NotFound(_("No person %(person)s was found.") % {"person": external_id})
    return user


def shop_member_upsert(
    *,
    actor: Actor,
    shop_external_id: str,
    user_external_id: str,
    role: MembershipRole,
    name: str = "",
    email: str = "",
    language: str = "",
) -> tuple[ShopMembership, bool]:
    """Create or update a seller and their place in one of the marketplace's shops, by external ids."""
    marketplace = _marketplace_of(actor)
    if language and language not in Language.values:
        raise DomainValidationError(_("Choose English or Russian."), field="language")
    with transaction.atomic():
        shop = _shop_of(marketplace, shop_external_id)
        user = user_upsert_external(
            marketplace=marketplace,
            external_id=user_external_id,
            role=UserRole.SELLER,
            name=name,
            email=email,
            language=language,
        )
        return shop_membership_put(user=user, shop=shop, role=role)


def shop_member_remove(*, actor: Actor, shop_external_id: str, user_external_id: str) -> None:
    """Take a seller out of a shop; removing someone who is not a member changes nothing."""
    marketplace = _marketplace_of(actor)
    with transaction.atomic():
        shop = _shop_of(marketplace, shop_external_id)
        user = _person_of(marketplace, user_external_id)
        ShopMembership.objects.filter(user=user, shop=shop).delete()


def _sessions_end(user: User) -> int:
    """Delete every stored session signed in as this user; return how many."""
    ended = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=clock.now()).iterator()
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk)
    ]
    Session.objects.filter(session_key__in=ended).delete()
    return len(ended)


def _active_set(user: User, active: bool) -> None:
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
    if not active:
        _sessions_end(user)


def user_set_active(*, actor: Actor, external_id: str, active: bool) -> User:
    """Deactivate (ending every session at once) or reactivate one of the marketplace's people."""
    marketplace = _marketplace_of(actor)
    with transaction.atomic():
        user = _person_of(marketplace, external_id)
        if user.role not in (UserRole.BUYER, UserRole.SELLER):
            raise PermissionDenied(_("The marketplace manages its buyers and sellers only."))
        _active_set(user, active)
    return user


def sign_in_config_create(
    *, actor: Actor, marketplace: Marketplace, issuer: str, jwks: dict[str, object] | None = None
) -> tuple[SignInConfig, str]:
    """Configure a marketplace's hand-off links; return it and the HS256 secret, shown this once."""
    if actor.role not in (Role.ADMIN, Role.SYSTEM):
        raise PermissionDenied()
    issuer = issuer.strip()
    if not issuer or issuer.startswith("marketdesk:"):
        raise DomainValidationError(
            _("Give the marketplace's issuer name (not starting with marketdesk:)."), field="issuer"
        )
    if SignInConfig.objects.filter(issuer=issuer).exists():
        raise Conflict(_("Another marketplace already uses this issuer."), field="issuer")
    _jwks_validate(jwks or {})
    secret = secrets.token_urlsafe(48)
    config = SignInConfig.objects.create(marketplace=marketplace, issuer=issuer, hs256_secret=secret, jwks=jwks or {})
    return config, secret


def _jwks_validate(jwks: dict[str, object]) -> None:
    keys = jwks.get("keys", []) if isinstance(jwks, dict) else None
    if not isinstance(keys, list) or (jwks and set(jwks) != {"keys"}):
        raise DomainValidationError(_('Paste a JWKS document: {"keys": [...]}.'), field="jwks")
    for key in keys:
        # Public keys only: a symmetric ("oct") key here would let HS256 tokens be checked with it.
        if not isinstance(key, dict) or key.get("kty") not in ("RSA", "OKP") or "d" in key:
            raise DomainValidationError(_("Each key must be a public RSA or Ed25519 key."), field="jwks")


def sign_in_config_update(
    *, actor: Actor, config_id: int, jwks: dict[str, object], rotate_secret: bool = False
) -> tuple[SignInConfig, str]:
    """Replace a marketplace's public keys and, if asked, its HS256 secret; return the new secret or ""."""
    if actor.role not in (Role.ADMIN, Role.SYSTEM):
        raise PermissionDenied()
    _jwks_validate(jwks)
    with transaction.atomic():
        config = SignInConfig.objects.select_for_update().filter(pk=config_id).first()
        if config is None:
            raise NotFound()
        config.jwks = jwks
        secret = secrets.token_urlsafe(48) if rotate_secret else ""
        if secret:
            config.hs256_secret = secret
        config.save(update_fields=["jwks", "hs256_secret"])
    return config, secret


#: The OpenID Connect settings of a sign-in configuration, as an administrator edits them.
OIDC_FIELDS = (
    "oidc_client_id",
    "oidc_client_secret",
    "oidc_discovery_url",
    "oidc_authorization_endpoint",
    "oidc_token_endpoint",
    "oidc_jwks_uri",
    "oidc_end_session_endpoint",
    "oidc_scopes",
    "claim_external_id",
    "claim_email",
    "claim_name",
    "claim_locale",
    "claim_role",
    "claim_shops",
)

OIDC_DEFAULTS = {"oidc_scopes": "openid email profile", "claim_external_id": "sub"}


def sign_in_config_set_oidc(*, actor: Actor, config_id: int, values: dict[str, str]) -> SignInConfig:
    """Set how a marketplace's people sign in with OpenID Connect (a blank client id turns it off)."""
    if actor.role not in (Role.ADMIN, Role.SYSTEM):
        raise PermissionDenied()
    unknown = set(values) - set(OIDC_FIELDS)
    if unknown:
        raise DomainValidationError(_("Unknown setting."), field=sorted(unknown)[0])
    cleaned = {name: str(value).strip() for name, value in values.items()}
    for name, default in OIDC_DEFAULTS.items():  # left blank: the usual claim and scopes
        if name in cleaned and not cleaned[name]:
            cleaned[name] = default
    if "openid" not in cleaned.get("oidc_scopes", "openid").split():
        raise DomainValidationError(_("The scopes must include openid."), field="oidc_scopes")
    with transaction.atomic():
        config = SignInConfig.objects.select_for_update().filter(pk=config_id).first()
        if config is None:
            raise NotFound()
        for name, value in cleaned.items():
            setattr(config, name, value)
        config.save(update_fields=list(cleaned))
    return config


def operator_invite(*, actor: Actor, username: str, email: str, display_name: str) -> User:
    """Add an operator to the administrator's marketplace, without a password until they set one."""
    if actor.role != Role.ADMIN or actor.marketplace_id is None:
        raise PermissionDenied(_("Only administrators invite operators."))
    username = username.strip()
    if not username:
        raise DomainValidationError(_("Choose a user name."), field="username")
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise DomainValidationError(_("This user name is taken."), field="username")
        user = User(
            username=username,
            email=email.strip(),
            display_name=display_name.strip(),
            role=UserRole.OPERATOR,
            marketplace_id=actor.marketplace_id,
        )
        user.set_unusable_password()
        user.save()
    return user


def staff_set_role(*, actor: Actor, user_id: int, role: str) -> tuple[User, str]:
    """Make an operator an administrator or back; return the person and the role they had."""
    if actor.role != Role.ADMIN or actor.marketplace_id is None:
        raise PermissionDenied(_("Only administrators change who may work here."))
    if role not in (UserRole.OPERATOR, UserRole.ADMIN):
        raise DomainValidationError(_("Choose operator or administrator."), field="role")
    with transaction.atomic():
        user = (
            User.objects.select_for_update()
            .filter(pk=user_id, marketplace_id=actor.marketplace_id, role__in=(UserRole.OPERATOR, UserRole.ADMIN))
            .first()
        )
        if user is None:
            raise NotFound()
        if actor.user is not None and user.pk == actor.user.pk:
            # So that a marketplace is never left without an administrator by a slip of one.
            raise DomainValidationError(_("You cannot change your own role."), field="role")
        previous = user.role
        if previous != role:
            user.role = role
            user.save(update_fields=["role"])
    return user, previous


def staff_set_active(*, actor: Actor, user_id: int, active: bool) -> User:
    """Deactivate an operator or administrator of the marketplace (ending every session at once), or reactivate."""
    if actor.role != Role.ADMIN or actor.marketplace_id is None:
        raise PermissionDenied(_("Only administrators change who may work here."))
    with transaction.atomic():
        user = (
            User.objects.select_for_update()
            .filter(pk=user_id, marketplace_id=actor.marketplace_id, role__in=(UserRole.OPERATOR, UserRole.ADMIN))
            .first()
        )
        if user is None:
            raise NotFound()
        if actor.user is not None and user.pk == actor.user.pk:
            raise DomainValidationError(_("You cannot deactivate yourself."))
        _active_set(user, active)
    return user
