"""The return pages: the buyer's request form, each party's list and return page, labels, and the seller's actions.

Every action is a POST that runs one service; a refusal re-renders the page with
the reason at the service's 4xx status and changes nothing, success redirects
back (post/redirect/get), so a reload never submits twice.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from marketdesk.core.actors import Actor, Role
from marketdesk.core.errors import DomainError, NotFound
from marketdesk.core.policies import policy_at, policy_current
from marketdesk.disputes.views import party_list_page
from marketdesk.orders.models import Order
from marketdesk.orders.selectors import order_get_for_actor
from marketdesk.orders.situation import order_situation
from marketdesk.returns.economics import postage_by_reason, restocking_fee_terms
from marketdesk.returns.forms import (
    InspectForm,
    ReceiveForm,
    RefuseForm,
    ReplacementForm,
    ReturnRequestForm,
    ShippedForm,
)
from marketdesk.returns.labels import return_label_for_actor
from marketdesk.returns.models import SELLER_FAULT_REASONS, Return
from marketdesk.returns.presenters import return_view
from marketdesk.returns.selectors import return_get_for_actor, returns_for_party
from marketdesk.returns.services.approval import return_approve, return_cancel, return_escalate, return_refuse
from marketdesk.returns.services.inspection import (
    LineInspection,
    accepted_amount,
    return_inspect,
    return_refund_take,
    return_replacement_ship,
)
from marketdesk.returns.services.receipt import return_mark_shipped, return_receive
from marketdesk.returns.services.requesting import return_request
from marketdesk.returns.states import LABEL_STATUSES, RETURN_TRANSITIONS, ReturnStatus
from marketdesk.web.actions import Action, run_action
from marketdesk.web.permissions import actor_of, role_required

PARTIES = (Role.BUYER, Role.SELLER)
SELLER_SIDE = (Role.SELLER, Role.OPERATOR, Role.ADMIN)


def _return_for(request: HttpRequest, pk: int) -> Return:
    try:
        return return_get_for_actor(actor_of(request), pk=pk)
    except NotFound as exc:
        raise Http404 from exc


# Requesting


@require_http_methods(["GET", "POST"])
@role_required(Role.BUYER, object_page=True)
def return_start(request: HttpRequest, pk: int) -> HttpResponse:
    """The buyer picks items, quantities, a reason and refund or exchange; the page says until when."""
    from marketdesk.attachments.services import attachment_ingest
    from marketdesk.attachments.uploads import files_refused

    actor = actor_of(request)
    try:
        order = order_get_for_actor(actor, pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    situation = order_situation(order)
    lines = [(ls.line, ls.returnable) for ls in situation.lines]
    form = ReturnRequestForm(request.POST or None, request.FILES or None, lines=lines)
    policy = policy_current()
    for row in form.returnable:  # what a return would cost, read before asking
        row["fees"] = restocking_fee_terms(row["line"].category, policy)
    error, status = "", 200
    if request.method == "POST" and (refused := files_refused(request)) is not None:
        form.add_error("photos", str(refused.message))  # more photos than a return takes: never read
        error, status = str(refused.message), refused.status
    elif request.method == "POST":
        if form.is_valid():
            try:
                photos = [attachment_ingest(actor=actor, upload=f).pk for f in form.cleaned_data["photos"]]
                ret = return_request(
                    actor=actor,
                    order=order,
                    lines=form.quantities(),
                    reason=form.cleaned_data["reason"],
                    resolution=form.cleaned_data["resolution"],
                    description=form.cleaned_data["description"],
                    photo_ids=photos,
                    line_reasons=form.line_reasons(),
                )
            except DomainError as exc:
                status = exc.status
                # Said once: beside the field it names, or above the form when it names none.
                if exc.field in form.fields:
                    form.add_error(exc.field, str(exc.message))
                else:
                    error = str(exc.message)
            else:
                if ret.status == ReturnStatus.APPROVED:
                    messages.success(request, str(_("Your return is approved. Print the label and send the parcel.")))
                else:
                    messages.success(request, str(_("Your request was sent to the seller.")))
                return redirect("returns:return_detail", pk=ret.pk)
        else:
            status = 422
    context = {
        "order": order,
        "situation": situation,
        "form": form,
        "option": situation.return_option,
        "error": error,
        "anything_left": situation.return_option.allowed,
        "postage": postage_by_reason(policy),
        "fee_ceiling": policy.return_restocking_fee_max_bp,
    }
    return render(request, "returns/return_request.html", context, status=status)


# A return's page and its actions


def _inspect(actor: Actor, ret: Return, data: dict[str, Any]) -> object:
    results = {
        rl.pk: LineInspection(
            accepted=data[f"accepted_{rl.pk}"], condition=data[f"condition_{rl.pk}"], notes=data[f"notes_{rl.pk}"]
        )
        for rl in ret.lines.all()
    }
    return return_inspect(
        actor=actor,
        ret=ret,
        results=results,
        partial_reason=data["partial_reason"],
        replacement_in_stock=data.get("replacement_in_stock", True),
    )


ACTIONS: dict[str, Action[Return]] = {
    "approve": Action(SELLER_SIDE, None, lambda a, r, d: return_approve(actor=a, ret=r), _("The return is approved.")),
    "refuse": Action(
        SELLER_SIDE,
        RefuseForm,
        lambda a, r, d: return_refuse(actor=a, ret=r, reason=d["reason"]),
        _("The return is refused; the buyer was told why."),
    ),
    "cancel": Action((Role.BUYER,), None, lambda a, r, d: return_cancel(actor=a, ret=r), _("The return is cancelled.")),
    "shipped": Action(
        (Role.BUYER,),
        ShippedForm,
        lambda a, r, d: return_mark_shipped(actor=a, ret=r, tracking_number=d["tracking_number"], carrier=d["carrier"]),
        _("Thank you: the seller knows the parcel is on its way."),
    ),
    "escalate": Action(
        (Role.BUYER,),
        None,
        lambda a, r, d: return_escalate(actor=a, ret=r),
        _("The refusal is now a case: the platform will decide."),
    ),
    "inspect": Action(SELLER_SIDE, InspectForm, _inspect, _("The inspection is recorded.")),
    "replacement": Action(
        SELLER_SIDE,
        ReplacementForm,
        lambda a, r, d: return_replacement_ship(
            actor=a, ret=r, carrier=d["carrier"], tracking_number=d["tracking_number"]
        ),
        _("The replacement is recorded as sent; the buyer can follow it."),
    ),
    "take-refund": Action(
        (Role.BUYER,),
        None,
        lambda a, r, d: return_refund_take(actor=a, ret=r),
        _("The refund is on its way to your payment method."),
    ),
}


def _form(name: str, ret: Return, data: Any = None) -> forms.Form:
    form_class = ACTIONS[name].form
    assert form_class is not None  # noqa: S101 - only actions with a form are built
    if form_class is InspectForm:
        return InspectForm(data, ret=ret, prefix=name)
    return form_class(data, prefix=name)


def _page(
    request: HttpRequest, ret: Return, *, bound: dict[str, forms.Form] | None = None, error: str = "", status: int = 200
) -> HttpResponse:
    actor = actor_of(request)
    role = str(actor.role)
    can = set(RETURN_TRANSITIONS.targets(ret.status, role))
    page_forms = {name: _form(name, ret) for name, action in ACTIONS.items() if action.form and role in action.roles}
    page_forms.update(bound or {})
    lines = list(ret.lines.select_related("order_line"))
    # Before inspection each line shows the fee it may carry, under the policy the return was asked under.
    policy = policy_at(ret.policy_version)
    line_rows = [
        (
            rl,
            []
            if rl.inspected_at or rl.reason in SELLER_FAULT_REASONS
            else restocking_fee_terms(rl.order_line.category, policy),
        )
        for rl in lines
    ]
    context = {
        "ret": ret,
        "dispute": ret,
        "view": return_view(actor, ret),
        "lines": lines,
        "line_rows": line_rows,
        "role": role,
        "forms": page_forms,
        "error": error,
        "has_label": ret.status in LABEL_STATUSES,
        "can_decide": ReturnStatus.APPROVED in can and role != Role.SYSTEM and ret.status == ReturnStatus.REQUESTED,
        "can_cancel": ReturnStatus.CANCELLED in can,
        "can_ship": role == Role.BUYER and ReturnStatus.SHIPPED in can,
        "can_escalate": ReturnStatus.ESCALATED in can,
        "can_receive": role in SELLER_SIDE and ReturnStatus.RECEIVED in can,
        "can_inspect": role in SELLER_SIDE and ret.status == ReturnStatus.RECEIVED,
        "can_send_replacement": role in SELLER_SIDE and ReturnStatus.REPLACEMENT_SHIPPED in can,
        "can_take_refund": ReturnStatus.REFUNDED in can and ret.status == ReturnStatus.REFUND_OFFERED,
        "offered": accepted_amount(ret) if ret.status == ReturnStatus.REFUND_OFFERED else None,
    }
    return render(request, "returns/return_page.html", context, status=status)


@require_GET
@role_required(*PARTIES, Role.OPERATOR, Role.ADMIN, object_page=True)
def return_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A return: every stage with its date, the next deadline, and what the viewer can do now."""
    return _page(request, _return_for(request, pk))


@require_POST
@role_required(*PARTIES, Role.OPERATOR, Role.ADMIN, object_page=True)
def return_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Run one action on the return (see ACTIONS)."""
    return run_action(
        request,
        pk,
        name=action,
        actions=ACTIONS,
        load=_return_for,
        bind=_form,
        page=_page,
        done_url="returns:return_detail",
    )


@require_GET
@role_required(*PARTIES, Role.OPERATOR, Role.ADMIN, object_page=True)
def return_label(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The label as PDF or PNG, for the buyer, the seller and operators, while the parcel is to be sent."""
    if fmt not in ("pdf", "png"):
        raise Http404
    try:
        label = return_label_for_actor(actor_of(request), pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return _page(request, _return_for(request, pk), error=str(exc.message), status=exc.status)
    ret = _return_for(request, pk)
    body, content_type = (label.pdf(), "application/pdf") if fmt == "pdf" else (label.png(), "image/png")
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="return-{ret.code}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response


# Lists and receipt


@require_http_methods(["GET", "POST"])
@role_required(*PARTIES)
def return_list(request: HttpRequest) -> HttpResponse:
    """A buyer's or seller's returns, those waiting for them first; sellers record receipt by code here."""
    actor = actor_of(request)
    receive_form = ReceiveForm(request.POST or None, prefix="receive") if actor.role == Role.SELLER else None
    code_status = 200
    if request.method == "POST":
        if receive_form is None:
            raise Http404
        if receive_form.is_valid():
            try:
                ret = return_receive(actor=actor, code=receive_form.cleaned_data["code"])
            except DomainError as exc:
                receive_form.add_error("code", str(exc.message))
                code_status = exc.status
            else:
                messages.success(
                    request, str(_("Return %(code)s is recorded as received. Inspect it now.") % {"code": ret.code})
                )
                return redirect("returns:return_detail", pk=ret.pk)
        else:
            code_status = 422
    page, status = party_list_page(request, actor, statuses=ReturnStatus, rows=returns_for_party)
    context = {
        "page": page,
        "returns": page.object_list,
        "status": status,
        "statuses": ReturnStatus.choices,
        "role": actor.role,
        "receive_form": receive_form,
    }
    return render(request, "returns/return_list.html", context, status=code_status)


def order_returns_for(request: HttpRequest, order: Order) -> list[Return]:
    """The returns of one order the signed-in user may see (for the order page)."""
    from marketdesk.returns.selectors import returns_for_actor

    return list(returns_for_actor(actor_of(request)).filter(order_id=order.pk))
