"""The platform's review: start it, ask a party for information, receive the answer."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from marketdesk.cases.fanout import case_thread_note, case_webhook
from marketdesk.cases.models import Case, InfoRequest, Party
from marketdesk.cases.services.common import STAFF, _locked, _require_role, _require_text, _require_visible, _touch
from marketdesk.cases.states import CaseStatus
from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.audit import audit_record
from marketdesk.core.calendar import due_at
from marketdesk.core.errors import DomainValidationError, PermissionDenied, TransitionNotAllowed
from marketdesk.core.policies import policy_current
from marketdesk.core.transitions import transition


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
