"""Delivery pages: a parcel's tracking, the buyer's delivery change, the seller's answer to it."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from marketdesk.core.actors import Role
from marketdesk.core.errors import DomainError, NotFound
from marketdesk.shipping.eligibility import delivery_change_verdict
from marketdesk.shipping.models import DeliveryChangeRequest, Shipment
from marketdesk.shipping.presenters import FLAG_LABELS, stages_of, status_tone
from marketdesk.shipping.selectors import change_requests_of, shipment_get_for_actor
from marketdesk.shipping.services import delivery_change_answer, delivery_change_request
from marketdesk.shipping.states import ChangeKind, ChangeStatus
from marketdesk.web.permissions import actor_of, role_required

PARTIES = (Role.BUYER, Role.SELLER, Role.OPERATOR, Role.ADMIN)


class DeliveryChangeForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What do you want to change?"), choices=ChangeKind.choices, widget=forms.RadioSelect
    )
    recipient_name = forms.CharField(label=_("Recipient"), max_length=200, required=False)
    line1 = forms.CharField(label=_("Address"), max_length=200, required=False)
    line2 = forms.CharField(label=_("Address, line 2"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=120, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=20, required=False)
    country = forms.CharField(label=_("Country code"), max_length=2, required=False, help_text=_("For example GB."))
    date = forms.DateField(label=_("New delivery date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    pickup_point = forms.CharField(label=_("Pickup point"), max_length=200, required=False)


def _shipment(request: HttpRequest, pk: int) -> Shipment:
    try:
        return shipment_get_for_actor(actor_of(request), pk=pk)
    except NotFound as exc:
        raise Http404 from exc


def _zone(shipment: Shipment) -> zoneinfo.ZoneInfo | None:
    try:
        return zoneinfo.ZoneInfo(shipment.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def _render_in_zone(
    request: HttpRequest, shipment: Shipment, template: str, context: dict, status: int = 200
) -> HttpResponse:
    """Render with the times in the parcel's destination zone: where the buyer waits for it."""
    with timezone.override(_zone(shipment)):
        return render(request, template, context, status=status)


@require_GET
@role_required(*PARTIES, object_page=True)
def tracking(request: HttpRequest, pk: int) -> HttpResponse:
    """A parcel's stage, flags and carrier events (with the carrier's own words on request)."""
    shipment = _shipment(request, pk)
    context = {
        "shipment": shipment,
        "order": shipment.order,
        "stages": stages_of(shipment.tracking_status),
        "tone": status_tone(shipment.tracking_status),
        "flags": [FLAG_LABELS[name] for name in shipment.flags],
        "events": list(shipment.events.all()),
        "changes": change_requests_of(shipment),
        "verdict": delivery_change_verdict(shipment),
        "is_buyer": request.user.role == Role.BUYER,  # type: ignore[union-attr]
        "is_seller": request.user.role == Role.SELLER,  # type: ignore[union-attr]
    }
    return _render_in_zone(request, shipment, "shipping/shipment_tracking.html", context)


@require_http_methods(["GET", "POST"])
@role_required(Role.BUYER, object_page=True)
def change(request: HttpRequest, pk: int) -> HttpResponse:
    """Tell the buyer first whether the delivery can still change and how; then take the request."""
    shipment = _shipment(request, pk)
    verdict = delivery_change_verdict(shipment)
    form = DeliveryChangeForm(request.POST if request.method == "POST" else None, initial={"kind": ChangeKind.ADDRESS})
    error, status = "", 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        details = {k: v for k, v in data.items() if k != "kind" and v not in (None, "")}
        if data.get("date"):
            details["date"] = data["date"].isoformat()
        try:
            delivery_change_request(actor=actor_of(request), shipment=shipment, kind=data["kind"], details=details)
        except DomainError as exc:
            error, status = str(exc.message), exc.status
            if exc.field and exc.field in form.fields:
                form.add_error(exc.field, str(exc.message))
                error = ""
        else:
            messages.success(request, _("Your request was sent. We will tell you the answer here."))
            return redirect("shipping:tracking", pk=shipment.pk)
    elif request.method == "POST":
        status = 422
    pending = [c for c in change_requests_of(shipment) if c.status == ChangeStatus.REQUESTED]
    context = {
        "shipment": shipment,
        "order": shipment.order,
        "verdict": verdict,
        "form": form,
        "error": error,
        "pending": pending,
    }
    return _render_in_zone(request, shipment, "shipping/delivery_change.html", context, status=status)


@require_POST
@role_required(Role.SELLER, object_page=True)
def change_answer(request: HttpRequest, pk: int, request_pk: int) -> HttpResponse:
    """The seller accepts or declines a buyer's change before the parcel is handed over."""
    shipment = _shipment(request, pk)
    change_request = DeliveryChangeRequest.objects.filter(pk=request_pk, shipment=shipment).first()
    if change_request is None:
        raise Http404
    try:
        delivery_change_answer(
            actor=actor_of(request),
            request=change_request,
            accept=request.POST.get("accept") == "1",
            answer=request.POST.get("answer", "")[:2000],
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("shipping:tracking", pk=shipment.pk)
