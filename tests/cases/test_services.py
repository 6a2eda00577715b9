"""Case services: who may act, when, what each writes to the timeline, the ledger and the webhooks."""

from __future__ import annotations

import datetime as dt

import pytest

from marketdesk.cases.models import (
    Appeal,
    Case,
    CaseOffer,
    CaseType,
    Decision,
    DecisionOutcome,
    InfoRequest,
    OfferKind,
    OfferStatus,
    Party,
    Payer,
)
from marketdesk.cases.services.contact import seller_contact_record, seller_reply_record
from marketdesk.cases.services.decisions import AlreadyDecided, case_appeal, case_appeal_decide, case_close, case_decide
from marketdesk.cases.services.offers import (
    case_escalate,
    case_offer_accept,
    case_offer_decline,
    case_offer_make,
    case_withdraw,
)
from marketdesk.cases.services.opening import CaseNotEligible, case_open
from marketdesk.cases.services.review import case_info_provide, case_info_request
from marketdesk.cases.services.scheduled import cases_expire_idle
from marketdesk.cases.states import CaseStatus
from marketdesk.console.models import AuditEntry
from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.core.errors import (
    Conflict,
    DomainValidationError,
    ImmutableRecord,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
)
from marketdesk.core.money import Money
from marketdesk.core.policies import policy_publish
from marketdesk.ledger.models import LedgerEntry
from marketdesk.orders.models import OrderLine
from tests import factories
from tests.cases.conftest import (
    CONTACTED_AT,
    EXPIRES,
    MINUTE,
    NOW,
    SELLER_DUE,
    decide_full_refund,
    event_types,
    fresh,
    moved,
    webhooks,
)
from tests.core.transition_matrix import timeline_of
from tests.workers import fan_out

pytestmark = pytest.mark.django_db

# Contact with the seller


def test_the_first_contact_is_recorded_once_on_the_order(order, buyer_actor):
    with clock.frozen(NOW):
        first = seller_contact_record(actor=buyer_actor, order=order)
        again = seller_contact_record(actor=buyer_actor, order=order)

    assert (first.pk, first.contacted_at) == (again.pk, NOW)
    assert event_types(order).count("case.seller_contacted") == 1


def test_another_buyer_cannot_record_a_contact_on_the_order(order, other_buyer):
    with pytest.raises(NotFound):
        seller_contact_record(actor=Actor.for_user(other_buyer), order=order)


def test_the_sellers_first_reply_is_recorded(order, contacted, seller_actor):
    with clock.frozen(NOW):
        contact = seller_reply_record(actor=seller_actor, order=order)

    assert contact.seller_replied_at == NOW
    assert event_types(order)[-1] == "case.seller_replied"


# Opening


def test_open_starts_the_case_with_the_seller_deadline_across_the_weekend(opened_case, endpoint):
    assert (opened_case.status, opened_case.opened_at, opened_case.seller_due_at) == (
        CaseStatus.AWAITING_SELLER,
        NOW,
        SELLER_DUE,
    )
    assert opened_case.policy_version == 1  # the first version, published by the migrations
    assert event_types(opened_case) == ["case.opened"]


def test_the_case_stored_by_a_plain_insert_is_as_save_would_have_stored_it(opened_case):
    # given: a case opened (stored without save(): its queue deadline, generated column and stored status set
    # as save() sets them)
    stored = Case.objects.get(pk=opened_case.pk)
    # when: the opener's instance is saved again, unchanged (a status not moved through the table is refused)
    opened_case.save(update_fields=["updated_at"])

    # then
    assert (opened_case.is_open, opened_case.queue_due_at) == (True, SELLER_DUE)
    assert (stored.is_open, stored.queue_due_at, stored.status) == (True, SELLER_DUE, CaseStatus.AWAITING_SELLER)


def test_open_records_the_policy_version_in_force(order, buyer_actor, contacted, at_now):
    # Given a second version published (the migrations publish the first)
    policy_publish(actor=Actor.system(), changes={"seller_silence_hours": 24})

    # When the buyer opens a case
    case = case_open(actor=buyer_actor, order=order, case_type=CaseType.ITEM_NOT_RECEIVED, description="Never came.")

    # Then the case keeps the version it was opened under
    assert case.policy_version == 2


def test_open_tells_the_marketplace(order, buyer_actor, contacted, at_now, endpoint):
    case = case_open(actor=buyer_actor, order=order, case_type=CaseType.ITEM_NOT_RECEIVED, description="Nothing.")
    fan_out()

    assert webhooks("case.opened") == [f"case-{case.pk}-opened"]


def test_a_buyer_opening_on_another_buyers_order_gets_not_found(order, other_buyer, contacted, at_now):
    with pytest.raises(NotFound):
        case_open(actor=Actor.for_user(other_buyer), order=order, case_type=CaseType.OTHER, description="Not mine.")

    assert Case.objects.count() == 0


def test_the_marketplace_opens_a_case_for_its_buyer(order, marketplace_actor, contacted, at_now):
    case = case_open(actor=marketplace_actor, order=order, case_type=CaseType.OTHER, description="Via the app.")

    assert (case.buyer_id, timeline_of(case).get().actor_role) == (order.buyer_id, "marketplace")


def test_another_marketplace_cannot_open_a_case_on_the_order(order, other_marketplace, contacted, at_now):
    with pytest.raises(NotFound):
        case_open(
            actor=Actor.marketplace(marketplace_id=other_marketplace.pk),
            order=order,
            case_type=CaseType.OTHER,
            description="x",
        )


def test_a_seller_cannot_open_a_case(order, seller_actor, contacted, at_now):
    with pytest.raises(PermissionDenied):
        case_open(actor=seller_actor, order=order, case_type=CaseType.OTHER, description="x")


def test_open_before_contacting_the_seller_is_refused_and_nothing_is_written(order, buyer_actor, at_now):
    with pytest.raises(CaseNotEligible) as refused:
        case_open(actor=buyer_actor, order=order, case_type=CaseType.OTHER, description="Help")

    assert refused.value.message == "Contact the seller first: most problems are solved that way."
    assert Case.objects.count() == 0


def test_open_too_early_says_from_when(order, buyer_actor):
    with clock.frozen(NOW):
        seller_contact_record(actor=buyer_actor, order=order)
    with clock.frozen(NOW + dt.timedelta(hours=47)), pytest.raises(CaseNotEligible) as refused:
        case_open(actor=buyer_actor, order=order, case_type=CaseType.OTHER, description="Help")

    assert refused.value.extra == {"opens_at": "2026-11-28T12:00:00+00:00", "closes_at": None}


def test_a_second_open_case_for_the_same_reason_is_refused(opened_case, order, buyer_actor):
    with pytest.raises(CaseNotEligible):
        case_open(actor=buyer_actor, order=order, case_type=CaseType.ITEM_NOT_RECEIVED, description="Again")

    assert Case.objects.count() == 1


def test_another_line_or_another_reason_may_have_its_own_case(order, buyer_actor, contacted, at_now):
    scarf = order.lines.get()
    hat = OrderLine.objects.create(
        order=order, external_id="L2", title="Hat", quantity=1, unit_price_minor=100, total_minor=100
    )
    case_open(actor=buyer_actor, order=order, line=scarf, case_type=CaseType.ITEM_NOT_RECEIVED, description="No scarf")

    by_line = case_open(
        actor=buyer_actor, order=order, line=hat, case_type=CaseType.ITEM_NOT_RECEIVED, description="Hat missing"
    )
    by_reason = case_open(actor=buyer_actor, order=order, case_type=CaseType.OTHER, description="Other")

    assert Case.objects.filter(status=CaseStatus.AWAITING_SELLER).count() == 3
    assert (by_line.line_id, by_reason.case_type) == (hat.pk, CaseType.OTHER)


def test_a_new_case_may_reference_a_withdrawn_one(opened_case, order, buyer_actor):
    case_withdraw(actor=buyer_actor, case=opened_case)

    again = case_open(
        actor=buyer_actor,
        order=order,
        case_type=CaseType.ITEM_NOT_RECEIVED,
        description="Still nothing",
        referenced_case=opened_case,
    )

    assert (again.referenced_case_id, moved(again, "case.opened")["referenced_case_id"]) == (
        opened_case.pk,
        opened_case.pk,
    )


def test_an_open_case_cannot_be_referenced(opened_case, order, buyer_actor):
    with pytest.raises(DomainValidationError) as refused:
        case_open(
            actor=buyer_actor, order=order, case_type=CaseType.OTHER, description="x", referenced_case=opened_case
        )

    assert refused.value.field == "referenced_case"


# The seller's answer


def test_the_seller_offers_a_partial_refund(opened_case, seller_actor):
    offer = case_offer_make(
        actor=seller_actor, case=opened_case, kind=OfferKind.PARTIAL_REFUND, amount=Money(1000, "GBP"), message="Sorry"
    )

    assert (fresh(opened_case).status, offer.amount, offer.status) == (
        CaseStatus.OFFER_MADE,
        Money(1000, "GBP"),
        OfferStatus.PENDING,
    )
    assert moved(opened_case, "case.offer_made")["extra"] == {"offer_id": offer.pk, "kind": "partial_refund"}


def test_an_offer_above_the_order_total_is_refused_naming_amount(opened_case, seller_actor):
    with pytest.raises(DomainValidationError) as refused:
        case_offer_make(actor=seller_actor, case=opened_case, kind=OfferKind.PARTIAL_REFUND, amount=Money(2501, "GBP"))

    assert refused.value.field == "amount"
    assert CaseOffer.objects.count() == 0


def test_an_offer_after_the_seller_deadline_is_refused(opened_case, seller_actor, at_now):
    at_now.advance(SELLER_DUE - NOW + MINUTE)

    with pytest.raises(Conflict):
        case_offer_make(actor=seller_actor, case=opened_case, kind=OfferKind.FULL_REFUND)

    assert fresh(opened_case).status == CaseStatus.AWAITING_SELLER


def test_a_seller_of_another_shop_does_not_see_the_case(opened_case, marketplace):
    stranger = factories.MembershipFactory(shop=factories.ShopFactory(marketplace=marketplace)).user

    with pytest.raises(NotFound):
        case_offer_make(actor=Actor.for_user(stranger), case=opened_case, kind=OfferKind.FULL_REFUND)


def test_a_refusal_needs_a_reason(opened_case, seller_actor):
    with pytest.raises(DomainValidationError) as refused:
        case_offer_make(actor=seller_actor, case=opened_case, kind=OfferKind.REFUSAL)

    assert refused.value.field == "message"


def test_the_buyer_accepts_the_offer_and_the_case_is_resolved(opened_case, seller_actor, buyer_actor):
    case_offer_make(actor=seller_actor, case=opened_case, kind=OfferKind.FULL_REFUND)

    offer = case_offer_accept(actor=buyer_actor, case=opened_case)

    assert (offer.status, fresh(opened_case).status) == (OfferStatus.ACCEPTED, CaseStatus.RESOLVED)
    assert event_types(opened_case) == ["case.opened", "case.offer_made", "case.offer_accepted"]


def test_after_a_decline_the_seller_may_offer_again_or_either_party_escalate(
    opened_case, seller_actor, buyer_actor, endpoint
):
    case_offer_make(actor=seller_actor, case=opened_case, kind=OfferKind.REPLACEMENT)
    offer = case_offer_decline(actor=buyer_actor, case=opened_case)

    case = case_escalate(actor=seller_actor, case=opened_case)

    assert (offer.status, case.status, case.escalated_by_role) == (
        OfferStatus.DECLINED,
        CaseStatus.ESCALATED,
        "seller",
    )
    assert event_types(case) == ["case.opened", "case.offer_made", "case.offer_declined", "case.escalated"]
    assert webhooks("case.escalated") == [f"case-{case.pk}-escalated"]


def test_the_buyer_cannot_accept_when_no_offer_waits(opened_case, buyer_actor):
    with pytest.raises(TransitionNotAllowed):
        case_offer_accept(actor=buyer_actor, case=opened_case)


# Escalation after the seller's silence


def test_escalation_at_the_seller_deadline_is_refused(opened_case, buyer_actor, at_now):
    at_now.advance(SELLER_DUE - NOW)

    with pytest.raises(Conflict) as refused:
        case_escalate(actor=buyer_actor, case=opened_case)

    assert refused.value.message == "The seller has until Tue 1 Dec, 12:00 to answer; you can escalate after that."


def test_escalation_one_minute_after_the_seller_deadline_sets_the_decision_target(escalated):
    escalated_at = SELLER_DUE + MINUTE

    assert (escalated.status, escalated.escalated_at, escalated.decision_due_at, escalated.expires_at) == (
        CaseStatus.ESCALATED,
        escalated_at,
        escalated_at + dt.timedelta(hours=48),
        None,
    )
    assert event_types(escalated) == ["case.opened", "case.escalated"]


# Review and information requests


def test_an_information_request_gives_72_hours(reviewed, operator_actor, at_now):
    request = case_info_request(actor=operator_actor, case=reviewed, party=Party.SELLER, question="Tracking number?")

    case = fresh(reviewed)
    assert (case.status, request.due_at, case.info_due_at) == (
        CaseStatus.AWAITING_INFO,
        at_now.now() + dt.timedelta(hours=72),
        at_now.now() + dt.timedelta(hours=72),
    )
    assert event_types(case)[-2:] == ["case.review_started", "case.info_requested"]


def test_only_the_party_asked_answers(reviewed, operator_actor, buyer_actor, seller_actor):
    case_info_request(actor=operator_actor, case=reviewed, party=Party.SELLER, question="Tracking number?")

    with pytest.raises(PermissionDenied):
        case_info_provide(actor=buyer_actor, case=reviewed, answer="I am the buyer")
    request = case_info_provide(actor=seller_actor, case=reviewed, answer="RM123456789GB")

    assert (request.answer, fresh(reviewed).status, fresh(reviewed).info_due_at) == (
        "RM123456789GB",
        CaseStatus.UNDER_REVIEW,
        None,
    )
    assert event_types(reviewed)[-1] == "case.info_provided"


def test_silence_after_a_request_still_allows_a_decision(reviewed, operator_actor, at_now):
    case_info_request(actor=operator_actor, case=reviewed, party=Party.SELLER, question="Tracking number?")
    at_now.advance(dt.timedelta(hours=73))

    decide_full_refund(operator_actor, reviewed)

    assert fresh(reviewed).status == CaseStatus.DECIDED
    assert InfoRequest.objects.get().answered_at is None


# Decisions


def test_a_decision_records_policy_one_ledger_entry_and_one_webhook(reviewed, operator_actor, endpoint):
    decision = decide_full_refund(operator_actor, reviewed)

    assert (decision.outcome, decision.payer, decision.amount, decision.policy_version) == (
        DecisionOutcome.BUYER_FULL_REFUND,
        Payer.SELLER,
        Money(2500, "GBP"),
        reviewed.policy_version,
    )
    assert list(LedgerEntry.objects.values_list("decision_key", "kind", "payer", "amount_minor", "reason")) == [
        (f"case-{reviewed.pk}-decision", "refund", "seller", 2500, "item_not_received")
    ]
    assert webhooks("case.decided") == [f"case-{reviewed.pk}-decision"]
    assert moved(reviewed, "case.decided")["extra"] == {"decision_id": decision.pk, "outcome": "buyer_full_refund"}


def test_deciding_again_is_refused_naming_who_decided_and_writes_nothing_more(
    reviewed, operator_actor, second_operator_actor, endpoint
):
    decide_full_refund(operator_actor, reviewed)

    with pytest.raises(AlreadyDecided) as refused:
        decide_full_refund(second_operator_actor, reviewed)
    with pytest.raises(AlreadyDecided):
        decide_full_refund(operator_actor, reviewed)

    assert refused.value.extra == {"decided_by": operator_actor.user.name}
    assert refused.value.message.startswith(f"{operator_actor.user.name} already decided this case on ")
    assert (Decision.objects.count(), LedgerEntry.objects.count(), len(webhooks("case.decided"))) == (1, 1, 1)
    assert event_types(reviewed).count("case.decided") == 1


def test_a_refund_above_the_order_total_is_refused_and_nothing_is_written(reviewed, operator_actor, endpoint):
    events_before = event_types(reviewed)

    with pytest.raises(DomainValidationError) as refused:
        case_decide(
            actor=operator_actor,
            case=reviewed,
            outcome=DecisionOutcome.BUYER_PARTIAL_REFUND,
            payer=Payer.PLATFORM,
            amount=Money(2501, "GBP"),
            reason_code="not_received_no_proof",
            rationale="Too much",
        )

    assert refused.value.field == "amount"
    assert (Decision.objects.count(), LedgerEntry.objects.count(), webhooks("case.decided")) == (0, 0, [])
    assert (fresh(reviewed).status, event_types(reviewed)) == (CaseStatus.UNDER_REVIEW, events_before)


def test_a_seller_wins_decision_moves_no_money(reviewed, operator_actor):
    decision = case_decide(
        actor=operator_actor,
        case=reviewed,
        outcome=DecisionOutcome.SELLER_WINS,
        payer=Payer.NONE,
        reason_code="delivered_with_proof",
        rationale="Signed for.",
    )

    assert (decision.amount_minor, LedgerEntry.objects.count()) == (0, 0)


def test_a_withdrawn_case_cannot_be_decided(reviewed, operator_actor, buyer_actor):
    case_withdraw(actor=buyer_actor, case=reviewed)

    with pytest.raises(TransitionNotAllowed):
        decide_full_refund(operator_actor, reviewed)

    assert Decision.objects.count() == 0


def test_a_buyer_cannot_decide(reviewed, buyer_actor):
    with pytest.raises(PermissionDenied):
        decide_full_refund(buyer_actor, reviewed)


def test_a_decision_is_never_edited(decided):
    decision = Decision.objects.get()
    decision.outcome = DecisionOutcome.SELLER_WINS

    with pytest.raises(ImmutableRecord):
        decision.save()
    with pytest.raises(ImmutableRecord):
        Decision.objects.filter(pk=decision.pk).update(outcome=DecisionOutcome.SELLER_WINS)
    with pytest.raises(ImmutableRecord):
        decision.delete()

    assert Decision.objects.get().outcome == DecisionOutcome.BUYER_FULL_REFUND


# Appeals


def appeal(actor, case) -> Appeal:
    return case_appeal(actor=actor, case=case, reason="Wrong", new_information="The parcel came back to me empty.")


def test_an_appeal_on_day_30_is_accepted(decided, seller_actor, at_now):
    at_now.advance(dt.timedelta(days=30))

    filed = appeal(seller_actor, decided)

    assert (filed.party, fresh(decided).status) == ("seller", CaseStatus.APPEALED)
    assert event_types(decided)[-1] == "case.appealed"


def test_an_appeal_on_day_31_is_refused(decided, seller_actor, at_now):
    at_now.advance(dt.timedelta(days=30) + MINUTE)

    with pytest.raises(Conflict):
        appeal(seller_actor, decided)

    assert (Appeal.objects.count(), fresh(decided).status) == (0, CaseStatus.DECIDED)


def test_a_second_appeal_is_refused(decided, seller_actor, buyer_actor):
    appeal(seller_actor, decided)

    with pytest.raises(Conflict):
        appeal(buyer_actor, decided)

    assert Appeal.objects.count() == 1


def test_an_appeal_needs_new_information(decided, seller_actor):
    with pytest.raises(DomainValidationError) as refused:
        case_appeal(actor=seller_actor, case=decided, reason="Wrong", new_information=" ")

    assert refused.value.field == "new_information"


def test_the_first_operator_cannot_decide_the_appeal(decided, seller_actor, operator_actor):
    appeal(seller_actor, decided)

    with pytest.raises(PermissionDenied):
        case_appeal_decide(
            actor=operator_actor,
            case=decided,
            outcome=DecisionOutcome.SELLER_WINS,
            payer=Payer.NONE,
            reason_code="other",
            rationale="y",
        )

    assert Decision.objects.count() == 1


def test_another_operator_decides_the_appeal(decided, seller_actor, second_operator_actor):
    appeal(seller_actor, decided)

    decision = case_appeal_decide(
        actor=second_operator_actor,
        case=decided,
        outcome=DecisionOutcome.NO_FAULT,
        payer=Payer.NONE,
        reason_code="appeal_upheld",
        rationale="The new photos do not change the outcome.",
    )

    assert (decision.is_appeal, fresh(decided).status) == (True, CaseStatus.DECIDED_ON_APPEAL)
    assert event_types(decided)[-1] == "case.appeal_decided"


# Withdrawal, expiry, closing


def test_the_buyer_withdraws(opened_case, buyer_actor, seller_actor):
    with pytest.raises(PermissionDenied):
        case_withdraw(actor=seller_actor, case=opened_case)

    case = case_withdraw(actor=buyer_actor, case=opened_case)

    assert (case.status, event_types(case)) == (CaseStatus.WITHDRAWN, ["case.opened", "case.withdrawn"])


def test_an_idle_case_expires_after_21_business_days(opened_case):
    assert opened_case.expires_at == EXPIRES

    assert cases_expire_idle(now=EXPIRES - MINUTE) == 0
    assert cases_expire_idle(now=EXPIRES) == 1

    assert fresh(opened_case).status == CaseStatus.EXPIRED
    assert event_types(opened_case) == ["case.opened", "case.expired"]


def test_activity_pushes_the_expiry_back(opened_case, seller_actor, at_now):
    at_now.advance(dt.timedelta(days=1))

    case_offer_make(actor=seller_actor, case=opened_case, kind=OfferKind.REPLACEMENT)

    assert cases_expire_idle(now=EXPIRES) == 0
    assert fresh(opened_case).expires_at == dt.datetime(2026, 12, 30, 12, 0, tzinfo=dt.UTC)


def test_an_escalated_case_never_expires(escalated):
    assert cases_expire_idle(now=EXPIRES + dt.timedelta(days=365)) == 0


def test_a_decision_closes_only_after_its_appeal_window(decided, at_now):
    with pytest.raises(Conflict):
        case_close(actor=Actor.system(), case=decided)
    at_now.advance(dt.timedelta(days=30, minutes=1))

    case = case_close(actor=Actor.system(), case=decided)

    assert (case.status, event_types(case)[-1]) == (CaseStatus.CLOSED, "case.closed")
    assert not AuditEntry.objects.filter(action="case.closed").exists()  # the system's close is not an operator's


def test_an_operator_closing_a_case_is_in_the_audit_trail(decided, operator_actor, at_now):
    at_now.advance(dt.timedelta(days=30, minutes=1))

    case_close(actor=operator_actor, case=decided)

    entry = AuditEntry.objects.get(action="case.closed")
    assert (entry.object_id, entry.actor_user_id, entry.before, entry.after) == (
        str(decided.pk),
        operator_actor.user.pk,
        {"status": "decided"},
        {"status": "closed"},
    )


def test_contact_time_is_kept(contacted):
    assert contacted.contacted_at == CONTACTED_AT


# Refused actors


def test_an_operator_cannot_escalate_for_a_party(opened_case, operator_actor, at_now):
    at_now.advance(SELLER_DUE - NOW + MINUTE)

    with pytest.raises(PermissionDenied):
        case_escalate(actor=operator_actor, case=opened_case)


def test_another_buyer_cannot_answer_the_offer(opened_case, seller_actor, other_buyer):
    case_offer_make(actor=seller_actor, case=opened_case, kind=OfferKind.FULL_REFUND)

    with pytest.raises(NotFound):
        case_offer_accept(actor=Actor.for_user(other_buyer), case=opened_case)


def test_a_seller_cannot_request_information(reviewed, seller_actor):
    with pytest.raises(PermissionDenied):
        case_info_request(actor=seller_actor, case=reviewed, party=Party.BUYER, question="Why?")


def test_an_escalated_case_is_reviewed_before_a_decision(escalated, operator_actor):
    with pytest.raises(TransitionNotAllowed):
        decide_full_refund(operator_actor, escalated)


def test_an_appeal_decision_may_refund_what_the_first_did_not(
    reviewed, operator_actor, second_operator_actor, buyer_actor, endpoint
):
    case_decide(
        actor=operator_actor,
        case=reviewed,
        outcome=DecisionOutcome.SELLER_WINS,
        payer=Payer.NONE,
        reason_code="delivered_with_proof",
        rationale="Tracking shows delivery.",
    )
    appeal(buyer_actor, reviewed)

    case_appeal_decide(
        actor=second_operator_actor,
        case=reviewed,
        outcome=DecisionOutcome.BUYER_PARTIAL_REFUND,
        payer=Payer.PLATFORM,
        amount=Money(1200, "GBP"),
        reason_code="damaged_in_transit",
        rationale="The photos show the parcel was opened.",
    )

    assert list(LedgerEntry.objects.filter(kind="refund").values_list("decision_key", "payer", "amount_minor")) == [
        (f"case-{reviewed.pk}-appeal-decision", "platform", 1200)
    ]
    assert webhooks("case.decided") == [f"case-{reviewed.pk}-decision", f"case-{reviewed.pk}-appeal-decision"]


def test_an_appeal_cannot_refund_more_than_is_left(decided, buyer_actor, second_operator_actor):
    appeal(buyer_actor, decided)

    with pytest.raises(DomainValidationError) as refused:
        case_appeal_decide(
            actor=second_operator_actor,
            case=decided,
            outcome=DecisionOutcome.BUYER_PARTIAL_REFUND,
            payer=Payer.PLATFORM,
            amount=Money(1, "GBP"),
            reason_code="other",
            rationale="y",
        )

    assert (refused.value.field, Decision.objects.count(), LedgerEntry.objects.count()) == ("amount", 1, 1)


def test_a_pending_offer_is_withdrawn_with_the_case(opened_case, seller_actor, buyer_actor):
    case_offer_make(actor=seller_actor, case=opened_case, kind=OfferKind.REPLACEMENT)

    case_withdraw(actor=buyer_actor, case=opened_case)

    assert CaseOffer.objects.get().status == OfferStatus.WITHDRAWN


def test_a_pending_offer_is_withdrawn_when_the_case_expires(opened_case, seller_actor):
    case_offer_make(actor=seller_actor, case=opened_case, kind=OfferKind.REPLACEMENT)

    assert cases_expire_idle(now=EXPIRES + dt.timedelta(days=2)) == 1

    assert CaseOffer.objects.get().status == OfferStatus.WITHDRAWN


def test_an_appeal_upholding_the_refund_pays_nothing_more(decided, buyer_actor, second_operator_actor):
    appeal(buyer_actor, decided)

    decision = case_appeal_decide(
        actor=second_operator_actor,
        case=decided,
        outcome=DecisionOutcome.BUYER_FULL_REFUND,
        payer=Payer.SELLER,
        reason_code="appeal_upheld",
        rationale="The first decision stands.",
    )

    assert decision.amount_minor == decided.order.total_minor
    assert LedgerEntry.objects.count() == 1
    assert fresh(decided).status == CaseStatus.DECIDED_ON_APPEAL


def test_an_appeal_raising_a_partial_refund_pays_the_difference(
    reviewed, operator_actor, second_operator_actor, buyer_actor
):
    case_decide(
        actor=operator_actor,
        case=reviewed,
        outcome=DecisionOutcome.BUYER_PARTIAL_REFUND,
        payer=Payer.SELLER,
        amount=Money(500, "GBP"),
        reason_code="not_as_described",
        rationale="Half.",
    )
    appeal(buyer_actor, reviewed)

    case_appeal_decide(
        actor=second_operator_actor,
        case=reviewed,
        outcome=DecisionOutcome.BUYER_FULL_REFUND,
        payer=Payer.SELLER,
        reason_code="appeal_overturned",
        rationale="All of it.",
    )

    assert list(LedgerEntry.objects.order_by("id").values_list("amount_minor", flat=True)) == [
        500,
        reviewed.order.total_minor - 500,
    ]


def test_an_accepted_refund_offer_is_the_sellers_refund_once(opened_case, seller_actor, buyer_actor, endpoint):
    offer = case_offer_make(
        actor=seller_actor, case=opened_case, kind=OfferKind.PARTIAL_REFUND, amount=Money(700, "GBP")
    )

    case_offer_accept(actor=buyer_actor, case=opened_case)
    with pytest.raises(TransitionNotAllowed):
        case_offer_accept(actor=buyer_actor, case=opened_case)
    fan_out()

    assert list(LedgerEntry.objects.values_list("decision_key", "payer", "amount_minor")) == [
        (f"case-{opened_case.pk}-offer-{offer.pk}", "seller", 700)
    ]
    assert webhooks("case.resolved") == [f"case-{opened_case.pk}-offer-{offer.pk}"]


def test_an_accepted_replacement_moves_no_money_but_tells_the_marketplace(
    opened_case, seller_actor, buyer_actor, endpoint
):
    case_offer_make(actor=seller_actor, case=opened_case, kind=OfferKind.REPLACEMENT)

    case_offer_accept(actor=buyer_actor, case=opened_case)
    fan_out()

    assert not LedgerEntry.objects.exists()
    assert len(webhooks("case.resolved")) == 1


def test_a_nul_character_is_refused_not_a_database_error(order, buyer_actor, contacted, at_now):
    with pytest.raises(DomainValidationError, match="NUL character"):
        case_open(actor=buyer_actor, order=order, case_type=CaseType.ITEM_NOT_RECEIVED, description="lost\x00parcel")
    assert not Case.objects.exists()
