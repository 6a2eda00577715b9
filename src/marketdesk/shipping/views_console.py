"""The operator's side of delivery: parcels that need attention and the lost-parcel inquiry on each.

Pages for operators and admins of the marketplace only: the list answers others 403, a parcel's
page 404 (as the other console pages do). Each write is one service call of ``shipping.services``.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from marketdesk.core.actors import Role
from marketdesk.core.amounts import AmountField, money_from
from marketdesk.core.errors import DomainError, NotFound
from marketdesk.core.money import Money
from marketdesk.shipping.models import CarrierClaim, LostParcelInvestigation, Shipment
from marketdesk.shipping.presenters import FLAG_LABELS, status_tone
from marketdesk.shipping.selectors import FILTERS, change_requests_of, parcels_needing_attention, shipment_get_for_actor
from marketdesk.shipping.services import (
    carrier_claim_pay,
    inquiry_possible,
    lost_parcel_investigate,
    lost_parcel_resolve,
)
from marketdesk.shipping.states import InvestigationStatus
from marketdesk.web.permissions import actor_of, role_required

STAFF = (Role.OPERATOR, Role.ADMIN)
PAGE_SIZE = 50
RECENT_EVENTS = 10

FILTER_LABELS: dict[str, Any] = {
    "": _("All"),
    "stalled": _("Stalled"),
    "likely_lost": _("Likely lost"),
    "exception": _("Carrier exception"),
    "investigating": _("Open inquiries"),
}


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("How did the inquiry end?"),
        choices=[
            (InvestigationStatus.FOUND, _("The carrier found the parcel")),
            (InvestigationStatus.REFUNDED, _("Refund the buyer")),
            (InvestigationStatus.RESHIPPED, _("Send the parcel again")),
        ],
        widget=forms.RadioSelect,
    )
    tracking_number = forms.CharField(
        label=_("Tracking number of the new parcel"),
        max_length=64,
        required=False,
        help_text=_("Only when the parcel is sent again."),
    )
    carrier_liable = forms.BooleanField(
        label=_("The carrier is liable (files a claim for the parcel's value)"), required=False
    )


class ClaimPaymentForm(forms.Form):
    """What the carrier paid on its claim, typed in major units of the claim's currency."""

    amount = AmountField(required=True)

    def __init__(self, *args: Any, currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.fields["amount"].label = _("Amount paid, %(currency)s") % {"currency": currency}

    def clean_amount(self) -> Money | None:
        return money_from(cast(AmountField, self.fields["amount"]), self.cleaned_data["amount"], self.currency)


def _shipment(request: HttpRequest, pk: int) -> Shipment:
    try:
        return shipment_get_for_actor(actor_of(request), pk=pk)
    except NotFound as exc:
        raise Http404 from exc


def _investigation(shipment: Shipment) -> LostParcelInvestigation | None:
    return LostParcelInvestigation.objects.select_related("reshipment").filter(shipment=shipment).first()


def _claim(investigation: LostParcelInvestigation | None) -> CarrierClaim | None:
    return CarrierClaim.objects.filter(investigation=investigation).first() if investigation else None


def _page(
    request: HttpRequest,
    shipment: Shipment,
    *,
    form: ResolveForm | None = None,
    pay_form: ClaimPaymentForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    investigation = _investigation(shipment)
    claim = _claim(investigation)
    context = {
        "shipment": shipment,
        "order": shipment.order,
        "tone": status_tone(shipment.tracking_status),
        "flags": [FLAG_LABELS[name] for name in shipment.flags],
        "events": list(shipment.events.all()[:RECENT_EVENTS]),
        "changes": change_requests_of(shipment),
        "investigation": investigation,
        "claim": claim,
        "can_investigate": investigation is None and inquiry_possible(shipment),
        "form": form or ResolveForm(),
        "pay_form": pay_form or (ClaimPaymentForm(currency=claim.currency) if claim else None),
        "error": error,
    }
    return render(request, "shipping/console_parcel.html", context, status=status)


@require_GET
@role_required(*STAFF)
def parcels(request: HttpRequest) -> HttpResponse:
    """Parcels needing attention, open inquiries by their deadline first; one tab per reason."""
    flag = request.GET.get("flag", "")
    if flag not in FILTERS:
        flag = ""
    page = Paginator(parcels_needing_attention(actor_of(request), flag), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(shipment, [FLAG_LABELS[name] for name in shipment.flags]) for shipment in page.object_list]
    context = {"page": page, "rows": rows, "flag": flag, "filters": list(FILTER_LABELS.items())}
    return render(request, "shipping/console_parcels.html", context)


@require_GET
@role_required(*STAFF, object_page=True)
def parcel(request: HttpRequest, pk: int) -> HttpResponse:
    """One parcel for the operator: flags, recent carrier events, delivery changes and the inquiry panel."""
    return _page(request, _shipment(request, pk))


@require_POST
@role_required(*STAFF, object_page=True)
def parcel_investigate(request: HttpRequest, pk: int) -> HttpResponse:
    """Open the inquiry with the carrier (once per parcel; a repeat shows the one already open)."""
    shipment = _shipment(request, pk)
    try:
        lost_parcel_investigate(actor=actor_of(request), shipment=shipment)
    except DomainError as exc:
        return _page(request, shipment, error=str(exc.message), status=exc.status)
    messages.success(request, _("The inquiry with the carrier is open."))
    return redirect("shipping:console_parcel", pk=shipment.pk)


@require_POST
@role_required(*STAFF, object_page=True)
def parcel_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    """End the inquiry: found, refunded or sent again; a liable carrier gets a claim."""
    shipment = _shipment(request, pk)
    investigation = _investigation(shipment)
    if investigation is None:
        raise Http404
    form = ResolveForm(request.POST)
    if not form.is_valid():
        return _page(request, shipment, form=form, status=422)
    data = form.cleaned_data
    try:
        lost_parcel_resolve(
            actor=actor_of(request),
            investigation=investigation,
            outcome=data["outcome"],
            carrier_liable=data["carrier_liable"],
            reshipment_tracking_number=data["tracking_number"].strip(),
        )
    except DomainError as exc:
        error = str(exc.message)
        if exc.field and exc.field in form.fields:
            form.add_error(exc.field, error)
            error = ""
        return _page(request, shipment, form=form, error=error, status=exc.status)
    messages.success(request, _("The inquiry is closed."))
    return redirect("shipping:console_parcel", pk=shipment.pk)


@require_POST
@role_required(*STAFF, object_page=True)
def parcel_claim_pay(request: HttpRequest, pk: int) -> HttpResponse:
    """Record what the carrier paid on its claim (once); it is recovered against the refund the claim funds."""
    shipment = _shipment(request, pk)
    claim = _claim(_investigation(shipment))
    if claim is None:
        raise Http404
    form = ClaimPaymentForm(request.POST, currency=claim.currency)
    if not form.is_valid():
        return _page(request, shipment, pay_form=form, status=422)
    try:
        carrier_claim_pay(actor=actor_of(request), claim=claim, amount=form.cleaned_data["amount"])
    except DomainError as exc:
        error = str(exc.message)
        if exc.field in form.fields:
            form.add_error(exc.field, error)
            error = ""
        return _page(request, shipment, pay_form=form, error=error, status=exc.status)
    messages.success(request, _("The carrier's payment is recorded."))
    return redirect("shipping:console_parcel", pk=shipment.pk)
