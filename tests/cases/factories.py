"""factory_boy factories of cases and what hangs off them."""

from __future__ import annotations

import datetime as dt

import factory

from marketdesk.cases.models import Case, CaseType, SellerContact
from marketdesk.cases.states import CaseStatus
from tests import factories

OPENED_AT = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


class CaseFactory(factory.django.DjangoModelFactory):
    """A case on a new order; ``status`` is set at creation (never changed but by transition())."""

    class Meta:
        model = Case

    order = factory.SubFactory(factories.OrderFactory)
    buyer = factory.SelfAttribute("order.buyer")
    shop = factory.SelfAttribute("order.shop")
    marketplace = factory.SelfAttribute("order.marketplace")
    case_type = CaseType.ITEM_NOT_RECEIVED
    description = "The parcel never arrived."
    status = CaseStatus.AWAITING_SELLER
    opened_at = OPENED_AT
    last_activity_at = OPENED_AT
    seller_due_at = OPENED_AT + dt.timedelta(days=3)
    policy_version = 0


class SellerContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SellerContact

    order = factory.SubFactory(factories.OrderFactory)
    buyer = factory.SelfAttribute("order.buyer")
    contacted_at = OPENED_AT
