"""The parties' case pages: a buyer's or seller's list of cases, one case, and what they can do on it.

Every action is a POST that runs one service through ``actions.run_action``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from marketdesk.cases.forms import AnswerForm, AppealForm, EvidenceForm, OfferForm
from marketdesk.cases.models import Case
from marketdesk.cases.presenters import case_view, escalation_opens_at
from marketdesk.cases.selectors import cases_for_party
from marketdesk.cases.services.decisions import case_appeal
from marketdesk.cases.services.evidence import EVIDENCE_STATUSES, case_evidence_add
from marketdesk.cases.services.offers import (
    case_escalate,
    case_offer_accept,
    case_offer_decline,
    case_offer_make,
    case_withdraw,
)
from marketdesk.cases.services.review import case_info_provide
from marketdesk.cases.states import CASE_TRANSITIONS, CaseStatus
from marketdesk.cases.views.actions import case_for
from marketdesk.core.actors import Actor, Role
from marketdesk.disputes.views import party_list_page
from marketdesk.orders.situation import order_situations
from marketdesk.web.actions import Action, run_action
from marketdesk.web.permissions import actor_of, role_required

PARTIES = (Role.BUYER, Role.SELLER)


def _offer(actor: Actor, case: Case, data: dict[str, Any]) -> object:
    return case_offer_make(
        actor=actor,
        case=case,
        kind=data["kind"],
        amount=data["amount"],
        message=data["message"],
        evidence_note=data["evidence_note"],
    )


ACTIONS: dict[str, Action[Case]] = {
    "accept": Action(
        (Role.BUYER,), None, lambda a, c, d: case_offer_accept(actor=a, case=c), _("You accepted the offer.")
    ),
    "decline": Action(
        (Role.BUYER,), None, lambda a, c, d: case_offer_decline(actor=a, case=c), _("You declined the offer.")
    ),
    "escalate": Action(
        PARTIES,
        None,
        lambda a, c, d: case_escalate(actor=a, case=c),
        _("The case is escalated: the platform will decide."),
    ),
    "withdraw": Action(
        (Role.BUYER,), None, lambda a, c, d: case_withdraw(actor=a, case=c), _("You withdrew the case.")
    ),
    "offer": Action((Role.SELLER,), OfferForm, _offer, _("Your answer was sent to the buyer.")),
    "answer": Action(
        PARTIES,
        AnswerForm,
        lambda a, c, d: case_info_provide(actor=a, case=c, answer=d["answer"]),
        _("Your answer was sent to support."),
    ),
    "evidence": Action(
        PARTIES,
        EvidenceForm,
        lambda a, c, d: case_evidence_add(actor=a, case=c, text=d["text"], attachment_ids=d["attachment_ids"]),
        _("Added to your side of the case."),
    ),
    "appeal": Action(
        PARTIES,
        AppealForm,
        lambda a, c, d: case_appeal(actor=a, case=c, reason=d["reason"], new_information=d["new_information"]),
        _("Your appeal was filed: another member of support will decide it."),
    ),
}


def _form(action: str, case: Case, data: Any = None) -> forms.Form:
    form_class = ACTIONS[action].form
    assert form_class is not None  # noqa: S101 - only actions with a form are built
    if issubclass(form_class, OfferForm):
        return form_class(data, currency=case.order.currency, prefix=action)
    return form_class(data, prefix=action)


def _page(
    request: HttpRequest, case: Case, *, bound: dict[str, forms.Form] | None = None, error: str = "", status: int = 200
) -> HttpResponse:
    actor = actor_of(request)
    view = case_view(actor, case)
    page_forms = {
        name: _form(name, case) for name, action in ACTIONS.items() if action.form and actor.role in action.roles
    }
    page_forms.update(bound or {})
    context = {
        "view": view,
        "case": case,
        "dispute": case,
        "role": actor.role,
        "forms": page_forms,
        "error": error,
        "escalation_opens_at": escalation_opens_at(case),
        "can_withdraw": CaseStatus.WITHDRAWN in CASE_TRANSITIONS.targets(case.status, actor.role),
        "can_escalate": case.status in (CaseStatus.AWAITING_SELLER, CaseStatus.DECLINED),
        "question_for_me": view.question is not None and view.question.party == actor.role,
        "can_offer": actor.role == Role.SELLER and case.status in (CaseStatus.AWAITING_SELLER, CaseStatus.DECLINED),
        "can_add_evidence": case.status in EVIDENCE_STATUSES,
        "can_appeal": view.appeal is None and case.status == CaseStatus.DECIDED,
    }
    return render(request, "cases/case_page.html", context, status=status)


@require_GET
@role_required(*PARTIES, Role.OPERATOR, Role.ADMIN, object_page=True)
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A party's case: status, what happens next, deadlines, both sides, the decision and the actions."""
    case = case_for(request, pk)
    if actor_of(request).role in (Role.OPERATOR, Role.ADMIN):
        return redirect("cases:workspace", pk=case.pk)
    return _page(request, case)


@require_POST
@role_required(*PARTIES, object_page=True)
def case_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Run one party action on the case (see ACTIONS)."""
    return run_action(
        request, pk, name=action, actions=ACTIONS, load=case_for, bind=_form, page=_page, done_url="cases:case_detail"
    )


@require_GET
@role_required(*PARTIES)
def case_list(request: HttpRequest) -> HttpResponse:
    """A buyer's or seller's cases: those waiting for them first, by deadline."""
    actor = actor_of(request)
    page, status = party_list_page(request, actor, statuses=CaseStatus, rows=cases_for_party)
    cases = list(page.object_list)
    # Each case's deadline as its order's situation tells it, read for the whole page at once.
    situations = order_situations({case.order_id: case.order for case in cases}.values())
    context = {
        "page": page,
        "cases": cases,
        "case_clocks": {case.pk: situations[case.order_id].case_clock(case) for case in cases},
        "status": status,
        "statuses": CaseStatus.choices,
        "role": actor.role,
    }
    return render(request, "cases/case_list.html", context)
