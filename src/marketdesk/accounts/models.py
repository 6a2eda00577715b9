"""Users and their roles, shop membership, and the marketplace's API keys."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketdesk.core import clock
from marketdesk.core.actors import Role


class UserRole(models.TextChoices):
    BUYER = Role.BUYER.value, Role.BUYER.label
    SELLER = Role.SELLER.value, Role.SELLER.label
    OPERATOR = Role.OPERATOR.value, Role.OPERATOR.label
    ADMIN = Role.ADMIN.value, Role.ADMIN.label


class Language(models.TextChoices):
    EN = "en", _("English")
    RU = "ru", _("Russian")


class MarketdeskUserManager(UserManager["User"]):
    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra: Any
    ) -> User:
        """A superuser made from the command line is an administrator of marketdesk too."""
        extra.setdefault("role", UserRole.ADMIN)
        return super().create_superuser(username, email, password, **extra)


class User(AbstractUser):
    """A person: a marketplace's buyer, a shop member, an operator or an administrator."""

    objects = MarketdeskUserManager()  # type: ignore[misc]

    role = models.CharField(_("role"), max_length=16, choices=UserRole.choices, default=UserRole.BUYER)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, default=Language.EN)
    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    marketplace = models.ForeignKey(
        "orders.Marketplace",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name=_("marketplace"),
    )
    external_id = models.CharField(_("marketplace's id"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                fields=["marketplace", "external_id"],
                condition=~models.Q(external_id=""),
                name="user_external_id_unique_per_marketplace",
            ),
            models.CheckConstraint(condition=models.Q(role__in=UserRole.values), name="user_role_valid"),
        ]
        # The upsert looks buyers up by (marketplace, external_id) without the partial index's condition.
        indexes = [models.Index(fields=["marketplace", "external_id"], name="user_marketplace_external_idx")]

    def __str__(self) -> str:
        return self.display_name or self.get_username()

    @property
    def name(self) -> str:
        return self.display_name or self.get_full_name() or self.get_username()


class MembershipRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    STAFF = "staff", _("Staff")


class ShopMembership(models.Model):
    """A seller account's place in a shop."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user"))
    shop = models.ForeignKey(
        "orders.Shop", on_delete=models.CASCADE, related_name="memberships", verbose_name=_("shop")
    )
    role = models.CharField(
        max_length=8, choices=MembershipRole.choices, default=MembershipRole.STAFF, verbose_name=_("role")
    )

    class Meta:
        verbose_name = _("shop membership")
        verbose_name_plural = _("shop memberships")
        constraints = [models.UniqueConstraint(fields=["user", "shop"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.shop} ({self.role})"


class ApiKey(models.Model):
    """An integration key of one marketplace; only its hash is stored."""

    marketplace = models.ForeignKey(
        "orders.Marketplace", on_delete=models.PROTECT, related_name="api_keys", verbose_name=_("marketplace")
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16, unique=True, verbose_name=_("prefix"))
    hashed_secret = models.CharField(max_length=64, verbose_name=_("hashed secret"))
    created_at = models.DateTimeField(default=clock.now, verbose_name=_("created at"))
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    last_used_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last used at"))
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("revoked at"))

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class SignInConfig(models.Model):
    """How one marketplace signs its people in: hand-off links (issuer, keys) and OpenID Connect (client, claims)."""

    marketplace = models.OneToOneField(
        "orders.Marketplace", on_delete=models.CASCADE, related_name="sign_in_config", verbose_name=_("marketplace")
    )
    issuer = models.CharField(_("issuer"), max_length=200, unique=True)
    # HS256 verifies with the secret itself, so it is kept readable by the server, as webhook secrets are.
    hs256_secret = models.CharField(max_length=100, blank=True, verbose_name=_("hs256 secret"))
    # The marketplace's public keys (RS256, EdDSA) as a JWKS document: {"keys": [{"kty": ..., "kid": ...}]}.
    jwks = models.JSONField(_("public keys (JWKS)"), default=dict, blank=True)
    created_at = models.DateTimeField(default=clock.now, verbose_name=_("created at"))

    # OpenID Connect: marketdesk as a client of the marketplace's provider; on when a client id is set.
    # The issuer above is the provider's issuer: ID tokens must carry it as ``iss``.
    oidc_client_id = models.CharField(_("OpenID Connect client id"), max_length=200, blank=True)
    # Kept readable: the token endpoint is sent the secret itself. Blank for a public client (PKCE alone).
    oidc_client_secret = models.CharField(_("OpenID Connect client secret"), max_length=200, blank=True)
    oidc_discovery_url = models.URLField(
        _("discovery document"),
        max_length=500,
        blank=True,
        help_text=_("Blank: the issuer followed by /.well-known/openid-configuration, unless endpoints are given."),
    )
    oidc_authorization_endpoint = models.URLField(_("authorization endpoint"), max_length=500, blank=True)
    oidc_token_endpoint = models.URLField(_("token endpoint"), max_length=500, blank=True)
    oidc_jwks_uri = models.URLField(_("JWKS URI"), max_length=500, blank=True)
    oidc_end_session_endpoint = models.URLField(_("end-session endpoint"), max_length=500, blank=True)
    oidc_scopes = models.CharField(_("scopes"), max_length=200, default="openid email profile")
    # Which claim of the ID token carries what; blank role or shops claims mean "not sent".
    claim_external_id = models.CharField(_("claim: marketplace's id"), max_length=64, default="sub")
    claim_email = models.CharField(_("claim: email"), max_length=64, default="email", blank=True)
    claim_name = models.CharField(_("claim: name"), max_length=64, default="name", blank=True)
    claim_locale = models.CharField(_("claim: locale"), max_length=64, default="locale", blank=True)
    claim_role = models.CharField(
        _("claim: role"), max_length=64, default="role", blank=True, help_text=_("buyer or seller; others ignored.")
    )
    claim_shops = models.CharField(
        _("claim: shops"),
        max_length=64,
        blank=True,
        help_text=_('A seller\'s shops, [{"id": "S-1", "role": "owner"}]; blank: from the provisioning API.'),
    )

    class Meta:
        verbose_name = _("sign-in configuration")
        verbose_name_plural = _("sign-in configurations")

    def __str__(self) -> str:
        return self.issuer

    @property
    def has_oidc(self) -> bool:
        return bool(self.oidc_client_id)


class HandoffTokenUse(models.Model):
    """A hand-off token already redeemed: its id may never sign anyone in again."""

    marketplace = models.ForeignKey("orders.Marketplace", on_delete=models.CASCADE, related_name="+")
    jti = models.CharField(max_length=200)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["marketplace", "jti"], name="handoff_jti_single_use")]
        indexes = [models.Index(fields=["expires_at"], name="handoff_expires_idx")]

    def __str__(self) -> str:
        return self.jti
