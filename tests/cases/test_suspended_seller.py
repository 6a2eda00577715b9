"""Enforcement takes effect: a suspended seller gets no first move on new cases, and the marketplace hears of
every measure (applied with its effective date, ended) by signed webhook, once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission

from marketdesk.accounts.models import User
from marketdesk.cases.models import Case, CaseType
from marketdesk.cases.services.opening import case_open
from marketdesk.cases.states import CaseStatus
from marketdesk.core.actors import Actor, Role
from marketdesk.notifications.models import Notification, WebhookDelivery
from marketdesk.standards.selectors import measures_in_force
from marketdesk.standards.services import enforcement_apply, enforcement_lift
from marketdesk.standards.states import EnforcementKind
from tests import factories
from tests.cases.conftest import moved

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


@pytest.fixture
def enforcer(marketplace) -> User:
    user = factories.OperatorFactory(marketplace=marketplace)
    user.user_permissions.add(Permission.objects.get(codename="apply_enforcement"))
    return User.objects.get(pk=user.pk)


def suspend(enforcer, shop):
    return enforcement_apply(
        actor=Actor.for_user(enforcer), shop=shop, kind=EnforcementKind.SUSPENSION, reason="Defects."
    )


def open_case(order, buyer_actor):
    return case_open(actor=buyer_actor, order=order, case_type=CaseType.ITEM_NOT_RECEIVED, description="Never came.")


def test_before_its_effective_date_a_suspension_changes_nothing(order, shop, buyer_actor, contacted, enforcer, at_now):
    suspend(enforcer, shop)  # effective after the notice period

    case = open_case(order, buyer_actor)

    assert case.status == CaseStatus.AWAITING_SELLER
    assert measures_in_force([shop.pk]) == {}


def test_a_new_case_against_a_suspended_seller_goes_to_the_platform_at_once(
    order, shop, seller, buyer_actor, contacted, enforcer, endpoint, at_now
):
    measure = suspend(enforcer, shop)
    at_now.advance(measure.effective_at - at_now.now())

    case = open_case(order, buyer_actor)

    assert (case.status, case.escalated_by_role, case.escalated_at) == (CaseStatus.ESCALATED, Role.SYSTEM, at_now.now())
    assert case.decision_due_at is not None
    assert case.queue_due_at == case.decision_due_at
    assert moved(case, "case.escalated")["extra"] == {"suspension_id": measure.pk}
    assert (
        WebhookDelivery.objects.filter(event_type="case.escalated", event_id=f"case-{case.pk}-escalated").count() == 1
    )
    # Not asked to answer a case support already holds: the seller hears of the escalation only.
    assert list(Notification.objects.filter(user=seller, kind__startswith="case.").values_list("kind", flat=True)) == [
        "case.escalated"
    ]


def test_the_heaviest_measure_in_force_is_the_one_that_counts(shop, enforcer, at_now):
    warning = enforcement_apply(actor=Actor.for_user(enforcer), shop=shop, kind=EnforcementKind.WARNING, reason="A.")
    restriction = enforcement_apply(
        actor=Actor.for_user(enforcer), shop=shop, kind=EnforcementKind.RESTRICTION, reason="B."
    )
    assert measures_in_force([shop.pk]) == {shop.pk: warning}

    at_now.advance(restriction.effective_at - at_now.now())
    assert measures_in_force([shop.pk]) == {shop.pk: restriction}

    enforcement_lift(actor=Actor.for_user(enforcer), enforcement=restriction)
    assert measures_in_force([shop.pk]) == {shop.pk: warning}


def test_the_marketplace_hears_of_a_measure_applied_and_ended_once(shop, enforcer, endpoint, at_now):
    measure = suspend(enforcer, shop)
    enforcement_lift(actor=Actor.for_user(enforcer), enforcement=measure)

    applied, ended = WebhookDelivery.objects.filter(event_type__startswith="shop.").order_by("id")
    assert (applied.event_type, applied.event_id) == ("shop.enforcement_applied", f"enforcement-{measure.pk}-applied")
    assert {k: applied.payload["data"][k] for k in ("shop", "kind", "status", "effective_at")} == {
        "shop": shop.external_id,
        "kind": "suspension",
        "status": "active",
        "effective_at": (at_now.now() + 7 * DAY).isoformat().replace("+00:00", "Z"),
    }
    assert (ended.event_type, ended.payload["data"]["status"]) == ("shop.enforcement_ended", "lifted")


def test_the_queue_shows_the_measure_in_force_next_to_the_seller(
    order, shop, buyer_actor, contacted, enforcer, operator, at_now
):
    from django.urls import reverse

    from tests.cases.conftest import client_as

    measure = suspend(enforcer, shop)
    open_case(order, buyer_actor)
    before = client_as(operator).get(reverse("console:queue")).content.decode()
    at_now.advance(measure.effective_at - at_now.now())

    after = client_as(operator).get(reverse("console:queue")).content.decode()

    assert ">Suspension</span>" not in before
    assert ">Suspension</span>" in after


def test_cases_waiting_for_the_seller_go_to_support_once_the_suspension_takes_effect(
    order, shop, buyer_actor, contacted, enforcer, at_now
):
    from marketdesk.cases.services.scheduled import cases_escalate_for_suspended_sellers
    from marketdesk.cases.tasks import escalate_cases_of_suspended_sellers
    from tests.cases.conftest import fresh

    case = open_case(order, buyer_actor)
    measure = suspend(enforcer, shop)
    assert cases_escalate_for_suspended_sellers() == 0  # the notice period runs: the seller still answers

    at_now.advance(measure.effective_at - at_now.now())
    escalated = escalate_cases_of_suspended_sellers.call()
    again = cases_escalate_for_suspended_sellers()

    assert (escalated, again) == (1, 0)
    assert (fresh(case).status, fresh(case).escalated_by_role) == (CaseStatus.ESCALATED, Role.SYSTEM)
    assert moved(case, "case.escalated")["extra"] == {"suspension_id": measure.pk}


def test_a_lifted_suspension_leaves_the_sellers_cases_with_the_seller(
    order, shop, buyer_actor, contacted, enforcer, at_now
):
    from marketdesk.cases.services.scheduled import cases_escalate_for_suspended_sellers

    case = open_case(order, buyer_actor)
    measure = suspend(enforcer, shop)
    enforcement_lift(actor=Actor.for_user(enforcer), enforcement=measure)
    at_now.advance(measure.effective_at - at_now.now())

    assert cases_escalate_for_suspended_sellers() == 0
    assert Case.objects.get(pk=case.pk).status == CaseStatus.AWAITING_SELLER
