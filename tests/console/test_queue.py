"""The one deadline queue: every clock, ordered by deadline, paused for support while a party answers, constant queries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from marketdesk.cases.services.review import case_info_provide, case_info_request
from marketdesk.cases.states import CaseStatus
from marketdesk.console.deadlines import Calendars, Owner, case_clocks
from marketdesk.console.selectors.queue import QueueFilters, deadline_queue, queue_counts
from marketdesk.console.selectors.team import operators_for_actor
from marketdesk.console.services.assignment import case_claim
from marketdesk.core.actors import Actor
from marketdesk.returns.states import ReturnStatus
from tests import factories
from tests.cases.conftest import NOW, SELLER_DUE, fresh
from tests.cases.factories import CaseFactory
from tests.console.conftest import a_return, client_as

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


def clocks_of(case):
    case = deadline_queue(Actor.for_user(case.assignee), QueueFilters()).get(pk=case.pk) if case.assignee else case
    return case_clocks(case, Calendars())


def queue_ids(user, **filters) -> list[int]:
    return list(deadline_queue(Actor.for_user(user), QueueFilters(**filters)).values_list("pk", flat=True))


def test_the_sellers_deadline_and_supports_sla_share_one_order(opened_case, escalated, operator, marketplace, at_now):
    # opened_case was escalated by the fixture; a second case awaits the seller with an earlier deadline.
    waiting = CaseFactory(
        order=factories.OrderFactory(marketplace=marketplace),
        status=CaseStatus.AWAITING_SELLER,
        seller_due_at=at_now.now() + HOUR,
    )

    assert queue_ids(operator) == [waiting.pk, escalated.pk]


def test_supports_clock_pauses_while_a_party_answers_and_the_wait_is_added(reviewed, operator, operator_actor, at_now):
    due = fresh(reviewed).decision_due_at
    case_info_request(actor=operator_actor, case=reviewed, party="buyer", question="Photo?")
    at_now.advance(5 * HOUR)

    paused = {c.owner: c for c in case_clocks(deadline_queue(operator_actor, QueueFilters()).get(), Calendars())}
    assert (paused[Owner.OPERATOR].paused, paused[Owner.OPERATOR].remaining) == (True, due - (at_now.now() - 5 * HOUR))
    assert (paused[Owner.BUYER].paused, paused[Owner.BUYER].due_at) == (False, fresh(reviewed).info_due_at)

    case_info_provide(actor=Actor.for_user(reviewed.buyer), case=reviewed, answer="Here it is.")
    (running,) = case_clocks(deadline_queue(operator_actor, QueueFilters()).get(), Calendars())
    assert (running.owner, running.paused, running.due_at) == (Owner.OPERATOR, False, due + 5 * HOUR)


def test_saved_views(escalated, reviewed, operator, operator_actor, marketplace, at_now):
    info = CaseFactory(order=factories.OrderFactory(marketplace=marketplace), status=CaseStatus.AWAITING_INFO,
                       info_due_at=at_now.now() + 100 * HOUR)  # fmt: skip
    far = CaseFactory(order=factories.OrderFactory(marketplace=marketplace), status=CaseStatus.AWAITING_SELLER,
                      seller_due_at=at_now.now() + 200 * HOUR)  # fmt: skip
    case_claim(actor=operator_actor, case=reviewed)

    assert queue_ids(operator, view="escalated") == [reviewed.pk]
    assert queue_ids(operator, view="awaiting_info") == [info.pk]
    assert queue_ids(operator, view="mine") == [reviewed.pk]
    at_now.advance(25 * HOUR)  # the decision is due 48 h after the escalation: now less than 24 h away
    assert queue_ids(operator, view="at_risk") == [reviewed.pk]
    assert far.pk in queue_ids(operator)


def test_filters_by_category_seller_language_and_assignee(escalated, operator, marketplace, shop):
    ru = CaseFactory(order=factories.OrderFactory(marketplace=marketplace, buyer=factories.BuyerFactory(
        marketplace=marketplace, language="ru")), status=CaseStatus.ESCALATED, case_type="not_as_described")  # fmt: skip

    assert queue_ids(operator, language="ru") == [ru.pk]
    assert queue_ids(operator, category="not_as_described") == [ru.pk]
    assert queue_ids(operator, seller=shop.pk) == [escalated.pk]
    assert queue_ids(operator, assignee="none") == sorted([escalated.pk, ru.pk], key=queue_ids(operator).index)


def test_another_marketplaces_operator_sees_nothing(escalated, other_operator):
    assert queue_ids(other_operator) == []


def test_the_page_shows_clocks_and_who_works_on_what(escalated, operator, operator_actor):
    case_claim(actor=operator_actor, case=escalated)

    page = client_as(operator).get(reverse("console:queue")).content.decode()

    assert f"#{escalated.pk}" in page
    assert "Support" in page
    assert "Decide" in page
    assert operator.name in page


def test_queries_per_page_do_not_grow_with_the_queue(marketplace, operator, django_assert_max_num_queries, at_now):
    def add(n: int) -> None:
        for i in range(n):
            status = [CaseStatus.ESCALATED, CaseStatus.AWAITING_SELLER, CaseStatus.AWAITING_INFO, CaseStatus.DECIDED][
                i % 4
            ]
            CaseFactory(order=factories.OrderFactory(marketplace=marketplace), status=status,
                        decision_due_at=at_now.now() + i * HOUR, info_due_at=at_now.now() + i * HOUR,
                        assignee=operator if i % 3 == 0 else None)  # fmt: skip
            returning = [ReturnStatus.REQUESTED, ReturnStatus.APPROVED, ReturnStatus.RECEIVED][i % 3]
            a_return(marketplace, returning, at_now.now() + i * HOUR + 30 * dt.timedelta(minutes=1))

    client = client_as(operator)
    client.get(reverse("console:queue"))  # the session is written once
    # one case of each status (the questions and decisions are read only when a page shows a case that needs them)
    add(4)
    # the page's shops, people and marketplaces are read by id, once each (three reads instead of a wide join);
    # the buyers' and shops' risk signals in one more
    with django_assert_max_num_queries(19) as few:
        client.get(reverse("console:queue"))
    add(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("console:queue"))
    after = re.search(r'after=([^"&]+)', response.content.decode()).group(1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        second = client.get(reverse("console:queue") + f"?after={after}")

    assert (response.status_code, second.status_code) == (200, 200)
    assert "Return RA-" in response.content.decode()
    assert "Return RA-" in second.content.decode()


def test_keyboard_help_and_script_are_on_the_page(escalated, operator):
    page = client_as(operator).get(reverse("console:queue")).content.decode()

    assert "console/js/queue.js" in page
    assert 'id="shortcuts"' in page
    assert "data-claim-url" in page


def test_seller_due_is_counted_in_business_days(opened_case, operator, at_now):
    (clock,) = case_clocks(deadline_queue(Actor.for_user(operator), QueueFilters()).get(), Calendars())

    assert (clock.owner, clock.due_at, clock.paused) == (Owner.SELLER, SELLER_DUE, False)
    assert clock.due_at > NOW


def test_a_question_left_unanswered_at_the_decision_pauses_nothing_after_an_appeal(
    reviewed, operator_actor, second_operator, at_now
):
    from marketdesk.cases.services.decisions import case_appeal
    from tests.cases.conftest import decide_full_refund

    case_info_request(actor=operator_actor, case=reviewed, party="seller", question="Proof of delivery?")
    at_now.advance(80 * HOUR)  # the seller stays silent: support decides on the evidence at hand
    decide_full_refund(operator_actor, fresh(reviewed))
    case_appeal(actor=Actor.for_user(reviewed.buyer), case=fresh(reviewed),
                reason="Wrong amount.", new_information="I paid more.")  # fmt: skip

    (clock,) = case_clocks(deadline_queue(Actor.for_user(second_operator), QueueFilters()).get(), Calendars())
    appealed = fresh(reviewed)
    assert (clock.owner, clock.paused, clock.due_at) == (Owner.OPERATOR, False, appealed.decision_due_at)
    assert appealed.queue_due_at == appealed.decision_due_at


def test_who_works_on_what_counts_what_the_operators_mine_view_shows(operator, marketplace, at_now):
    # given an operator holding an escalated case and a case back with the seller (both open)
    for status in (CaseStatus.ESCALATED, CaseStatus.AWAITING_SELLER):
        CaseFactory(
            order=factories.OrderFactory(marketplace=marketplace),
            status=status,
            assignee=operator,
            seller_due_at=at_now.now() + HOUR,
        )
    actor = Actor.for_user(operator)

    # when the team panel and the operator's "Mine" view are read
    working = {person.pk: person.working for person in operators_for_actor(actor)}
    mine = queue_ids(operator, view="mine")

    # then both say two
    assert (working[operator.pk], len(mine), queue_counts(actor)["mine"]) == (2, 2, 2)


def test_the_team_strip_puts_the_busiest_first_then_names_and_the_filter_keeps_the_chosen_operator(
    operator, marketplace, at_now
):
    # given three more operators of the marketplace; Zoe holds two open cases, Ann and Bob none
    zoe, bob, ann = (
        factories.OperatorFactory(marketplace=marketplace, display_name=name) for name in ("Zoe", "Bob", "Ann")
    )
    for status in (CaseStatus.ESCALATED, CaseStatus.UNDER_REVIEW):
        CaseFactory(order=factories.OrderFactory(marketplace=marketplace), status=status, assignee=zoe,
                    seller_due_at=at_now.now() + HOUR, decision_due_at=at_now.now() + HOUR)  # fmt: skip

    # when the operator filters the queue by Bob
    response = client_as(operator).get(reverse("console:queue"), {"assignee": bob.pk})

    # then the strip names Zoe first with her two cases, then the others by name, each with what they hold
    page = response.content.decode()
    strip = page[page.index('id="team-title"') :]
    held = re.findall(r'assignee=(\d+)">([^<]+) <span[^>]*title="Open cases they hold">(\d+)</span>', strip)
    assert response.status_code == 200
    assert held == [(str(zoe.pk), "Zoe", "2"), (str(ann.pk), "Ann", "0"), (str(bob.pk), "Bob", "0"),
                    (str(operator.pk), operator.name, "0")]  # fmt: skip
    assert f'<option value="{bob.pk}" selected>Bob</option>' in page
    assert f'<option value="{zoe.pk}">Zoe</option>' in page
