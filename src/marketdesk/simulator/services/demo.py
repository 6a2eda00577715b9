"""The demo logins (password ``demo``) on a simulated marketplace; never on a production instance."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from marketdesk.accounts.models import User, UserRole
from marketdesk.core.errors import DomainError, PermissionDenied
from marketdesk.orders.models import Marketplace
from marketdesk.simulator import generator as gen
from marketdesk.simulator.demo_texts import demo_texts_ensure

DEMO_PASSWORD = "demo"  # noqa: S105 - the published password of the demo logins, refused in production
DEMO_USERNAMES = ("buyer", "seller", "operator", "admin")


class DemoAccountsRefused(PermissionDenied):
    code = "demo_refused"
    default_message = _("Demo accounts with a known password are never created on a production instance.")


# -- demo accounts ---------------------------------------------------------------------


def demo_accounts_ensure(*, marketplace: Marketplace, seed: int) -> dict[str, User]:
    """Give the four demo logins (password ``demo``) to a simulated marketplace; never in production.

    ``buyer`` takes over the generated buyer with a dozen orders in every status,
    ``seller`` the owner of the shop with about thirty orders; ``operator`` and
    ``admin`` are the marketplace's support staff. Repeat calls change nothing.
    """
    if settings.PRODUCTION:
        raise DemoAccountsRefused()
    accounts: dict[str, User] = {}
    with transaction.atomic():
        # The generator always hands the demo orders to its first buyer and first shop.
        accounts["buyer"] = _claim(marketplace, "buyer", gen.buyer_external_id(seed, 0))
        accounts["seller"] = _claim(marketplace, "seller", gen.seller_external_id(seed, 0))
        for username, role, display in (
            ("operator", UserRole.OPERATOR, "Olivia Operator"),
            ("admin", UserRole.ADMIN, "Adam Admin"),
        ):
            user = User.objects.filter(username=username).first() or User(username=username)
            user.role = role
            user.marketplace = marketplace
            user.display_name = user.display_name or display
            user.email = user.email or f"{username}@example.com"
            user.is_staff = user.is_superuser = role == UserRole.ADMIN
            accounts[username] = user
        # One hash for all four: each costs a second of PBKDF2 and the password is public anyway.
        encoded = make_password(DEMO_PASSWORD)
        for user in accounts.values():
            user.password = encoded
            user.is_active = True
            user.save()
        # The demo operator runs the whole console, seller enforcement included.
        enforce = Permission.objects.get(content_type__app_label="standards", codename="apply_enforcement")
        accounts["operator"].user_permissions.add(enforce)
        demo_texts_ensure(marketplace=marketplace, admin=accounts["admin"], seller=accounts["seller"])
    return accounts


def _claim(marketplace: Marketplace, username: str, external_id: str) -> User:
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        return existing
    user = User.objects.filter(marketplace=marketplace, external_id=external_id).first()
    if user is None:
        raise DomainError(
            _("The simulated marketplace has no user %(id)s to turn into a demo login.") % {"id": external_id}
        )
    user.username = username
    return user
