"""The operators' risk actions and the buyer-restriction pages.

Operators: recompute a case's buyer and seller now (the periodic job does it daily); restrict a case's buyer
from the workspace's risk panel; the list of restrictions (appeals waiting first) and a page per restriction
to decide its appeal or lift it. The buyer: their restriction with its notice, and the one appeal.
Thin: each page reads through a selector; each action parses one form, calls one service and maps a
``DomainError`` to the page at its 4xx status. Another party's restriction is a 404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from marketdesk.cases.models import Case
from marketdesk.cases.selectors import case_get_for_actor
from marketdesk.core.actors import Role
from marketdesk.core.errors import DomainError, NotFound
from marketdesk.core.formatting import format_moment
from marketdesk.risk import selectors
from marketdesk.risk.forms import AppealDecisionForm, AppealForm, RestrictForm
from marketdesk.risk.models import BuyerRestriction
from marketdesk.risk.services import (
    buyer_restrict,
    buyer_restriction_appeal,
    buyer_restriction_appeal_decide,
    buyer_restriction_lift,
    risk_recompute,
)
from marketdesk.risk.states import BINDING_STATUSES, RestrictionStatus
from marketdesk.web.permissions import actor_of, role_required

STAFF = (Role.OPERATOR, Role.ADMIN)
STATUS_TONES: dict[str, str] = {
    RestrictionStatus.ACTIVE: "warning",
    RestrictionStatus.APPEALED: "info",
    RestrictionStatus.REVOKED: "muted",
    RestrictionStatus.LIFTED: "muted",
}


def _or_404[T](read: Callable[[], T]) -> T:
    try:
        return read()
    except NotFound as exc:
        raise Http404 from exc


def _case(request: HttpRequest, pk: int) -> Case:
    return _or_404(lambda: case_get_for_actor(actor_of(request), pk=pk))


def _restriction(request: HttpRequest, pk: int) -> BuyerRestriction:
    return _or_404(lambda: selectors.buyer_restriction_get_for_actor(actor_of(request), pk=pk))


def _failed(form: forms.Form, exc: DomainError) -> str:
    """Put the refusal beside the field it names; return it for above the form when it names none."""
    if exc.field and exc.field in form.fields:
        form.add_error(exc.field, str(exc.message))
        return ""
    return str(exc.message)


def restriction_facts(row: BuyerRestriction) -> dict[str, Any]:
    """What a restriction's pages say of it: status badge, since when, and what it means while it binds."""
    binding = row.status in BINDING_STATUSES
    return {
        "restriction": row,
        "status_label": RestrictionStatus(row.status).label,
        "status_tone": STATUS_TONES.get(row.status, "neutral"),
        "binding": binding,
        "effective": format_moment(row.effective_at),
        "ended": format_moment(row.ended_at) if row.ended_at else "",
    }


@require_POST
@role_required(*STAFF, object_page=True)
def case_risk_recompute(request: HttpRequest, pk: int) -> HttpResponse:
    """Recompute the signals of the case's buyer and shop, then show the workspace again."""
    actor = actor_of(request)
    case = _case(request, pk)
    risk_recompute(actor=actor, buyer_id=case.buyer_id)
    risk_recompute(actor=actor, shop_id=case.shop_id)
    return redirect("cases:workspace", pk)


# Operators


@require_http_methods(["GET", "POST"])
@role_required(*STAFF, object_page=True)
def case_restrict(request: HttpRequest, pk: int) -> HttpResponse:
    """Restrict the protection of the case's buyer with notice (the risk panel's form posts here)."""
    case = _case(request, pk)
    form = RestrictForm(request.POST if request.method == "POST" else None)
    error, status = "", 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                row = buyer_restrict(
                    actor=actor_of(request),
                    buyer=case.buyer,
                    reason=form.cleaned_data["reason"],
                    effective_on=form.cleaned_data["effective_at"],
                )
            except DomainError as exc:
                error, status = _failed(form, exc), exc.status
            else:
                messages.success(request, _("The buyer's protection is restricted and the buyer was told."))
                return redirect("risk:restriction", pk=row.pk)
    context = {"case": case, "form": form, "error": error}
    return render(request, "risk/restriction_new.html", context, status=status)


def _cursor(value: str) -> selectors.Cursor | None:
    rank, _sep, rest = value.partition("_")
    at, _sep, pk = rest.rpartition("_")
    try:
        moment = dt.datetime.fromisoformat(at)
        return (int(rank), moment, int(pk)) if moment.tzinfo is not None else None
    except ValueError:
        return None


@require_GET
@role_required(*STAFF)
def restriction_list(request: HttpRequest) -> HttpResponse:
    """The buyer restrictions of the operator's marketplace: appeals waiting first, then the newest."""
    rows, after = selectors.buyer_restrictions_page(actor_of(request), after=_cursor(request.GET.get("after", "")))
    cursor = f"{after[0]}_{after[1].isoformat()}_{after[2]}" if after else ""
    items = [restriction_facts(row) for row in rows]
    return render(request, "risk/restriction_list.html", {"items": items, "next_cursor": cursor})


def _detail(
    request: HttpRequest,
    row: BuyerRestriction,
    *,
    decide_form: forms.Form | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    user_id = request.user.pk
    context = {
        **restriction_facts(row),
        "decide_form": decide_form or AppealDecisionForm(),
        "applied_by_me": row.applied_by_id == user_id,
        "error": error,
    }
    return render(request, "risk/restriction_detail.html", context, status=status)


@require_GET
@role_required(*STAFF, object_page=True)
def restriction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One buyer restriction for operators: its notice, the appeal, and the decide or lift actions."""
    return _detail(request, _restriction(request, pk))


@require_POST
@role_required(*STAFF, object_page=True)
def restriction_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept or reject the buyer's appeal, with the answer the buyer reads."""
    row = _restriction(request, pk)
    form = AppealDecisionForm(request.POST)
    if not form.is_valid():
        return _detail(request, row, decide_form=form, status=422)
    try:
        buyer_restriction_appeal_decide(
            actor=actor_of(request),
            restriction=row,
            accept=form.cleaned_data["accept"],
            answer=form.cleaned_data["answer"],
        )
    except DomainError as exc:
        return _detail(request, row, decide_form=form, error=_failed(form, exc), status=exc.status)
    messages.success(request, _("The appeal was decided and the buyer was told."))
    return redirect("risk:restriction", pk=row.pk)


@require_POST
@role_required(*STAFF, object_page=True)
def restriction_lift(request: HttpRequest, pk: int) -> HttpResponse:
    """End the restriction now (before anyone appealed it)."""
    row = _restriction(request, pk)
    try:
        buyer_restriction_lift(actor=actor_of(request), restriction=row)
    except DomainError as exc:
        return _detail(request, row, error=str(exc.message), status=exc.status)
    messages.success(request, _("The restriction was lifted and the buyer was told."))
    return redirect("risk:restriction", pk=row.pk)


# The buyer


def _buyer_page(
    request: HttpRequest, row: BuyerRestriction, *, form: forms.Form | None = None, error: str = "", status: int = 200
) -> HttpResponse:
    context = {**restriction_facts(row), "form": form or AppealForm(), "error": error}
    return render(request, "risk/buyer_restriction.html", context, status=status)


@require_GET
@role_required(Role.BUYER, object_page=True)
def buyer_restriction(request: HttpRequest, pk: int) -> HttpResponse:
    """The buyer's own restriction: its notice, effective date, what it means, and the one appeal."""
    return _buyer_page(request, _restriction(request, pk))


@require_POST
@role_required(Role.BUYER, object_page=True)
def buyer_restriction_appeal_post(request: HttpRequest, pk: int) -> HttpResponse:
    """File the buyer's one appeal."""
    row = _restriction(request, pk)
    form = AppealForm(request.POST)
    if not form.is_valid():
        return _buyer_page(request, row, form=form, status=422)
    try:
        buyer_restriction_appeal(actor=actor_of(request), restriction=row, text=form.cleaned_data["text"])
    except DomainError as exc:
        return _buyer_page(request, row, form=form, error=_failed(form, exc), status=exc.status)
    messages.success(request, _("Your appeal was filed. Another operator answers it here and by email."))
    return redirect("risk:buyer_restriction", pk=row.pk)
