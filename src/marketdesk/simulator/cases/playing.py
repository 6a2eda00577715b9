"""Playing a story through the case services, each step at its moment."""

from __future__ import annotations

from marketdesk.cases.models import Case
from marketdesk.cases.services.decisions import case_appeal, case_appeal_decide, case_close, case_decide
from marketdesk.cases.services.evidence import case_evidence_add, case_note_add
from marketdesk.cases.services.offers import (
    case_escalate,
    case_offer_accept,
    case_offer_decline,
    case_offer_make,
    case_withdraw,
)
from marketdesk.cases.services.opening import case_open
from marketdesk.cases.services.review import case_info_provide, case_info_request, case_review_start
from marketdesk.cases.services.scheduled import cases_expire_idle
from marketdesk.cases.states import BEFORE_ESCALATION
from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.core.money import Money
from marketdesk.messaging.services import order_message_post
from marketdesk.orders.models import Order
from marketdesk.simulator.cases.stories import Claim, Step, StoryAbandoned, Subject

# -- playing a story through the services ------------------------------------------------


def _seller_reply(buyer_words: str) -> str:
    """The seller's first answer, in the buyer's language."""
    if any("а" <= ch.lower() <= "я" for ch in buyer_words):
        return "Здравствуйте! Спасибо, что написали, уже разбираемся и скоро ответим."
    return "Hello, thanks for getting in touch. We're looking into it and will come back to you shortly."


def story_play(subject: Subject, claim: Claim, steps: list[Step], expected: str) -> None:
    """Run each step through its service at its moment; check that the case ends where planned."""
    order = subject.order
    actors = {
        "buyer": Actor.for_user(subject.buyer),
        "seller": Actor.for_user(subject.seller),
        "op1": Actor.for_user(subject.staff[0]),
        "op2": Actor.for_user(subject.staff[1]),
    }
    buyer = actors["buyer"]
    first_words = next((step.args["description"] for step in steps if step.kind == "open"), "Hello, about my order?")
    case: Case | None = None
    for step in steps:
        a = step.args
        actor = actors.get(a.get("by", "buyer"), buyer)
        with clock.frozen(step.at):
            if step.kind == "contact":
                # The buyer writes to the seller first: that message is the contact the case needs.
                order_message_post(actor=buyer, order=order, body=first_words)
            elif step.kind == "reply":
                order_message_post(actor=actors["seller"], order=order, body=_seller_reply(first_words))
            elif step.kind == "open":
                case = case_open(
                    actor=buyer,
                    order=order,
                    case_type=claim.case_type,
                    description=a["description"],
                    line=claim.line,
                    reason_detail=claim.sub_reason,
                )
            else:
                if case is None:  # pragma: no cover - every story opens the case first
                    raise StoryAbandoned("no case to act on")
                _act(step, case, actor, order)
    if case is None or not Case.objects.filter(pk=case.pk, status=expected).exists():
        raise StoryAbandoned(f"the case did not end {expected}")


def _act(step: Step, case: Case, actor: Actor, order: Order) -> None:  # noqa: PLR0912 - one branch per step kind
    a = step.args
    kind = step.kind
    if kind == "evidence":
        case_evidence_add(actor=actor, case=case, text=a["text"])
    elif kind == "offer":
        amount = Money(a["amount_minor"], order.currency) if a["amount_minor"] else None
        case_offer_make(actor=actor, case=case, kind=a["kind"], amount=amount, message=a["message"])
    elif kind == "accept":
        case_offer_accept(actor=actor, case=case)
    elif kind == "decline":
        case_offer_decline(actor=actor, case=case)
    elif kind == "escalate":
        case_escalate(actor=actor, case=case)
    elif kind == "withdraw":
        case_withdraw(actor=actor, case=case)
    elif kind == "review":
        case_review_start(actor=actor, case=case)
    elif kind == "note":
        case_note_add(actor=actor, case=case, body=a["body"])
    elif kind == "ask":
        case_info_request(actor=actor, case=case, party=a["party"], question=a["question"])
    elif kind == "answer":
        case_info_provide(actor=actor, case=case, answer=a["answer"])
    elif kind in ("decide", "appeal_decide"):
        decide = case_decide if kind == "decide" else case_appeal_decide
        amount = Money(a["amount_minor"], order.currency) if a["amount_minor"] else None
        decide(
            actor=actor,
            case=case,
            outcome=a["outcome"],
            payer=a["payer"],
            amount=amount,
            reason_code=a["reason_code"],
            rationale=a["rationale"],
        )
    elif kind == "appeal":
        case_appeal(actor=actor, case=case, reason=a["reason"], new_information=a["new_information"])
    elif kind == "expire":
        # The hourly task expires every idle case; here it may only find this one.
        others = Case.objects.filter(status__in=BEFORE_ESCALATION, expires_at__lte=step.at).exclude(pk=case.pk)
        if others.exists():
            raise StoryAbandoned("other cases would expire with it")
        if cases_expire_idle(now=step.at) != 1:
            raise StoryAbandoned("the case was not idle long enough to expire")
    elif kind == "close":
        case_close(actor=Actor.system(), case=case)
    else:  # pragma: no cover - the planner writes only the kinds above
        raise StoryAbandoned(f"unknown step {kind}")
