"""Fixtures of the case tests: an order past its delivery estimate, the parties and the operators."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from marketdesk.cases.models import Case, CaseType, Decision, DecisionOutcome, Payer
from marketdesk.cases.services.contact import seller_contact_record
from marketdesk.cases.services.decisions import case_decide
from marketdesk.cases.services.offers import case_escalate
from marketdesk.cases.services.opening import case_open
from marketdesk.cases.services.review import case_review_start
from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.notifications.models import WebhookDelivery, WebhookEndpoint
from marketdesk.orders.models import Order
from marketdesk.orders.states import OrderStatus
from tests import factories
from tests.core.transition_matrix import timeline_of

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)  # a Thursday
CONTACTED_AT = NOW - dt.timedelta(days=3)
ESTIMATED_DELIVERY = NOW - dt.timedelta(days=2)
MINUTE = dt.timedelta(minutes=1)
SELLER_DUE = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)  # Thu + 3 business days, over the weekend
EXPIRES = dt.datetime(2026, 12, 29, 12, 0, tzinfo=dt.UTC)  # 21 business days, skipping Christmas and Boxing Day


def late_order(marketplace, shop, buyer) -> Order:
    """A paid order past its delivery estimate: a case may be opened on it once the seller was contacted."""
    order = factories.OrderFactory(
        marketplace=marketplace,
        shop=shop,
        buyer=buyer,
        status=OrderStatus.SHIPPED,
        estimated_delivery_at=ESTIMATED_DELIVERY,
    )
    factories.PaymentFactory(order=order, amount_minor=order.total_minor)
    return order


@pytest.fixture
def order(marketplace, shop, buyer) -> Order:
    return late_order(marketplace, shop, buyer)


@pytest.fixture
def buyer_actor(buyer) -> Actor:
    return Actor.for_user(buyer)


@pytest.fixture
def seller_actor(seller) -> Actor:
    return Actor.for_user(seller)


@pytest.fixture
def operator_actor(operator) -> Actor:
    return Actor.for_user(operator)


@pytest.fixture
def second_operator_actor(marketplace) -> Actor:
    return Actor.for_user(factories.OperatorFactory(marketplace=marketplace, display_name="Olga Second"))


@pytest.fixture
def endpoint(marketplace) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        marketplace=marketplace, url="https://hooks.example.test/marketdesk", secret="whsec_dGVzdHNlY3JldA=="
    )


@pytest.fixture
def contacted(order, buyer_actor):
    with clock.frozen(CONTACTED_AT):
        return seller_contact_record(actor=buyer_actor, order=order)


@pytest.fixture
def at_now():
    with clock.frozen(NOW) as frozen:
        yield frozen


@pytest.fixture
def opened_case(order, buyer_actor, contacted, at_now) -> Case:
    """An item-not-received case opened on Thursday 26 Nov 2026, 12:00 UTC."""
    return case_open(actor=buyer_actor, order=order, case_type=CaseType.ITEM_NOT_RECEIVED, description="It never came.")


def event_types(subject) -> list[str]:
    return list(timeline_of(subject).values_list("event_type", flat=True))


def moved(subject, event: str) -> dict:
    return timeline_of(subject).filter(event_type=event).get().payload


def webhooks(event_type: str) -> list[str]:
    return list(WebhookDelivery.objects.filter(event_type=event_type).order_by("id").values_list("event_id", flat=True))


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def escalated(opened_case, buyer_actor, at_now) -> Case:
    at_now.advance(SELLER_DUE - NOW + MINUTE)
    return case_escalate(actor=buyer_actor, case=opened_case)


@pytest.fixture
def reviewed(escalated, operator_actor) -> Case:
    return case_review_start(actor=operator_actor, case=escalated)


def decide_full_refund(actor, case) -> Decision:
    return case_decide(
        actor=actor,
        case=case,
        outcome=DecisionOutcome.BUYER_FULL_REFUND,
        payer=Payer.SELLER,
        reason_code="not_received_no_proof",
        rationale="No proof of delivery was given.",
    )


@pytest.fixture
def decided(reviewed, operator_actor) -> Case:
    decide_full_refund(operator_actor, reviewed)
    return fresh(reviewed)


def client_as(user) -> Client:
    """A test client signed in as ``user`` (anonymous for None)."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client
