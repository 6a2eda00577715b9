"""Writes of cases: contact the seller, open, offer, escalate, review, decide, appeal, withdraw, expire, close.

Each service is one transaction that locks the order, then the case (CONTRIBUTING's
fixed order), checks who may act, changes the status only through
``transition()`` and writes side effects (ledger entries, webhooks) in the same
transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from marketdesk.accounts.models import User
from marketdesk.attachments.services import attachments_claim
from marketdesk.cases import events
from marketdesk.cases.eligibility import (
    Eligibility,
    appeal_window_closes,
    case_appeal_closes,
    case_eligibility,
    format_moment,
)
from marketdesk.cases.fanout import case_fanout_put, case_tell, case_thread_note, case_webhook
from marketdesk.cases.history_index import history_index_case
from marketdesk.cases.models import (
    REFUND_OFFERS,
    REFUND_OUTCOMES,
    Appeal,
    Case,
    CaseEvidence,
    CaseNote,
    CaseOffer,
    CaseType,
    Decision,
    DecisionOutcome,
    DecisionReason,
    InfoRequest,
    OfferKind,
    OfferStatus,
    Party,
    Payer,
    SellerContact,
)
from marketdesk.cases.selectors import case_open_overlapping, case_visible_to
from marketdesk.cases.states import BEFORE_ESCALATION, FINISHED_STATUSES, CaseStatus
from marketdesk.cases.suspension import suspended_shop_ids, suspension_in_force
from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.audit import audit_record
from marketdesk.core.calendar import WorkCalendar, calendar_for, due_at
from marketdesk.core.errors import Conflict, DomainValidationError, NotFound, PermissionDenied, TransitionNotAllowed
from marketdesk.core.money import Money
from marketdesk.core.policies import Policy, policy_current
from marketdesk.core.transitions import transition
from marketdesk.disputes.text import text_checked
from marketdesk.ledger.services import EntrySpec, ledger_record_decision
from marketdesk.messaging.services import thread_operators_join
from marketdesk.orders.models import Order, OrderLine
from marketdesk.orders.selectors import order_get_for_actor, orders_for_actor
from marketdesk.orders.situation import order_delivered_at

STAFF = (Role.OPERATOR, Role.ADMIN)


class CaseNotEligible(Conflict):
    """A case may not be opened (yet, or any more); the message says from or until when."""

    code = "case_not_eligible"


class AlreadyDecided(Conflict):
    code = "already_decided"


def _calendar(order: Order) -> WorkCalendar:
    return calendar_for(order.marketplace.calendar_code or None)


def _locked(case: Case) -> tuple[Order, Case]:
    """Lock the case's order, then the case, and return fresh copies of both."""
    order = Order.objects.select_for_update().select_related("marketplace").get(pk=case.order_id)
    locked = Case.objects.select_for_update().get(pk=case.pk)
    locked.order = order
    return order, locked


def _require_visible(actor: Actor, case: Case) -> None:
    if not case_visible_to(actor, case.pk):
        raise NotFound()


def _require_role(actor: Actor, roles: tuple[str, ...]) -> None:
    if actor.role not in roles:
        raise PermissionDenied()


def _user(actor: Actor) -> User:
    if actor.user is None:
        raise PermissionDenied()
    return actor.user


def _require_text(value: str, field: str) -> str:
    return text_checked(value, field, required=True)


def _touch(case: Case, *, now: dt.datetime, policy: Policy) -> None:
    """Note activity on the case; before escalation this pushes back its expiry."""
    case.last_activity_at = now
    case.updated_at = now
    fields = ["last_activity_at", "updated_at"]
    if case.status in BEFORE_ESCALATION:
        case.expires_at = due_at(now, business_days=policy.case_expiry_business_days, calendar=_calendar(case.order))
        fields.append("expires_at")
    case.save(update_fields=fields)


def _pending_offers_withdraw(case: Case, *, now: dt.datetime, actor: Actor) -> None:
    """An offer nobody can answer any more (the case was withdrawn or expired) is withdrawn with it."""
    for offer in CaseOffer.objects.select_for_update().filter(case=case, status=OfferStatus.PENDING):
        offer.answered_at = now
        transition(offer, to=OfferStatus.WITHDRAWN, actor=actor, fields=["answered_at"])


# The buyer contacts the seller first


def seller_contact_record(*, actor: Actor, order: Order) -> SellerContact:
    """Record the buyer's first contact with the seller about an order (repeats return the first)."""
    _require_role(actor, (Role.BUYER, Role.MARKETPLACE))
    order = order_get_for_actor(actor, pk=order.pk, details=False)
    with transaction.atomic():
        Order.objects.select_for_update().get(pk=order.pk)
        contact = SellerContact.objects.filter(order=order, buyer_id=order.buyer_id).first()
        if contact is not None:
            return contact
        contact = SellerContact.objects.create(order=order, buyer_id=order.buyer_id, contacted_at=clock.now())
        events.seller_contacted(order=order, actor=actor, contact_id=contact.pk)
        return contact


def seller_reply_record(*, actor: Actor, order: Order) -> SellerContact:
    """Record the seller's first reply to the buyer's contact (later replies change nothing)."""
    _require_role(actor, (Role.SELLER,))
    order = order_get_for_actor(actor, pk=order.pk, details=False)
    with transaction.atomic():
        Order.objects.select_for_update().get(pk=order.pk)
        contact = SellerContact.objects.select_for_update().filter(order=order, buyer_id=order.buyer_id).first()
        if contact is None:
            raise Conflict(_("The buyer has not contacted you about this order."))
        if contact.seller_replied_at is None:
            contact.seller_replied_at = clock.now()
            contact.save(update_fields=["seller_replied_at"])
            events.seller_replied(order=order, actor=actor, contact_id=contact.pk)
        return contact


# Opening


def _open_case_for(order: Order, line: OrderLine | None, case_type: str) -> Case | None:
    return case_open_overlapping(order_id=order.pk, line_id=line.pk if line else None, case_type=case_type)


def _not_eligible(verdict: Eligibility) -> CaseNotEligible:
    """The refusal as an error; a refused duplicate names the open case, so pages and the API can link it."""
    extra: dict[str, Any] = {
        "opens_at": verdict.opens_at.isoformat() if verdict.opens_at else None,
        "closes_at": verdict.closes_at.isoformat() if verdict.closes_at else None,
    }
    if verdict.open_case is not None:
        extra["open_case"] = verdict.open_case.pk
    return CaseNotEligible(verdict.reason, **extra)


def _order_locked_for(actor: Actor, pk: int) -> Order:
    """Lock the order the actor may see (only the order's row), or raise NotFound as the selector does."""
    order = orders_for_actor(actor).select_for_update(of=("self",)).filter(pk=pk).first()
    if order is None:
        raise NotFound()
    return order


def case_open(
    *,
    actor: Actor,
    order: Order,
    case_type: str,
    description: str,
    line: OrderLine | None = None,
    reason_detail: str = "",
    referenced_case: Case | None = None,
    attachment_ids: Sequence[int] = (),
) -> Case:
    """Open a case on the buyer's order when the policy allows it now; the buyer's uploads become its evidence."""
    _require_role(actor, (Role.BUYER, Role.MARKETPLACE))
    with transaction.atomic():
        # The actor's view of the order and its lock in one read (with the buyer, the shop and the marketplace the
        # case and its answer need): a refusal below rolls back nothing but this lock.
        order = _order_locked_for(actor, order.pk)
        if case_type not in CaseType.values:
            raise DomainValidationError(_("Choose what is wrong."), field="case_type")
        description = _require_text(description, "description")
        if line is not None and line.order_id != order.pk:
            raise DomainValidationError(_("This item is not part of the order."), field="line")
        if (
            referenced_case is not None
            and not Case.objects.filter(
                pk=referenced_case.pk, buyer_id=order.buyer_id, status__in=FINISHED_STATUSES
            ).exists()
        ):
            raise DomainValidationError(_("Only your own finished cases can be referenced."), field="referenced_case")
        now = clock.now()
        policy = policy_current()
        contact = SellerContact.objects.filter(order=order, buyer_id=order.buyer_id).first()
        verdict = case_eligibility(
            order=order,
            case_type=case_type,
            contact=contact,
            now=now,
            delivered_at=order_delivered_at(order),
            open_case=_open_case_for(order, line, case_type),
            policy=policy,
        )
        if not verdict.allowed:
            raise _not_eligible(verdict)
        cal = _calendar(order)
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    order=order,
                    line=line,
                    buyer=order.buyer,
                    shop=order.shop,
                    case_type=case_type,
                    reason_detail=reason_detail,
                    description=description,
                    opened_at=now,
                    last_activity_at=now,
                    updated_at=now,
                    seller_due_at=due_at(now, business_days=policy.seller_response_business_days, calendar=cal),
                    expires_at=due_at(now, business_days=policy.case_expiry_business_days, calendar=cal),
                    policy_version=policy.version,
                    referenced_case=referenced_case,
                )
        except IntegrityError as exc:
            # A double submit raced past the check above; the constraint kept one case.
            raise CaseNotEligible(_("There is already an open case for this item and reason.")) from exc
        if attachment_ids:
            # The buyer's own unattached uploads, within the policy's count; otherwise no case is opened.
            attachments_claim(actor=actor, ids=attachment_ids, owner=case)
        events.case_opened(
            case=case,
            actor=actor,
            payload=events.CaseOpenedPayload(
                case_type=case_type,
                line_id=line.pk if line else None,
                status=case.status,
                seller_due_at=case.seller_due_at.isoformat(),
                policy_version=policy.version,
                referenced_case_id=referenced_case.pk if referenced_case else None,
            ),
        )
        webhook = ("case.opened", f"case-{case.pk}-opened", {"seller_due_at": case.seller_due_at})
        suspension = suspension_in_force(order.shop_id, now=now)
        if suspension is None:
            # The rest is told after commit, from the outbox (cases.fanout): the index, the webhook, the line
            # in the conversation, the seller's notice and the live pushes.
            case_fanout_put(case, "case.opened", actor=actor, webhook=webhook, index=True, reason=case_type)
            return case
        # A suspended seller gets no first move: the platform takes the case at once. The opening is told
        # here, before the escalation, so that the conversation reads in the order things happened; the
        # seller is not asked to answer: the escalation is what they hear of.
        history_index_case(case)
        case_webhook(case, webhook[0], webhook[1], **webhook[2])
        case_thread_note(case, "case.opened", actor=actor, reason=case_type, tell_seller=False)
        _escalate(case, actor=Actor.system(), now=now, policy=policy, suspension_id=suspension.pk)
        return case


# Buyer and seller


def _offer_amount(order: Order, kind: str, amount: Money | None) -> Money | None:
    if kind not in REFUND_OFFERS:
        if amount is not None:
            raise DomainValidationError(_("Only a refund offer has an amount."), field="amount")
        return None
    if amount is None and kind == OfferKind.PARTIAL_REFUND:
        raise DomainValidationError(_("Say how much you offer to refund."), field="amount")
    amount = amount if amount is not None else order.total
    _check_amount(order, amount, limit=order.total_minor)
    return amount


def _check_amount(order: Order, amount: Money, *, limit: int) -> None:
    if amount.currency != order.currency:
        raise DomainValidationError(
            _("Amounts must be in the order's currency, %(currency)s.") % {"currency": order.currency}, field="amount"
        )
    if amount.amount <= 0:
        raise DomainValidationError(_("Amounts must be greater than zero."), field="amount")
    if amount.amount > limit:
        raise DomainValidationError(
            _("The amount is more than the %(limit)s that can still be refunded on this order.")
            % {"limit": Money(limit, order.currency).format()},
            field="amount",
        )


def case_offer_make(
    *,
    actor: Actor,
    case: Case,
    kind: str,
    amount: Money | None = None,
    message: str = "",
    evidence_note: str = "",
) -> CaseOffer:
    """Make the seller's offer (or reasoned refusal) on a case, within the seller's deadline."""
    _require_role(actor, (Role.SELLER,))
    _require_visible(actor, case)
    if kind not in OfferKind.values:
        raise DomainValidationError(_("Choose what you offer."), field="kind")
    if kind == OfferKind.REFUSAL:
        message = _require_text(message, "message")
    with transaction.atomic():
        order, case = _locked(case)
        now = clock.now()
        if case.status == CaseStatus.AWAITING_SELLER and now > case.seller_due_at:
            raise Conflict(
                _("The time to answer ended on %(when)s; the case can now be escalated.")
                % {"when": format_moment(case.seller_due_at)}
            )
        money = _offer_amount(order, kind, amount)
        offer = CaseOffer.objects.create(
            case=case,
            kind=kind,
            amount_minor=money.amount if money else None,
            currency=money.currency if money else "",
            message=message,
            evidence_note=evidence_note,
            made_by=actor.user,
            made_at=now,
        )
        transition(case, to=CaseStatus.OFFER_MADE, actor=actor, payload={"offer_id": offer.pk, "kind": kind})
        _touch(case, now=now, policy=policy_current())
        # The webhook, the line in the conversation, the buyer's notice and the live pushes follow after commit.
        webhook = (
            "case.offer_made",
            f"case-{case.pk}-offer-{offer.pk}-made",
            {
                "offer_id": offer.pk,
                "offer": kind,
                "amount_minor": offer.amount_minor,
                "currency": offer.currency or order.currency,
                "message": message,
                "evidence_note": evidence_note,
                "made_at": now,
            },
        )
        case_fanout_put(case, "case.offer_made", actor=actor, webhook=webhook, offer=kind)
        return offer


def _pending_offer(case: Case) -> CaseOffer:
    offer = CaseOffer.objects.select_for_update().filter(case=case, status=OfferStatus.PENDING).first()
    if offer is None:
        raise TransitionNotAllowed(_("There is no offer waiting for an answer."))
    return offer


def _offer_answer(*, actor: Actor, case: Case, accept: bool) -> CaseOffer:
    _require_role(actor, (Role.BUYER,))
    _require_visible(actor, case)
    with transaction.atomic():
        _order, case = _locked(case)
        if case.status != CaseStatus.OFFER_MADE:
            raise TransitionNotAllowed(_("There is no offer waiting for an answer."))
        offer = _pending_offer(case)
        now = clock.now()
        offer.answered_at = now
        answer = OfferStatus.ACCEPTED if accept else OfferStatus.DECLINED
        transition(offer, to=answer, actor=actor, fields=["answered_at"])
        target = CaseStatus.RESOLVED if accept else CaseStatus.DECLINED
        transition(case, to=target, actor=actor, payload={"offer_id": offer.pk})
        if accept:
            webhook = _offer_settle(case, offer, actor=actor)
        else:
            webhook = ("case.offer_declined", f"case-{case.pk}-offer-{offer.pk}-declined", {"offer_id": offer.pk})
        _touch(case, now=now, policy=policy_current())
        # The webhook, the line in the conversation, the seller's notice and the live pushes follow after commit.
        case_fanout_put(case, "case.offer_accepted" if accept else "case.offer_declined", actor=actor, webhook=webhook)
        return offer


def _offer_settle(case: Case, offer: CaseOffer, *, actor: Actor) -> tuple[str, str, dict[str, Any]]:
    """An accepted refund offer is the seller's refund: one ledger entry; return the webhook that tells the marketplace."""
    key = f"case-{case.pk}-offer-{offer.pk}"
    paid_now = offer.amount if offer.kind in (OfferKind.FULL_REFUND, OfferKind.PARTIAL_REFUND) else None
    if paid_now is not None:
        ledger_record_decision(
            decision_key=key,
            order=case.order,
            case_id=case.pk,
            entries=[EntrySpec(kind="refund", payer=Payer.SELLER, amount=paid_now, reason=case.case_type)],
            actor=actor,
        )
    # A replacement, or a return before the refund, is the seller's to carry out; the marketplace follows it.
    data = {
        "offer": offer.kind,
        "amount_minor": offer.amount_minor or 0,
        "currency": offer.currency or case.order.currency,
        "payer": Payer.SELLER,
    }
    return "case.resolved", key, data


def case_offer_accept(*, actor: Actor, case: Case) -> CaseOffer:
    """Accept the seller's pending offer: the case is resolved."""
    return _offer_answer(actor=actor, case=case, accept=True)


def case_offer_decline(*, actor: Actor, case: Case) -> CaseOffer:
    """Decline the seller's pending offer: either party may now escalate."""
    return _offer_answer(actor=actor, case=case, accept=False)


def case_escalate(*, actor: Actor, case: Case) -> Case:
    """Bring the platform in: after a declined offer, or once the seller's deadline passed without an offer."""
    _require_role(actor, (Role.BUYER, Role.SELLER))
    _require_visible(actor, case)
    with transaction.atomic():
        _order, case = _locked(case)
        now = clock.now()
        if case.status == CaseStatus.AWAITING_SELLER and now <= case.seller_due_at:
            raise Conflict(
                _("The seller has until %(when)s to answer; you can escalate after that.")
                % {"when": format_moment(case.seller_due_at)}
            )
        _escalate(case, actor=actor, now=now, policy=policy_current())
        return case


def _escalate(case: Case, *, actor: Actor, now: dt.datetime, policy: Policy, **payload: Any) -> None:
    """Move the (locked) case to the platform: the decision's deadline runs from now."""
    transition(case, to=CaseStatus.ESCALATED, actor=actor, payload=payload or None)
    case.escalated_at = now
    case.escalated_by_role = actor.role
    case.decision_due_at = due_at(now, calendar_hours=policy.decision_target_hours)
    case.expires_at = None
    case.save(update_fields=["escalated_at", "escalated_by_role", "decision_due_at", "expires_at"])
    _touch(case, now=now, policy=policy)
    case_webhook(case, "case.escalated", f"case-{case.pk}-escalated", decision_due_at=case.decision_due_at)
    thread_operators_join(order=case.order)
    case_thread_note(case, "case.escalated", actor=actor)


def case_withdraw(*, actor: Actor, case: Case) -> Case:
    """Withdraw the buyer's case before a decision."""
    _require_role(actor, (Role.BUYER,))
    _require_visible(actor, case)
    with transaction.atomic():
        _order, case = _locked(case)
        now = clock.now()
        transition(case, to=CaseStatus.WITHDRAWN, actor=actor)
        _pending_offers_withdraw(case, now=now, actor=actor)
        case_webhook(case, "case.withdrawn", f"case-{case.pk}-withdrawn", withdrawn_at=now)
        _touch(case, now=now, policy=policy_current())
        case_thread_note(case, "case.withdrawn", actor=actor)
        return case


# Evidence while the case is undecided


EVIDENCE_STATUSES = (
    CaseStatus.AWAITING_SELLER,
    CaseStatus.OFFER_MADE,
    CaseStatus.DECLINED,
    CaseStatus.ESCALATED,
    CaseStatus.UNDER_REVIEW,
    CaseStatus.AWAITING_INFO,
    CaseStatus.APPEALED,
)
MAX_STATEMENT_LENGTH = 5000


def _statement(value: str, field: str) -> str:
    return text_checked(value, field, required=True, limit=MAX_STATEMENT_LENGTH)


def case_evidence_add(*, actor: Actor, case: Case, text: str, attachment_ids: Sequence[int] = ()) -> CaseEvidence:
    """Add a party's statement, photos or video to its side of the case, until the case is decided."""
    _require_role(actor, (Role.BUYER, Role.SELLER))
    _require_visible(actor, case)
    # Files alone are evidence enough; without files the statement is required.
    text = _statement(text, "text") if (text or "").strip() or not attachment_ids else ""
    with transaction.atomic():
        _order, case = _locked(case)
        if case.status not in EVIDENCE_STATUSES:
            raise TransitionNotAllowed(
                _("Evidence can no longer be added: the case is %(status)s.")
                % {"status": CaseStatus(case.status).label.lower()}
            )
        now = clock.now()
        evidence = CaseEvidence.objects.create(
            case=case, party=actor.role, author=_user(actor), text=text, added_at=now
        )
        if attachment_ids:
            # Only the author's own, unattached uploads, within the policy's count (else nothing is added).
            attachments_claim(actor=actor, ids=attachment_ids, owner=evidence)
        events.evidence_added(case=case, actor=actor, evidence_id=evidence.pk, party=actor.role)
        case_webhook(
            case,
            "case.evidence_added",
            f"case-{case.pk}-evidence-{evidence.pk}",
            evidence_id=evidence.pk,
            party=actor.role,
            text=text,
            attachments=[int(pk) for pk in attachment_ids],
            added_at=now,
        )
        _touch(case, now=now, policy=policy_current())
        # The other side hears of it; both sides' open pages show it.
        case_tell(
            case,
            "case.evidence_added",
            actor_id=actor.user.pk if actor.user is not None else None,
            to_buyer=actor.role == Role.SELLER,
            to_seller=actor.role == Role.BUYER,
        )
        return evidence


def case_note_add(*, actor: Actor, case: Case, body: str) -> CaseNote:
    """Add an operator's internal note; parties never see it."""
    _require_role(actor, STAFF)
    _require_visible(actor, case)
    body = _statement(body, "body")
    with transaction.atomic():
        _order, case = _locked(case)
        note = CaseNote.objects.create(case=case, author=_user(actor), body=body, added_at=clock.now())
        events.note_added(case=case, actor=actor, note_id=note.pk)
        audit_record(actor=actor, action="case.note_added", obj=case, after={"note_id": note.pk, "body": body})
        return note


# The platform


def case_review_start(*, actor: Actor, case: Case) -> Case:
    """Take an escalated case into review."""
    _require_role(actor, STAFF)
    _require_visible(actor, case)
    with transaction.atomic():
        _order, case = _locked(case)
        transition(case, to=CaseStatus.UNDER_REVIEW, actor=actor)
        audit_record(actor=actor, action="case.review_started", obj=case, after={"status": case.status})
        _touch(case, now=clock.now(), policy=policy_current())
        return case


def case_info_request(*, actor: Actor, case: Case, party: str, question: str) -> InfoRequest:
    """Ask the buyer or the seller for information, with the policy's deadline to answer."""
    _require_role(actor, STAFF)
    _require_visible(actor, case)
    if party not in Party.values:
        raise DomainValidationError(_("Ask the buyer or the seller."), field="party")
    question = _require_text(question, "question")
    with transaction.atomic():
        _order, case = _locked(case)
        now = clock.now()
        policy = policy_current()
        request = InfoRequest.objects.create(
            case=case,
            party=party,
            question=question,
            asked_by=actor.user,
            asked_at=now,
            due_at=due_at(now, calendar_hours=policy.info_request_hours),
        )
        transition(case, to=CaseStatus.AWAITING_INFO, actor=actor, payload={"request_id": request.pk, "party": party})
        audit_record(actor=actor, action="case.info_requested", obj=case, after={"party": party, "question": question})
        case.info_due_at = request.due_at
        case.save(update_fields=["info_due_at"])
        case_webhook(
            case,
            "case.info_requested",
            f"case-{case.pk}-question-{request.pk}",
            question_id=request.pk,
            party=party,
            question=question,
            due_at=request.due_at,
        )
        _touch(case, now=now, policy=policy)
        case_thread_note(case, "case.info_requested", actor=actor, party=party)
        return request


def case_info_provide(*, actor: Actor, case: Case, answer: str) -> InfoRequest:
    """Answer the operator's question (only the party that was asked)."""
    _require_role(actor, (Role.BUYER, Role.SELLER))
    _require_visible(actor, case)
    answer = _require_text(answer, "answer")
    with transaction.atomic():
        _order, case = _locked(case)
        request = (
            InfoRequest.objects.select_for_update()
            .filter(case=case, answered_at__isnull=True)
            .order_by("-asked_at", "-id")
            .first()
        )
        if case.status != CaseStatus.AWAITING_INFO or request is None:
            raise TransitionNotAllowed(_("No question is waiting for an answer."))
        if request.party != actor.role:
            raise PermissionDenied(_("The operator asked the other party."))
        now = clock.now()
        request.answer = answer
        request.answered_at = now
        request.save(update_fields=["answer", "answered_at"])
        transition(case, to=CaseStatus.UNDER_REVIEW, actor=actor, payload={"request_id": request.pk})
        case_webhook(
            case,
            "case.info_provided",
            f"case-{case.pk}-question-{request.pk}-answered",
            question_id=request.pk,
            party=request.party,
            answer=answer,
            answered_at=now,
        )
        case.info_due_at = None
        fields = ["info_due_at"]
        if case.decision_due_at is not None:
            # Waiting for the party paused the operator's clock: its deadline moves by the wait.
            case.decision_due_at += now - request.asked_at
            fields.append("decision_due_at")
        case.save(update_fields=fields)
        _touch(case, now=now, policy=policy_current())
        return request


def _decision_amount(
    order: Order, *, outcome: str, payer: str, amount: Money | None, already_refunded: int, is_appeal: bool
) -> tuple[Money, Money]:
    """Return the refund the decision stands for on this case, and what of it is paid now.

    A first decision pays its whole refund. An appeal decision states the case's refund in
    total: upholding a refund pays nothing more, raising it pays the difference.
    """
    zero = Money.zero(order.currency)
    if outcome not in DecisionOutcome.values:
        raise DomainValidationError(_("Choose an outcome."), field="outcome")
    if payer not in Payer.values:
        raise DomainValidationError(_("Choose who pays."), field="payer")
    if outcome not in REFUND_OUTCOMES:
        if amount is not None and amount.amount != 0:
            raise DomainValidationError(_("Only a refund decision has an amount."), field="amount")
        return zero, zero
    if payer == Payer.NONE:
        raise DomainValidationError(_("A refund is paid by the seller or the platform."), field="payer")
    counted = already_refunded if is_appeal else 0
    if amount is None:
        if outcome == DecisionOutcome.BUYER_PARTIAL_REFUND:
            raise DomainValidationError(_("Say how much is refunded."), field="amount")
        amount = Money(order.total_minor - (0 if is_appeal else already_refunded), order.currency)
    _check_amount(order, amount, limit=order.total_minor - already_refunded + counted)
    if amount.amount < counted:
        raise DomainValidationError(
            _("The first decision already refunded %(paid)s; an appeal decision can keep or raise it, not lower it.")
            % {"paid": Money(counted, order.currency).format()},
            field="amount",
        )
    return amount, Money(amount.amount - counted, order.currency)


def _decision_record(
    *,
    actor: Actor,
    case: Case,
    is_appeal: bool,
    outcome: str,
    payer: str,
    amount: Money | None,
    reason_code: str,
    rationale: str,
) -> Decision:
    """Validate, store the decision, move the case, record the money and tell the marketplace."""
    order = case.order
    earlier = list(Decision.objects.filter(case=case))
    money, paid_now = _decision_amount(
        order,
        outcome=outcome,
        payer=payer,
        amount=amount,
        already_refunded=sum(d.amount_minor for d in earlier if d.outcome in REFUND_OUTCOMES),
        is_appeal=is_appeal,
    )
    if reason_code not in DecisionReason.values:
        raise DomainValidationError(_("Choose a reason code from the list."), field="reason_code")
    rationale = _require_text(rationale, "rationale")
    policy = policy_current()
    now = clock.now()
    decision = Decision.objects.create(
        case=case,
        is_appeal=is_appeal,
        outcome=outcome,
        payer=payer,
        amount_minor=money.amount,
        currency=money.currency,
        reason_code=reason_code,
        rationale=rationale,
        policy_version=policy.version,
        decided_by=_user(actor),
        decided_at=now,
    )
    history_index_case(case)
    audit_record(
        actor=actor,
        action="case.decided",
        obj=case,
        before={"status": case.status},
        after={
            "decision_id": decision.pk,
            "outcome": outcome,
            "payer": payer,
            "amount": money.amount,
            "appeal": is_appeal,
        },
    )
    target = CaseStatus.DECIDED_ON_APPEAL if is_appeal else CaseStatus.DECIDED
    transition(case, to=target, actor=actor, payload={"decision_id": decision.pk, "outcome": outcome})
    case.decision_due_at = None
    case.info_due_at = None
    fields = ["decision_due_at", "info_due_at"]
    if not is_appeal:
        case.appeal_due_at = appeal_window_closes(now, calendar=_calendar(order), policy=policy)
        fields.append("appeal_due_at")
    case.save(update_fields=fields)
    _touch(case, now=now, policy=policy)
    key = f"case-{case.pk}-{'appeal-decision' if is_appeal else 'decision'}"
    if paid_now.amount:
        ledger_record_decision(
            decision_key=key,
            order=order,
            case_id=case.pk,
            entries=[EntrySpec(kind="refund", payer=payer, amount=paid_now, reason=case.case_type)],
            actor=actor,
        )
    case_webhook(
        case,
        "case.decided",
        key,
        appeal=is_appeal,
        outcome=outcome,
        payer=payer,
        amount_minor=money.amount,
        paid_now_minor=paid_now.amount,
        currency=money.currency,
        reason_code=reason_code,
        rationale=rationale,
        policy_version=decision.policy_version,
        decided_at=now,
    )
    case_thread_note(case, "case.appeal_decided" if is_appeal else "case.decided", actor=actor, outcome=outcome)
    return decision


def _already_decided(decision: Decision) -> AlreadyDecided:
    return AlreadyDecided(
        _("%(name)s already decided this case on %(when)s.")
        % {"name": decision.decided_by.name, "when": format_moment(decision.decided_at)},
        decided_by=decision.decided_by.name,
    )


def _decide(*, actor: Actor, case: Case, is_appeal: bool, terms: dict[str, Any]) -> Decision:
    """Lock, refuse a repeat naming who decided, check the stage, then record the decision."""
    _require_role(actor, STAFF)
    _require_visible(actor, case)
    with transaction.atomic():
        _order, case = _locked(case)
        decisions = {d.is_appeal: d for d in Decision.objects.select_related("decided_by").filter(case=case)}
        if is_appeal in decisions:
            raise _already_decided(decisions[is_appeal])
        if not is_appeal and case.status not in (CaseStatus.UNDER_REVIEW, CaseStatus.AWAITING_INFO):
            raise TransitionNotAllowed(
                _("This case cannot be decided now: its status is %(status)s.")
                % {"status": CaseStatus(case.status).label}
            )
        if is_appeal:
            if case.status != CaseStatus.APPEALED or False not in decisions:
                raise TransitionNotAllowed(_("Only an appealed case gets an appeal decision."))
            if decisions[False].decided_by_id == _user(actor).pk:
                raise PermissionDenied(_("An appeal is decided by another operator than the first decision."))
        return _decision_record(actor=actor, case=case, is_appeal=is_appeal, **terms)


def case_decide(
    *,
    actor: Actor,
    case: Case,
    outcome: str,
    payer: str,
    amount: Money | None = None,
    reason_code: str,
    rationale: str,
) -> Decision:
    """Decide a case under review: record the outcome, the policy version and any refund, once."""
    terms = {"outcome": outcome, "payer": payer, "amount": amount, "reason_code": reason_code, "rationale": rationale}
    return _decide(actor=actor, case=case, is_appeal=False, terms=terms)


def case_appeal(*, actor: Actor, case: Case, reason: str, new_information: str) -> Appeal:
    """Appeal the decision once, within the policy's window, with new information."""
    _require_role(actor, (Role.BUYER, Role.SELLER))
    _require_visible(actor, case)
    reason = _require_text(reason, "reason")
    new_information = _require_text(new_information, "new_information")
    with transaction.atomic():
        order, case = _locked(case)
        if Appeal.objects.filter(case=case).exists():
            raise Conflict(_("This case was already appealed; a case is appealed only once."))
        first = Decision.objects.filter(case=case, is_appeal=False).first()
        if first is None or case.status != CaseStatus.DECIDED:
            raise TransitionNotAllowed(_("Only a decided case can be appealed."))
        now = clock.now()
        policy = policy_current()
        closes = case_appeal_closes(case, first.decided_at, calendar=_calendar(order))
        if now > closes:
            raise Conflict(_("The time to appeal ended on %(when)s.") % {"when": format_moment(closes)})
        appeal = Appeal.objects.create(
            case=case,
            party=actor.role,
            filed_by=_user(actor),
            reason=reason,
            new_information=new_information,
            filed_at=now,
        )
        transition(case, to=CaseStatus.APPEALED, actor=actor, payload={"appeal_id": appeal.pk})
        case_webhook(
            case,
            "case.appealed",
            f"case-{case.pk}-appealed",
            party=appeal.party,
            reason=reason,
            new_information=new_information,
            filed_at=now,
        )
        case_thread_note(case, "case.appealed", actor=actor)
        case.decision_due_at = due_at(now, calendar_hours=policy.decision_target_hours)
        case.save(update_fields=["decision_due_at"])
        _touch(case, now=now, policy=policy)
        return appeal


def case_appeal_decide(
    *,
    actor: Actor,
    case: Case,
    outcome: str,
    payer: str,
    amount: Money | None = None,
    reason_code: str,
    rationale: str,
) -> Decision:
    """Decide an appeal; an operator other than the one who made the first decision decides it."""
    terms = {"outcome": outcome, "payer": payer, "amount": amount, "reason_code": reason_code, "rationale": rationale}
    return _decide(actor=actor, case=case, is_appeal=True, terms=terms)


def case_close(*, actor: Actor, case: Case) -> Case:
    """Close a finished case: an accepted offer, or a decision whose appeal window is over."""
    _require_role(actor, (Role.SYSTEM, *STAFF))
    _require_visible(actor, case)
    return _close(actor=actor, case=case, now=clock.now())


def _close(*, actor: Actor, case: Case, now: dt.datetime) -> Case:
    with transaction.atomic():
        order, case = _locked(case)
        if case.status == CaseStatus.DECIDED:
            first = Decision.objects.get(case=case, is_appeal=False)
            closes = case_appeal_closes(case, first.decided_at, calendar=_calendar(order))
            if now <= closes:
                raise Conflict(
                    _("The decision can be appealed until %(when)s; close it after that.")
                    % {"when": format_moment(closes)}
                )
        before = case.status
        transition(case, to=CaseStatus.CLOSED, actor=actor)
        if actor.role in STAFF:
            audit_record(
                actor=actor, action="case.closed", obj=case, before={"status": before}, after={"status": case.status}
            )
        return case


# Scheduled


def cases_expire_idle(*, now: dt.datetime | None = None) -> int:
    """Expire cases idle before escalation for the policy's business days; return how many."""
    now = now or clock.now()
    due = Case.objects.filter(status__in=BEFORE_ESCALATION, expires_at__lte=now).order_by("expires_at", "id")
    expired = 0
    for case_id in due.values_list("id", flat=True):
        with transaction.atomic():
            _order, case = _locked(Case.objects.get(pk=case_id))
            # Activity may have come in since the list was read.
            if case.status not in BEFORE_ESCALATION or case.expires_at is None or case.expires_at > now:
                continue
            transition(
                case,
                to=CaseStatus.EXPIRED,
                actor=Actor.system(),
                payload={"idle_since": case.last_activity_at.isoformat()},
            )
            _pending_offers_withdraw(case, now=now, actor=Actor.system())
            expired += 1
    return expired


def cases_escalate_for_suspended_sellers(*, now: dt.datetime | None = None) -> int:
    """Take to support every case still waiting for a seller whose suspension is in force; return how many.

    A case opened after the suspension took effect went to support at once (``case_open``); this catches
    those opened before it, once the effective date comes.
    """
    now = now or clock.now()
    suspended = suspended_shop_ids(now=now)
    waiting = Case.objects.filter(status=CaseStatus.AWAITING_SELLER, shop_id__in=suspended).order_by("seller_due_at")
    escalated = 0
    for case_id in waiting.values_list("id", flat=True):
        with transaction.atomic():
            _order, case = _locked(Case.objects.get(pk=case_id))
            suspension = suspension_in_force(case.shop_id, now=now)
            # The seller may have answered, or the suspension ended, since the list was read.
            if case.status != CaseStatus.AWAITING_SELLER or suspension is None:
                continue
            _escalate(case, actor=Actor.system(), now=now, policy=policy_current(), suspension_id=suspension.pk)
            escalated += 1
    return escalated


def cases_close_finished(*, now: dt.datetime | None = None) -> int:
    """Close accepted offers, appeal decisions, and decisions whose appeal window is over; return how many."""
    now = now or clock.now()
    # A day of slack for calendar days across a clock change; _close checks the exact moment.
    decided_before = now - dt.timedelta(days=policy_current().appeal_window_days - 1)
    candidates = (
        Case.objects.filter(
            Q(status__in=(CaseStatus.RESOLVED, CaseStatus.DECIDED_ON_APPEAL))
            | Q(status=CaseStatus.DECIDED, decisions__is_appeal=False, decisions__decided_at__lte=decided_before)
        )
        .order_by("id")
        .distinct()
    )
    closed = 0
    for case in candidates:
        try:
            _close(actor=Actor.system(), case=case, now=now)
        except Conflict:
            continue  # still within its appeal window, or changed meanwhile
        closed += 1
    return closed
