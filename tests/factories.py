"""factory_boy factories for the marketplace substrate and every role."""

from __future__ import annotations

import datetime as dt

import factory

from marketdesk.accounts.models import MembershipRole, ShopMembership, User, UserRole
from marketdesk.orders.models import Marketplace, Order, OrderLine, Payment, PaymentStatus, Shop
from marketdesk.orders.states import OrderStatus

BASE_TIME = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)


class MarketplaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Marketplace
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"market{n}")
    name = factory.Sequence(lambda n: f"Market {n}")
    country = "GB"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    role = UserRole.BUYER
    marketplace = factory.SubFactory(MarketplaceFactory, slug="market-default")
    password = factory.PostGenerationMethodCall("set_password", "demo-pass-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class BuyerFactory(UserFactory):
    role = UserRole.BUYER
    external_id = factory.Sequence(lambda n: f"B{n}")


class SellerFactory(UserFactory):
    role = UserRole.SELLER


class OperatorFactory(UserFactory):
    role = UserRole.OPERATOR


class AdminFactory(UserFactory):
    role = UserRole.ADMIN
    is_staff = True
    is_superuser = True


class ShopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shop

    marketplace = factory.SubFactory(MarketplaceFactory, slug="market-default")
    external_id = factory.Sequence(lambda n: f"S{n}")
    name = factory.Sequence(lambda n: f"Shop {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShopMembership

    user = factory.SubFactory(SellerFactory)
    shop = factory.SubFactory(ShopFactory)
    role = MembershipRole.OWNER


class OrderFactory(factory.django.DjangoModelFactory):
    """An order with one line; ``status`` is set at creation (never changed but by transition())."""

    class Meta:
        model = Order
        skip_postgeneration_save = True

    marketplace = factory.SubFactory(MarketplaceFactory, slug="market-default")
    external_id = factory.Sequence(lambda n: f"O-{n:06d}")
    buyer = factory.SubFactory(BuyerFactory)
    # An order's shop sells in the order's marketplace (as orders_upsert finds it).
    shop = factory.SubFactory(ShopFactory, marketplace=factory.SelfAttribute("..marketplace"))
    status = OrderStatus.PAID
    currency = "GBP"
    total_minor = 2500
    placed_at = factory.Sequence(lambda n: BASE_TIME - dt.timedelta(hours=n))
    content_hash = "factory"
    line_count = 1  # the one line below, as order_upsert keeps the count

    @factory.post_generation
    def lines(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted is None:
            OrderLine.objects.create(
                order=obj, external_id="L1", title="Wool scarf", quantity=1, unit_price_minor=2500, total_minor=2500
            )


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    order = factory.SubFactory(OrderFactory)
    external_id = factory.Sequence(lambda n: f"P{n}")
    method = "card"
    amount_minor = 2500
    currency = "GBP"
    status = PaymentStatus.CAPTURED
