"""The simulator's cases: every status, written through the services, dated within the rules, deterministic."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import transaction

from marketdesk.accounts.models import User, UserRole
from marketdesk.cases.models import (
    Case,
    CaseOffer,
    CaseStatus,
    Decision,
    DecisionOutcome,
    OfferKind,
    OfferStatus,
    Payer,
    SellerContact,
)
from marketdesk.cases.selectors import QUEUE_STATUSES, cases_for_party, operator_queue
from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.core.errors import Conflict
from marketdesk.core.models import OutboxMessage, TimelineEvent
from marketdesk.ledger.models import LedgerEntry
from marketdesk.notifications.inbox import EMAIL_TOPIC
from marketdesk.notifications.models import Notification
from marketdesk.orders.models import Marketplace, Order
from marketdesk.simulator.cases import playing
from marketdesk.simulator.cases.run import marketplace_cases_simulate
from marketdesk.simulator.cases.stories import STORIES
from marketdesk.simulator.services.loading import marketplace_simulate

EPOCH = dt.datetime(2026, 11, 26, tzinfo=dt.UTC)
CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def simulate_command(*args: str) -> None:
    call_command("simulate", "--seed", "1", "--orders", "300", "--now", EPOCH.isoformat(), "--quiet", *args)


@pytest.fixture(scope="class")
def seeded(django_db_setup, django_db_blocker) -> Iterator[None]:
    """One demo marketplace with its cases for a whole class of tests, rolled back after it."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            simulate_command("--demo-accounts")
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def demo(seeded, db) -> dict[str, User]:
    return {u.username: u for u in User.objects.filter(username__in=["buyer", "seller", "operator"])}


def case_events(case: Case) -> list[TimelineEvent]:
    return list(
        TimelineEvent.objects.filter(subject_type=ContentType.objects.get_for_model(Case), subject_id=case.pk).order_by(
            "occurred_at", "id"
        )
    )


class TestTheDemoMarketplace:
    """Read-only checks on one seeded demo marketplace (simulate --seed 1 --orders 300 --demo-accounts)."""

    def test_the_cases_reach_every_status(self, demo):
        counts = Counter(Case.objects.values_list("status", flat=True))

        assert set(counts) == set(CaseStatus.values)
        # About 1.5 % of shipped and delivered orders, but never fewer than 30 (plus the demo logins' own).
        assert 30 <= sum(counts.values()) <= 60

    def test_decisions_include_refunds_paid_by_the_seller_and_the_platform_and_wins_for_the_seller(self, demo):
        first = set(Decision.objects.filter(is_appeal=False).values_list("outcome", "payer"))
        payers_of_refunds = {payer for outcome, payer in first if outcome != DecisionOutcome.SELLER_WINS}

        assert (DecisionOutcome.SELLER_WINS, Payer.NONE) in first
        assert payers_of_refunds == {Payer.SELLER, Payer.PLATFORM}
        assert Decision.objects.filter(is_appeal=True).exists()

    def test_every_case_has_a_timeline_that_starts_with_its_opening_and_ends_before_the_epoch(self, demo):
        cases = list(Case.objects.select_related("order"))
        timelines = {case.pk: case_events(case) for case in cases}
        contacts = {c.order_id: c.contacted_at for c in SellerContact.objects.all()}
        moved_on = [case for case in cases if case.status != CaseStatus.AWAITING_SELLER]

        assert all(timelines[c.pk][0].event_type == "case.opened" for c in cases)
        assert all(timelines[c.pk][0].occurred_at == c.opened_at for c in cases)
        assert all(e.occurred_at <= EPOCH for events in timelines.values() for e in events)
        # The buyer contacted the seller first, and waited the policy's 48 hours.
        assert all(c.order.placed_at < contacts[c.order_id] <= c.opened_at - dt.timedelta(hours=48) for c in cases)
        assert all(len(timelines[c.pk]) > 1 for c in moved_on)

    def test_each_decision_records_its_refund_in_exactly_one_ledger_set(self, demo):
        decisions = list(Decision.objects.all())
        first_refund = {d.case_id: d.amount_minor for d in decisions if not d.is_appeal}

        def entries(key: str) -> list[tuple]:
            return list(
                # A platform refund outside the guarantee comes with its recovery from the seller (tests/ledger).
                LedgerEntry.objects.filter(decision_key=key, kind="refund").values_list(
                    "kind", "payer", "amount_minor", "case_id"
                )
            )

        def expected(decision: Decision) -> list[tuple]:
            # An appeal decision states the case's refund in total and pays only what the first did not.
            paid = decision.amount_minor - (first_refund.get(decision.case_id, 0) if decision.is_appeal else 0)
            return [("refund", decision.payer, paid, decision.case_id)] if paid else []

        def key(decision: Decision) -> str:
            return f"case-{decision.case_id}-{'appeal-decision' if decision.is_appeal else 'decision'}"

        assert any(d.amount_minor for d in decisions)
        assert any(not d.amount_minor for d in decisions)
        assert all(entries(key(d)) == expected(d) for d in decisions)
        accepted_refunds = CaseOffer.objects.filter(
            status=OfferStatus.ACCEPTED, kind__in=[OfferKind.FULL_REFUND, OfferKind.PARTIAL_REFUND]
        )
        for offer in accepted_refunds:
            assert entries(f"case-{offer.case_id}-offer-{offer.pk}") == [
                ("refund", "seller", offer.amount_minor, offer.case_id)
            ]
        cases_ledger = LedgerEntry.objects.filter(kind="refund").exclude(
            decision_key__startswith="return:"  # the seeded returns' own
        )
        assert cases_ledger.count() == sum(len(expected(d)) for d in decisions) + accepted_refunds.count()

    def test_cases_of_russian_speaking_buyers_are_written_in_russian(self, demo):
        russian = list(Case.objects.filter(buyer__language="ru").select_related("shop"))
        english = list(Case.objects.filter(buyer__language="en").select_related("shop"))
        russian_decisions = Decision.objects.filter(case__buyer__language="ru")

        assert russian
        assert english
        assert all(CYRILLIC.search(c.description) for c in russian)
        # An English description names a Russian shop in its own letters, and nothing else.
        assert not any(CYRILLIC.search(c.description.replace(c.shop.name, "")) for c in english)
        assert all(CYRILLIC.search(d.rationale) for d in russian_decisions)

    def test_the_demo_buyer_has_an_offer_to_answer_a_case_with_the_platform_and_a_decision(self, demo):
        statuses = Counter(c.status for c in cases_for_party(Actor.for_user(demo["buyer"])))

        assert statuses[CaseStatus.OFFER_MADE] >= 1
        assert statuses[CaseStatus.ESCALATED] + statuses[CaseStatus.UNDER_REVIEW] >= 1
        assert statuses[CaseStatus.DECIDED] >= 1
        assert sum(statuses.values()) >= 3

    def test_the_demo_seller_owes_answers_on_at_least_two_cases_still_in_time(self, demo):
        owed = [c for c in cases_for_party(Actor.for_user(demo["seller"])) if c.owed == 0]
        awaiting = [c for c in owed if c.status == CaseStatus.AWAITING_SELLER]

        assert len(awaiting) >= 2
        assert all(c.seller_due_at > EPOCH for c in awaiting)

    def test_the_operator_queue_has_every_waiting_status_some_overdue_and_some_due_soon(self, demo):
        queue = list(operator_queue(Actor.for_user(demo["operator"])))
        deadlines = [c.deadline for c in queue]

        assert len(queue) >= 8
        assert {c.status for c in queue} == set(QUEUE_STATUSES)
        assert any(d < EPOCH for d in deadlines)
        assert any(EPOCH < d <= EPOCH + dt.timedelta(hours=48) for d in deadlines)

    def test_simulated_operators_decide_and_a_second_one_decides_the_appeal(self, demo):
        appealed = Decision.objects.filter(is_appeal=True).values_list("case_id", flat=True)

        assert set(Decision.objects.values_list("decided_by__role", flat=True)) == {UserRole.OPERATOR}
        for case_id in appealed:
            first, second = Decision.objects.filter(case_id=case_id).order_by("is_appeal")
            assert first.decided_by_id != second.decided_by_id

    @pytest.mark.parametrize(
        ("username", "path"), [("buyer", "/cases/"), ("seller", "/cases/"), ("operator", "/console/")]
    )
    def test_each_demo_login_sees_its_cases_page(self, demo, client, username, path):
        client.force_login(demo[username])

        response = client.get(path)

        assert response.status_code == 200

    def test_the_parties_are_notified_but_no_mail_of_the_simulated_past_waits_to_be_sent(self, demo):
        notes = Notification.objects.filter(user=demo["seller"])

        assert notes.exists()
        assert not notes.filter(emailed_at__isnull=True).exists()
        assert not OutboxMessage.objects.filter(topic=EMAIL_TOPIC, delivered_at__isnull=True).exists()

    def test_the_past_s_closed_cases_were_surveyed_as_they_closed_and_most_parties_answered(self, demo):
        from marketdesk.console.models import SatisfactionSurvey

        closed = Case.objects.filter(status=CaseStatus.CLOSED)
        surveys = SatisfactionSurvey.objects.filter(case__in=closed).select_related("case")
        answered = [s for s in surveys if s.score is not None]

        assert closed.exists()
        assert {s.case_id for s in surveys} == set(closed.values_list("pk", flat=True))
        closed_at = {
            e.subject_id: e.occurred_at for c in closed for e in case_events(c) if e.event_type == "case.closed"
        }
        assert all(closed_at[s.case_id] <= s.asked_at <= closed_at[s.case_id] + dt.timedelta(hours=1) for s in surveys)
        assert 0 < len(answered) < len(surveys)
        assert all(s.asked_at <= s.answered_at <= clock.now() for s in answered)

    def test_rerunning_simulate_does_not_duplicate_cases(self, demo):
        def counts() -> tuple[int, ...]:
            return (
                Case.objects.count(),
                SellerContact.objects.count(),
                Decision.objects.count(),
                LedgerEntry.objects.count(),
                TimelineEvent.objects.count(),
                User.objects.count(),
            )

        before = counts()

        simulate_command("--demo-accounts")

        assert counts() == before


# -- from an empty database ------------------------------------------------------------


class _Rollback(Exception):
    pass


def cases_of_fresh_run(seed: int) -> list[tuple]:
    """Simulate 150 orders and their cases into the empty database, read the cases, roll back."""
    taken: list[tuple] = []
    try:
        with transaction.atomic():
            result = marketplace_simulate(seed=seed, orders=150, epoch=EPOCH)
            marketplace_cases_simulate(marketplace=result.marketplace, seed=seed, epoch=EPOCH)
            taken.extend(
                Case.objects.order_by("order__external_id").values_list(
                    "order__external_id", "case_type", "status", "opened_at", "updated_at", "description"
                )
            )
            raise _Rollback
    except _Rollback:
        pass
    assert not Case.objects.exists()
    return taken


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_cases():
    first = cases_of_fresh_run(seed=1)
    second = cases_of_fresh_run(seed=1)

    assert len(first) >= 30
    assert first == second


@pytest.mark.django_db
def test_no_cases_flag_skips_them():
    simulate_command("--no-cases")

    assert Order.objects.count() == 300
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_a_step_a_service_refuses_drops_that_orders_case_entirely(monkeypatch):
    def refuse(**_kwargs):
        raise Conflict("escalation refused for the test")

    monkeypatch.setattr(playing, "case_escalate", refuse)
    marketplace_simulate(seed=3, orders=150, epoch=EPOCH)

    result = marketplace_cases_simulate(marketplace=Marketplace.objects.get(slug="demo"), seed=3, epoch=EPOCH)

    assert result.refused > 0
    assert not Case.objects.filter(escalated_at__isnull=False).exists()
    # The buyer's contact with the seller was rolled back with the rest of that case.
    assert SellerContact.objects.count() == Case.objects.count() == result.created
    assert {CaseStatus.AWAITING_SELLER, CaseStatus.OFFER_MADE} <= set(Case.objects.values_list("status", flat=True))
    assert set(result.stories) <= {str(story) for story in STORIES}
