"""The buyer and the seller between themselves: offers and their answers, escalation, withdrawal."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from marketdesk.cases.eligibility import format_moment
from marketdesk.cases.fanout import case_fanout_put, case_thread_note, case_webhook
from marketdesk.cases.models import REFUND_OFFERS, Case, CaseOffer, OfferKind, OfferStatus, Payer
from marketdesk.cases.services.common import (
    _locked,
    _pending_offers_withdraw,
    _require_role,
    _require_text,
    _require_visible,
    _touch,
)
from marketdesk.cases.states import CaseStatus
from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.calendar import due_at
from marketdesk.core.errors import Conflict, DomainValidationError, TransitionNotAllowed
from marketdesk.core.money import Money
from marketdesk.core.policies import Policy, policy_current
from marketdesk.core.transitions import transition
from marketdesk.ledger.services import EntrySpec, ledger_record_decision
from marketdesk.messaging.services import thread_operators_join
from marketdesk.orders.models import Order


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
        # So does the release of the payout hold, keeping an accepted refund.
        case_fanout_put(
            case,
            "case.offer_accepted" if accept else "case.offer_declined",
            actor=actor,
            webhook=webhook,
            release_offer=offer.pk if accept else None,
        )
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
