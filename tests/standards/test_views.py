"""The standards pages as every role: the seller's own page, the operator's overview, seller page and actions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from marketdesk.cases.models import Case
from marketdesk.standards import services
from marketdesk.standards.models import Enforcement, JobStatus, StandardsJob
from marketdesk.standards.states import EnforcementKind, EnforcementStatus
from tests import factories
from tests.standards.conftest import actor, cases_on, client_as, orders_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(shop, seller_buyer, at_now):
    """A shop below standard (3 cases in 100 orders), computed."""
    cases_on(orders_for(shop, seller_buyer, 100)[:3])
    services.standards_nightly()
    return shop


def people(buyer, seller, operator, admin_user, enforcer):
    return {"buyer": buyer, "seller": seller, "operator": operator, "admin": admin_user, "enforcer": enforcer}


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("buyer", 403), ("seller", 200), ("operator", 403), ("admin", 403)],
)
def test_seller_page_by_role(computed, buyer, seller, operator, admin_user, enforcer, role, status):
    who = people(buyer, seller, operator, admin_user, enforcer).get(role)

    response = client_as(who).get(reverse("standards:seller"))

    assert response.status_code == status


def test_the_seller_sees_each_metric_its_threshold_and_the_cases_behind_it(computed, seller):
    response = client_as(seller).get(reverse("standards:seller"))

    html = response.content.decode()
    assert "Below standard" in html
    assert html.count('data-metric="') == 5
    assert "3 of 100" in html
    assert "≤ 2 %" in html
    assert [reverse("cases:case_detail", args=[pk]) in html for pk in Case.objects.values_list("pk", flat=True)] == [
        True
    ] * 3
    assert '<svg class="trend"' in html
    # One day's snapshot: no line to draw, so the day is a dot on the chart.
    assert html.count('<circle class="trend__dot" cx="6.0"') == 5
    # A proposal is the platform's business until an operator applies it.
    assert "Proposed" not in html


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("buyer", 403), ("seller", 403), ("operator", 200), ("admin", 200)],
)
def test_overview_by_role(computed, buyer, seller, operator, admin_user, enforcer, role, status):
    who = people(buyer, seller, operator, admin_user, enforcer).get(role)

    assert client_as(who).get(reverse("standards:overview")).status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [("buyer", 404), ("seller", 404), ("operator", 200), ("admin", 200)],
)
def test_operator_seller_page_by_role(computed, buyer, seller, operator, admin_user, enforcer, role, status):
    who = people(buyer, seller, operator, admin_user, enforcer)[role]

    assert client_as(who).get(reverse("standards:shop", args=[computed.pk])).status_code == status


def test_another_marketplace_s_operator_gets_404(computed, other_marketplace):
    stranger = factories.OperatorFactory(marketplace=other_marketplace)

    assert client_as(stranger).get(reverse("standards:shop", args=[computed.pk])).status_code == 404


def test_the_overview_s_queries_do_not_grow_with_the_sellers(
    computed, marketplace, operator, django_assert_num_queries
):
    client = client_as(operator)
    client.get(reverse("standards:overview"))
    with django_assert_num_queries(7):
        client.get(reverse("standards:overview"))
    for _ in range(5):
        factories.ShopFactory(marketplace=marketplace)
    services.standards_nightly()

    with django_assert_num_queries(7):
        response = client.get(reverse("standards:overview"))

    assert response.status_code == 200


def test_an_enforcer_applies_the_proposed_measure_from_the_page(computed, seller, enforcer):
    response = client_as(enforcer).post(
        reverse("standards:enforce", args=[computed.pk]),
        {"kind": EnforcementKind.WARNING, "reason": "Three cases in a hundred orders."},
    )

    assert response.status_code == 302
    assert Enforcement.objects.get().status == EnforcementStatus.ACTIVE


def test_an_operator_without_the_permission_is_refused_403_and_nothing_changes(computed, operator):
    response = client_as(operator).post(
        reverse("standards:enforce", args=[computed.pk]), {"kind": EnforcementKind.WARNING, "reason": "No."}
    )

    assert response.status_code == 403
    assert Enforcement.objects.get().status == EnforcementStatus.PROPOSED


def test_a_seller_posting_an_enforcement_gets_404(computed, seller):
    response = client_as(seller).post(
        reverse("standards:enforce", args=[computed.pk]), {"kind": EnforcementKind.WARNING, "reason": "Me?"}
    )

    assert response.status_code == 404


def test_a_restriction_on_a_suspended_seller_shows_the_reason_with_409(computed, enforcer):
    services.enforcement_apply(actor=actor(enforcer), shop=computed, kind=EnforcementKind.SUSPENSION, reason="Bad.")

    response = client_as(enforcer).post(
        reverse("standards:enforce", args=[computed.pk]), {"kind": EnforcementKind.RESTRICTION, "reason": "More."}
    )

    assert response.status_code == 409
    assert "already suspended" in response.content.decode()


def test_a_form_without_a_reason_is_422(computed, enforcer):
    response = client_as(enforcer).post(reverse("standards:enforce", args=[computed.pk]), {"kind": "warning"})

    assert response.status_code == 422


def test_the_seller_appeals_from_the_page(computed, seller, enforcer):
    measure = services.enforcement_apply(actor=actor(enforcer), shop=computed, kind="warning", reason="Cases.")

    response = client_as(seller).post(reverse("standards:appeal", args=[measure.pk]), {"text": "Carrier's fault."})

    assert response.status_code == 302
    assert Enforcement.objects.get().status == EnforcementStatus.APPEALED


def test_a_proposal_cannot_be_appealed_by_the_seller(computed, seller):
    proposal = Enforcement.objects.get()

    response = client_as(seller).post(reverse("standards:appeal", args=[proposal.pk]), {"text": "Early."})

    assert response.status_code == 404


def test_recompute_button_queues_a_job_and_its_page_shows_progress(computed, operator):
    client = client_as(operator)

    response = client.post(reverse("standards:shop_recompute", args=[computed.pk]))

    job = StandardsJob.objects.filter(shop=computed).get()
    assert (response.status_code, response["Location"]) == (302, reverse("standards:job", args=[job.pk]))
    assert job.status == JobStatus.QUEUED
    page = client.get(reverse("standards:job", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in page.content.decode()


def test_a_seller_cannot_see_a_job(computed, seller):
    job = StandardsJob.objects.get()

    assert client_as(seller).get(reverse("standards:job", args=[job.pk])).status_code == 404


def test_the_seller_reads_what_a_measure_in_force_means_and_not_once_it_is_lifted(computed, seller, enforcer):
    measure = services.enforcement_apply(actor=actor(enforcer), shop=computed, kind="suspension", reason="Cases.")
    meaning = "the shop&#x27;s cases go straight to support"

    assert meaning in client_as(seller).get(reverse("standards:seller")).content.decode()

    services.enforcement_lift(actor=actor(enforcer), enforcement=measure)
    assert meaning not in client_as(seller).get(reverse("standards:seller")).content.decode()
