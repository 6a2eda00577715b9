"""Who is acting: a person in a role, the marketplace through an API key, or the system."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from marketdesk.accounts.models import User


class Role(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    SELLER = "seller", _("Seller")
    OPERATOR = "operator", _("Operator")
    ADMIN = "admin", _("Administrator")
    MARKETPLACE = "marketplace", _("Marketplace")
    SYSTEM = "system", _("System")


@dataclass(frozen=True, slots=True)
class Actor:
    """The one who acts, carried into every service and recorded on the timeline."""

    role: str
    user: User | None = None
    marketplace_id: int | None = None
    api_key_id: int | None = None
    #: A shop acting as itself (the marketplace's key answering for the shop, no member named).
    shop_id: int | None = None

    @classmethod
    def for_user(cls, user: Any) -> Actor:
        return cls(role=user.role, user=user, marketplace_id=user.marketplace_id)

    @classmethod
    def system(cls) -> Actor:
        return cls(role=Role.SYSTEM)

    @classmethod
    def marketplace(cls, *, marketplace_id: int, api_key_id: int | None = None) -> Actor:
        return cls(role=Role.MARKETPLACE, marketplace_id=marketplace_id, api_key_id=api_key_id)

    @property
    def label(self) -> str:
        if self.user is not None:
            return self.user.get_username()
        return str(self.role)
