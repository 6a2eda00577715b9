"""Claim, assign, release, bulk moves and round-robin within a team."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.urls import reverse

from marketdesk.cases.models import Case
from marketdesk.cases.states import CaseStatus
from marketdesk.console.models import OperatorProfile, Team
from marketdesk.console.services.assignment import (
    AlreadyClaimed,
    case_assign,
    case_claim,
    cases_auto_assign,
    cases_bulk,
)
from marketdesk.core.actors import Actor
from marketdesk.core.errors import DomainValidationError, NotFound
from tests import factories
from tests.cases.conftest import event_types, fresh
from tests.cases.factories import CaseFactory
from tests.console.conftest import client_as

pytestmark = pytest.mark.django_db


def test_claiming_assigns_the_case_and_appends_an_internal_event(escalated, operator, operator_actor, at_now):
    case_claim(actor=operator_actor, case=escalated)

    case = fresh(escalated)
    assert (case.assignee, case.assigned_at, event_types(case)[-1]) == (operator, at_now.now(), "case.assigned")


def test_a_second_claim_is_told_who_holds_the_case(escalated, operator_actor, second_operator):
    case_claim(actor=operator_actor, case=escalated)

    with pytest.raises(AlreadyClaimed) as refused:
        case_claim(actor=Actor.for_user(second_operator), case=escalated)

    assert refused.value.extra["assignee_id"] == operator_actor.user.pk
    assert operator_actor.user.name in str(refused.value.message)


def test_claiming_your_own_case_again_changes_nothing(escalated, operator_actor):
    case_claim(actor=operator_actor, case=escalated)
    case_claim(actor=operator_actor, case=escalated)

    assert event_types(fresh(escalated)).count("case.assigned") == 1


def test_another_marketplaces_operator_cannot_claim(escalated, other_operator):
    with pytest.raises(NotFound):
        case_claim(actor=Actor.for_user(other_operator), case=escalated)


def test_the_page_says_who_won(escalated, operator_actor, second_operator):
    case_claim(actor=operator_actor, case=escalated)

    response = client_as(second_operator).post(reverse("console:claim", args=[escalated.pk]), follow=True)

    assert operator_actor.user.name in response.content.decode()
    assert fresh(escalated).assignee_id == operator_actor.user.pk


@pytest.mark.postgres_only  # real threads need row locks: SQLite serialises whole-database writes
@pytest.mark.django_db(transaction=True)
def test_two_operators_claiming_at_once_one_wins_the_other_sees_who(escalated, operator, second_operator):
    barrier = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def claim(user):
        try:
            barrier.wait()
            case_claim(actor=Actor.for_user(user), case=Case(pk=escalated.pk))
            outcomes[user.pk] = "won"
        except AlreadyClaimed as exc:
            outcomes[user.pk] = f"held by {exc.extra['assignee_id']}"
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(u,)) for u in (operator, second_operator)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    winner = fresh(escalated).assignee_id
    loser = ({operator.pk, second_operator.pk} - {winner}).pop()
    assert outcomes == {winner: "won", loser: f"held by {winner}"}


def test_assign_and_reassign_record_before_and_after(escalated, operator_actor, second_operator):
    case_assign(actor=operator_actor, case=escalated, assignee_id=operator_actor.user.pk)
    case_assign(actor=operator_actor, case=escalated, assignee_id=second_operator.pk)

    from marketdesk.console.models import AuditEntry

    entry = AuditEntry.objects.filter(action="case.assign").order_by("-id").first()
    assert (fresh(escalated).assignee, entry.before, entry.after) == (
        second_operator,
        {"assignee_id": operator_actor.user.pk},
        {"assignee_id": second_operator.pk},
    )


def test_assigning_to_a_buyer_or_another_marketplace_is_refused(escalated, operator_actor, buyer, other_operator):
    for wrong in (buyer, other_operator):
        with pytest.raises(DomainValidationError):
            case_assign(actor=operator_actor, case=escalated, assignee_id=wrong.pk)

    assert fresh(escalated).assignee_id is None


def test_bulk_claim_takes_the_free_cases_and_names_the_held_ones(marketplace, operator_actor, second_operator):
    free, held = (
        CaseFactory(order=factories.OrderFactory(marketplace=marketplace), status=CaseStatus.ESCALATED)
        for _ in range(2)
    )
    case_claim(actor=Actor.for_user(second_operator), case=held)

    result = cases_bulk(actor=operator_actor, case_ids=[free.pk, held.pk], action="claim")

    assert result.done == [free.pk]
    assert second_operator.name in result.refused[held.pk]


def test_bulk_assign_through_the_queue_page(marketplace, operator, second_operator):
    cases = [
        CaseFactory(order=factories.OrderFactory(marketplace=marketplace), status=CaseStatus.ESCALATED)
        for _ in range(3)
    ]

    response = client_as(operator).post(
        reverse("console:bulk"),
        {"cases": [c.pk for c in cases], "action": "assign", "assignee": second_operator.pk},
    )

    assert response.status_code == 302
    assert {fresh(c).assignee_id for c in cases} == {second_operator.pk}


def test_round_robin_shares_by_skill_and_cap(marketplace):
    team = Team.objects.create(marketplace=marketplace, name="Tier 1")
    ru_speaker = factories.OperatorFactory(marketplace=marketplace, display_name="Ivan")
    en_speaker = factories.OperatorFactory(marketplace=marketplace, display_name="Emma")
    OperatorProfile.objects.create(user=ru_speaker, team=team, languages=["ru"], cap=1)
    OperatorProfile.objects.create(user=en_speaker, team=team, languages=["en"], cap=5)
    ru_buyer = factories.BuyerFactory(marketplace=marketplace, language="ru")
    ru_cases = [
        CaseFactory(order=factories.OrderFactory(marketplace=marketplace, buyer=ru_buyer), status=CaseStatus.ESCALATED)
        for _ in range(2)
    ]
    en_case = CaseFactory(order=factories.OrderFactory(marketplace=marketplace), status=CaseStatus.ESCALATED)

    assigned = cases_auto_assign()

    assert assigned == 2
    assert [fresh(c).assignee_id for c in ru_cases] == [ru_speaker.pk, None]  # Ivan's cap is one
    assert fresh(en_case).assignee_id == en_speaker.pk


def test_round_robin_takes_turns(marketplace):
    team = Team.objects.create(marketplace=marketplace, name="Tier 1")
    people = [factories.OperatorFactory(marketplace=marketplace) for _ in range(2)]
    for person in people:
        OperatorProfile.objects.create(user=person, team=team)
    cases = [
        CaseFactory(order=factories.OrderFactory(marketplace=marketplace), status=CaseStatus.ESCALATED)
        for _ in range(4)
    ]

    cases_auto_assign()

    holders = [fresh(c).assignee_id for c in cases]
    assert (holders.count(people[0].pk), holders.count(people[1].pk)) == (2, 2)
