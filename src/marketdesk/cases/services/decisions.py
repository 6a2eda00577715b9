"""The platform decides, a party appeals, the appeal is decided, the case is closed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from marketdesk.cases.eligibility import appeal_window_closes, case_appeal_closes, format_moment
from marketdesk.cases.fanout import case_thread_note, case_webhook
from marketdesk.cases.history_index import history_index_case
from marketdesk.cases.models import REFUND_OUTCOMES, Appeal, Case, Decision, DecisionOutcome, DecisionReason, Payer
from marketdesk.cases.services.common import (
    STAFF,
    _calendar,
    _locked,
    _require_role,
    _require_text,
    _require_visible,
    _touch,
    _user,
)
from marketdesk.cases.services.offers import _check_amount
from marketdesk.cases.states import CaseStatus
from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.audit import audit_record
from marketdesk.core.calendar import due_at
from marketdesk.core.errors import Conflict, DomainValidationError, PermissionDenied, TransitionNotAllowed
from marketdesk.core.money import Money
from marketdesk.core.policies import policy_current
from marketdesk.core.transitions import transition
from marketdesk.ledger.services import EntrySpec, ledger_record_decision
from marketdesk.orders.models import Order


class AlreadyDecided(Conflict):
    code = "already_decided"


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
