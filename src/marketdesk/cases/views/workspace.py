"""The operator's side of cases: the case workspace with its actions (the queue is the console's home).

Same shape as the parties' pages: each action is one service call through ``actions.run_action``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from marketdesk.cases.forms import DecisionForm, InfoRequestForm, NoteForm
from marketdesk.cases.models import DEFAULT_DECISION_REASON, Case, DecisionOutcome, Payer
from marketdesk.cases.presenters import case_view
from marketdesk.cases.rationale import rationale_start
from marketdesk.cases.selectors import case_notes_for_actor
from marketdesk.cases.services.decisions import case_appeal_decide, case_decide
from marketdesk.cases.services.evidence import case_note_add
from marketdesk.cases.services.review import case_info_request, case_review_start
from marketdesk.cases.states import CaseStatus
from marketdesk.cases.views.actions import case_for
from marketdesk.cases.workspace_macros import workspace_macros
from marketdesk.cases.workspace_panels import workspace_panels
from marketdesk.core.actors import Actor, Role
from marketdesk.core.audit import audit_record, request_ip
from marketdesk.core.money import Money
from marketdesk.core.proxies import client_ip
from marketdesk.ledger.selectors import refund_funding_for_case
from marketdesk.messaging.selectors import thread_of_order, thread_page
from marketdesk.orders.models import Order
from marketdesk.web.actions import Action, run_action
from marketdesk.web.permissions import actor_of, role_required
from marketdesk.web.presenters import order_totals

STAFF = (Role.OPERATOR, Role.ADMIN)


def _decide(actor: Actor, case: Case, data: dict[str, Any]) -> object:
    decide = case_appeal_decide if case.status == CaseStatus.APPEALED else case_decide
    return decide(
        actor=actor,
        case=case,
        outcome=data["outcome"],
        payer=data["payer"],
        amount=data["amount"],
        reason_code=data["reason_code"],
        rationale=data["rationale"],
    )


ACTIONS: dict[str, Action[Case]] = {
    "review": Action(
        STAFF, None, lambda a, c, d: case_review_start(actor=a, case=c), _("The case is under your review.")
    ),
    "ask": Action(
        STAFF,
        InfoRequestForm,
        lambda a, c, d: case_info_request(actor=a, case=c, party=d["party"], question=d["question"]),
        _("The question was sent."),
    ),
    "note": Action(STAFF, NoteForm, lambda a, c, d: case_note_add(actor=a, case=c, body=d["body"]), _("Note added.")),
    "decide": Action(STAFF, DecisionForm, _decide, _("The decision was recorded and both parties were told.")),
}


def _rationale_starts(case: Case) -> dict[str, str]:
    """Each outcome's starting text, so the form can swap it while the operator has not edited it."""
    language = (translation.get_language() or "en")[:2]
    amount = Money(case.order.total_minor, case.order.currency)
    return {
        outcome: rationale_start(case=case, outcome=outcome, language=language, amount=amount, payer=Payer.SELLER)
        for outcome in DecisionOutcome.values
    }


def _form(action: str, case: Case, data: Any = None, *, starts: dict[str, str] | None = None) -> forms.Form:
    """Bind an action's form to posted data, or build it blank for the page (the decision from ``starts``)."""
    form_class = ACTIONS[action].form
    assert form_class is not None  # noqa: S101 - only actions with a form are built
    if form_class is DecisionForm:
        # A blank form starts where most cases end: a full refund paid by the seller, with its rationale.
        outcome = DecisionOutcome.BUYER_FULL_REFUND
        initial = None
        if data is None and starts is not None:
            initial = {"outcome": outcome, "payer": Payer.SELLER, "rationale": starts[outcome]}
            # The reason code starts from the kind of case (a parcel that never came: no proof of delivery).
            reason = DEFAULT_DECISION_REASON.get(case.case_type)
            if reason is not None:
                initial["reason_code"] = reason
        return DecisionForm(data, currency=case.order.currency, prefix=action, initial=initial)
    return form_class(data, prefix=action)


def _page(
    request: HttpRequest, case: Case, *, bound: dict[str, forms.Form] | None = None, error: str = "", status: int = 200
) -> HttpResponse:
    actor = actor_of(request)
    view = case_view(actor, case)
    starts = _rationale_starts(case)
    page_forms = {name: _form(name, case, starts=starts) for name, action in ACTIONS.items() if action.form}
    page_forms.update(bound or {})
    order: Order = case.order
    first = next((d for d in view.decisions if not d.is_appeal), None)
    macros = workspace_macros(actor, case)
    thread = thread_of_order(actor, order_id=order.pk)
    context = {
        "view": view,
        "case": case,
        "order": order,
        "totals": order_totals(order),
        "payments": list(order.payments.all()),
        "lines": list(order.lines.all()),
        "notes": list(case_notes_for_actor(actor, case)),
        # Who bears each refund the case recorded (seller, the platform's guarantee, the platform, a carrier claim).
        "funding": refund_funding_for_case(actor, case_id=case.pk),
        "forms": page_forms,
        "error": error,
        "rationale_starts": starts,
        "can_review": case.status == CaseStatus.ESCALATED,
        "can_ask": case.status == CaseStatus.UNDER_REVIEW,
        "can_decide": case.status in (CaseStatus.UNDER_REVIEW, CaseStatus.AWAITING_INFO, CaseStatus.APPEALED),
        "is_appeal": case.status == CaseStatus.APPEALED,
        "first_decider_is_me": first is not None and actor.user is not None and first.decided_by_id == actor.user.pk,
        "assignee": case.assignee,
        "reply_macros": macros.reply,
        "rationale_macros": macros.rationale,
        "buyer_language": case.buyer.language,
        # The order's conversation as support reads it (a flagged message marked, with release and block).
        "thread_page": thread_page(actor, thread) if thread is not None else None,
        # What apps above cases add (the buyer's and seller's risk signals), drawn in the side column.
        "panels": workspace_panels(request, actor, case),
    }
    return render(request, "cases/workspace.html", context, status=status)


@require_GET
@role_required(*STAFF, object_page=True)
def workspace(request: HttpRequest, pk: int) -> HttpResponse:
    """The operator's case workspace: context, both sides, timeline, notes, and the review actions."""
    case = case_for(request, pk)
    # Opening a case shows a buyer's and a seller's personal data: the audit trail records every view.
    with request_ip(client_ip(request)):
        audit_record(actor=actor_of(request), action="case.viewed", obj=case)
    return _page(request, case)


@require_POST
@role_required(*STAFF, object_page=True)
def workspace_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Run one operator action on the case (see ACTIONS)."""
    return run_action(
        request, pk, name=action, actions=ACTIONS, load=case_for, bind=_form, page=_page, done_url="cases:workspace"
    )
