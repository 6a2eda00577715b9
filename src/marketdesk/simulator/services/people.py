"""The simulated marketplace's shops, buyers and staff, created once each (found again by external id)."""

from __future__ import annotations

import secrets

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import transaction

from marketdesk.accounts.models import MembershipRole, ShopMembership, User, UserRole
from marketdesk.orders.models import Marketplace, Shop
from marketdesk.orders.services import BuyerData
from marketdesk.simulator.generator import MarketplaceGenerator


def shops_ensure(marketplace: Marketplace, plan: MarketplaceGenerator) -> dict[str, int]:
    """Create the planned shops and their owners that are missing; return shop ids by external id."""
    with transaction.atomic():
        have = dict(Shop.objects.filter(marketplace=marketplace).values_list("external_id", "pk"))
        Shop.objects.bulk_create(
            [
                Shop(marketplace=marketplace, external_id=s.data.external_id, name=s.data.name, country=s.data.country)
                for s in plan.shops
                if s.data.external_id not in have
            ]
        )
        have = dict(Shop.objects.filter(marketplace=marketplace).values_list("external_id", "pk"))
        owners = [
            user_new(
                marketplace,
                external_id=s.owner_external_id,
                name=s.owner_name,
                email=f"{s.owner_external_id.lower()}@example.com",
                language=s.language,
                role=UserRole.SELLER,
            )
            for s in plan.shops
        ]
        owner_ids = users_ensure(marketplace, owners)
        members = set(ShopMembership.objects.filter(shop__marketplace=marketplace).values_list("shop_id", "user_id"))
        ShopMembership.objects.bulk_create(
            [
                ShopMembership(
                    shop_id=have[s.data.external_id], user_id=owner_ids[s.owner_external_id], role=MembershipRole.OWNER
                )
                for s in plan.shops
                if (have[s.data.external_id], owner_ids[s.owner_external_id]) not in members
            ]
        )
    return have


def buyers_ensure(marketplace: Marketplace, buyers: list[BuyerData]) -> dict[str, int]:
    """Create the planned buyers that are missing; return user ids by external id."""
    with transaction.atomic():
        return users_ensure(
            marketplace,
            [
                user_new(marketplace, external_id=b.external_id, name=b.name, email=b.email, language=b.language)
                for b in buyers
            ],
        )


def user_new(
    marketplace: Marketplace, *, external_id: str, name: str, email: str, language: str, role: str = UserRole.BUYER
) -> User:
    # The same username order_upsert gives a buyer it creates, so both paths agree.
    user = User(
        username=f"{marketplace.slug}:{external_id}"[:150],
        marketplace=marketplace,
        external_id=external_id,
        display_name=name,
        email=email,
        language=language,
        role=role,
    )
    # Django's set_unusable_password() draws 40 characters one by one from the OS: too slow for
    # 25,000 buyers. One random suffix per user from a single draw is just as unusable.
    user.password = f"{UNUSABLE_PASSWORD_PREFIX}{secrets.token_hex(20)}"
    return user


def users_ensure(marketplace: Marketplace, users: list[User]) -> dict[str, int]:
    wanted = {u.external_id for u in users}
    have = {
        ext: pk
        for ext, pk in User.objects.filter(marketplace=marketplace).values_list("external_id", "pk")
        if ext in wanted
    }
    User.objects.bulk_create([u for u in users if u.external_id not in have], batch_size=2000)
    have.update(
        (ext, pk)
        for ext, pk in User.objects.filter(marketplace=marketplace).values_list("external_id", "pk")
        if ext in wanted
    )
    return have
