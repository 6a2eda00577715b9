"""Computing standards (nightly and on demand, with progress) and enforcement through the services."""

from __future__ import annotations

import datetime as dt

import pytest

from marketdesk.console.models import AuditEntry
from marketdesk.core.actors import Actor
from marketdesk.core.errors import Conflict, DomainValidationError, NotFound, PermissionDenied
from marketdesk.notifications.models import Notification
from marketdesk.standards import services
from marketdesk.standards.models import Enforcement, JobStatus, Level, StandardsJob, StandardsSnapshot
from marketdesk.standards.states import SEVERITY, EnforcementKind, EnforcementStatus
from marketdesk.standards.tasks import compute_standards_nightly
from tests import factories
from tests.core.transition_matrix import timeline_of
from tests.standards.conftest import DAY, NOW, actor, cases_on, orders_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def below_standard_shop(shop, seller_buyer):
    """100 orders, 3 with a case: a 3 % defect rate, over the 2 % standard."""
    cases_on(orders_for(shop, seller_buyer, 100)[:3])
    return shop


def test_nightly_task_snapshots_every_shop_with_its_progress(marketplace, below_standard_shop, seller_buyer, at_now):
    fine = factories.ShopFactory(marketplace=marketplace)
    orders_for(fine, seller_buyer, 100)

    job_id = compute_standards_nightly.call()

    job = StandardsJob.objects.get(pk=job_id)
    assert (job.status, job.done, job.total, job.percent) == (JobStatus.DONE, 2, 2, 100)
    assert dict(StandardsSnapshot.objects.values_list("shop_id", "level")) == {
        below_standard_shop.pk: Level.BELOW_STANDARD,
        fine.pk: Level.TOP_RATED,
    }


def test_a_below_standard_shop_gets_one_warning_proposed_however_often_it_runs(below_standard_shop, at_now):
    services.standards_nightly()
    services.standards_nightly()

    proposal = Enforcement.objects.get()
    assert (proposal.shop_id, proposal.kind, proposal.status) == (
        below_standard_shop.pk,
        EnforcementKind.WARNING,
        EnforcementStatus.PROPOSED,
    )
    assert list(timeline_of(proposal).values_list("event_type", flat=True)) == ["enforcement.proposed"]


def test_a_proposal_is_dismissed_when_the_shop_recovers(below_standard_shop, seller_buyer, at_now):
    services.standards_nightly()
    orders_for(below_standard_shop, seller_buyer, 100)  # 3 of 200 = 1.5 %: back within the standard
    at_now.advance(DAY)

    services.standards_nightly()

    assert Enforcement.objects.get().status == EnforcementStatus.DISMISSED
    assert StandardsSnapshot.objects.filter(shop=below_standard_shop).count() == 2


def test_recomputing_the_same_day_replaces_that_day_s_snapshot(below_standard_shop, seller_buyer, at_now):
    services.standards_nightly()
    orders_for(below_standard_shop, seller_buyer, 50)

    services.standards_nightly()

    assert list(StandardsSnapshot.objects.values_list("orders", flat=True)) == [150]


def test_an_operator_recomputes_one_seller_on_demand(
    below_standard_shop, marketplace, operator, at_now, django_capture_on_commit_callbacks
):
    other = factories.ShopFactory(marketplace=marketplace)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = services.standards_job_start(actor=actor(operator), shop=below_standard_shop)
    services.standards_job_run(job.pk)

    job.refresh_from_db()
    assert (len(callbacks), job.status, job.done, job.total) == (1, JobStatus.DONE, 1, 1)
    assert list(StandardsSnapshot.objects.values_list("shop_id", flat=True)) == [below_standard_shop.pk]
    assert StandardsSnapshot.objects.filter(shop=other).count() == 0
    assert AuditEntry.objects.filter(action="standards.recompute").count() == 1


def test_another_marketplace_s_operator_cannot_recompute_the_shop(below_standard_shop, other_marketplace):
    stranger = factories.OperatorFactory(marketplace=other_marketplace)

    with pytest.raises(NotFound):
        services.standards_job_start(actor=actor(stranger), shop=below_standard_shop)


@pytest.mark.parametrize("role", ["buyer", "seller"])
def test_parties_cannot_recompute(below_standard_shop, buyer, seller, role):
    who = {"buyer": buyer, "seller": seller}[role]

    with pytest.raises(PermissionDenied):
        services.standards_job_start(actor=actor(who), shop=below_standard_shop)


# Enforcement


def apply(user, shop, kind=EnforcementKind.WARNING, **kwargs):
    return services.enforcement_apply(
        actor=actor(user), shop=shop, kind=kind, reason=kwargs.pop("reason", "Defect rate 3 %."), **kwargs
    )


def test_applying_takes_up_the_proposal_and_tells_the_seller(below_standard_shop, seller, enforcer, at_now):
    services.standards_nightly()

    measure = apply(enforcer, below_standard_shop, EnforcementKind.WARNING, reason="3 of 100 orders had a case.")

    assert (measure.pk, measure.status, measure.effective_at) == (
        Enforcement.objects.get().pk,
        EnforcementStatus.ACTIVE,
        NOW,
    )
    assert list(timeline_of(measure).values_list("event_type", flat=True)) == [
        "enforcement.proposed",
        "enforcement.applied",
    ]
    note = Notification.objects.get(user=seller)
    assert (note.kind, note.message_body, note.url) == (
        "standards.enforcement",
        "3 of 100 orders had a case.",
        "/standards/",
    )
    assert AuditEntry.objects.filter(action="enforcement.apply", object_id=str(measure.pk)).count() == 1


def test_a_restriction_starts_after_the_notice_period(shop, enforcer, at_now):
    measure = apply(enforcer, shop, EnforcementKind.RESTRICTION)

    assert measure.effective_at == NOW + dt.timedelta(days=7)


def test_a_restriction_without_notice_is_refused(shop, enforcer, at_now):
    with pytest.raises(DomainValidationError) as refused:
        apply(enforcer, shop, EnforcementKind.RESTRICTION, effective_at=NOW + DAY)

    assert refused.value.field == "effective_at"
    assert Enforcement.objects.count() == 0


def test_a_restriction_on_a_suspended_seller_is_refused_with_the_reason(shop, enforcer, at_now):
    apply(enforcer, shop, EnforcementKind.SUSPENSION)

    with pytest.raises(Conflict) as refused:
        apply(enforcer, shop, EnforcementKind.RESTRICTION)

    assert "already suspended" in str(refused.value.message)
    assert Enforcement.objects.filter(kind=EnforcementKind.RESTRICTION).count() == 0


def test_an_operator_without_the_permission_is_refused(shop, operator, at_now):
    with pytest.raises(PermissionDenied):
        apply(operator, shop)

    assert Enforcement.objects.count() == 0


@pytest.mark.parametrize("role", ["buyer", "seller"])
def test_parties_cannot_enforce(shop, buyer, seller, role, at_now):
    with pytest.raises(NotFound):
        apply({"buyer": buyer, "seller": seller}[role], shop)


def test_an_empty_reason_is_refused(shop, enforcer, at_now):
    with pytest.raises(DomainValidationError) as refused:
        apply(enforcer, shop, reason="   ")

    assert refused.value.field == "reason"


def test_the_seller_appeals_once_and_another_operator_revokes(shop, seller, enforcer, second_enforcer, at_now):
    measure = apply(enforcer, shop, EnforcementKind.RESTRICTION)

    services.enforcement_appeal(actor=actor(seller), enforcement=measure, text="The cases were the carrier's fault.")
    with pytest.raises(PermissionDenied):
        services.enforcement_appeal_decide(actor=actor(enforcer), enforcement=measure, accept=True, answer="Yes.")
    decided = services.enforcement_appeal_decide(
        actor=actor(second_enforcer), enforcement=measure, accept=True, answer="Agreed: carrier losses."
    )

    assert (decided.status, decided.ended_at, decided.appeal_answer) == (
        EnforcementStatus.REVOKED,
        NOW,
        "Agreed: carrier losses.",
    )
    assert list(Notification.objects.filter(user=seller).values_list("kind", flat=True).order_by("id")) == [
        "standards.enforcement",
        "standards.appeal_decided",
    ]


def test_a_rejected_appeal_keeps_the_measure_and_cannot_be_filed_again(shop, seller, enforcer, second_enforcer, at_now):
    measure = apply(enforcer, shop)
    services.enforcement_appeal(actor=actor(seller), enforcement=measure, text="Please reconsider.")
    services.enforcement_appeal_decide(actor=actor(second_enforcer), enforcement=measure, accept=False, answer="No.")

    with pytest.raises(Conflict):
        services.enforcement_appeal(actor=actor(seller), enforcement=measure, text="Again.")

    assert Enforcement.objects.get().status == EnforcementStatus.ACTIVE


def test_another_shop_s_seller_cannot_appeal(shop, marketplace, enforcer, at_now):
    measure = apply(enforcer, shop)
    stranger = factories.MembershipFactory(shop=factories.ShopFactory(marketplace=marketplace)).user

    with pytest.raises(NotFound):
        services.enforcement_appeal(actor=actor(stranger), enforcement=measure, text="Mine?")


def test_lifting_and_dismissing(shop, below_standard_shop, enforcer, at_now):
    services.standards_nightly()
    proposal = Enforcement.objects.get()
    services.enforcement_dismiss(actor=actor(enforcer), enforcement=proposal)
    measure = apply(enforcer, shop)

    lifted = services.enforcement_lift(actor=actor(enforcer), enforcement=measure)

    assert [Enforcement.objects.get(pk=proposal.pk).status, lifted.status] == [
        EnforcementStatus.DISMISSED,
        EnforcementStatus.LIFTED,
    ]


def test_after_a_warning_the_standards_propose_a_restriction(below_standard_shop, enforcer, at_now):
    apply(enforcer, below_standard_shop)

    services.standards_nightly()

    assert Enforcement.objects.get(status=EnforcementStatus.PROPOSED).kind == EnforcementKind.RESTRICTION


def test_system_actor_cannot_apply(shop, at_now):
    with pytest.raises(NotFound):
        services.enforcement_apply(actor=Actor.system(), shop=shop, kind="warning", reason="x")


def test_the_suspension_is_the_heaviest_measure_so_an_open_asks_for_it_alone():
    # Given the measures PRODUCT.md names, lightest first: a warning, a restriction, a suspension
    # When they are ranked by their severity
    ranked = sorted(SEVERITY, key=SEVERITY.__getitem__)
    # Then the suspension is the heaviest, and the only one that heavy: suspension_in_force reads it alone
    assert ranked == [EnforcementKind.WARNING, EnforcementKind.RESTRICTION, EnforcementKind.SUSPENSION]
    assert list(SEVERITY.values()).count(SEVERITY[EnforcementKind.SUSPENSION]) == 1
