"""The administrator's pages: thin views that parse a form, call one service and show the result."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.tokens import default_token_generator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from marketdesk.accounts.models import UserRole
from marketdesk.core import clock
from marketdesk.core.actors import Role
from marketdesk.core.errors import DomainError, NotFound
from marketdesk.core.policies import PolicyValues
from marketdesk.notifications.selectors import (
    webhook_deliveries_for_endpoint,
    webhook_endpoint_get_for_actor,
    webhook_endpoints_for_actor,
)
from marketdesk.shipping.states import TrackingStatus
from marketdesk.web.manage import selectors, services
from marketdesk.web.manage.forms import (
    ApiKeyForm,
    BusinessCalendarForm,
    CarrierMappingForm,
    OperatorInviteForm,
    PolicyVersionForm,
    WebhookEndpointForm,
)
from marketdesk.web.manage.rules import RULE_GROUPS, rule_value_text
from marketdesk.web.permissions import actor_of, role_required

DELIVERIES_SHOWN = 50


def _form_error(form: forms.BaseForm, exc: DomainError, renamed: dict[str, str] | None = None) -> None:
    """Show a service's refusal on the field it names (or above the form)."""
    named = (renamed or {}).get(exc.field or "", exc.field)
    field = named if named in form.fields else None
    form.add_error(field, str(exc.message))
    for error in exc.errors:
        name = error.get("field")
        if name in form.fields and name != field:
            form.add_error(name, error.get("message", ""))


# Policy versions


@require_GET
@role_required(Role.ADMIN)
def policy_list(request: HttpRequest) -> HttpResponse:
    in_force, _values = selectors.policy_in_force()
    context = {"versions": selectors.policy_versions_list(), "in_force": in_force}
    return render(request, "web/manage/policy_list.html", context)


def _effective_at(day: dt.date | None) -> dt.datetime | None:
    if day is None:
        return None
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    # Today means now: the start of a day already under way is not "the past".
    return max(start, clock.now()) if day == timezone.localdate(clock.now()) else start


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def policy_new(request: HttpRequest) -> HttpResponse:
    in_force, in_force_values = selectors.policy_in_force()
    form = PolicyVersionForm(request.POST or None, current=selectors.policy_newest_values())
    diff = None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            entered = form.changes()
            diff = [
                row
                for _title, rows in selectors.policy_rule_groups(entered, in_force_values.model_dump())
                for row in rows
                if row.changed
            ]
        else:
            try:
                version = services.policy_version_publish(
                    actor=actor_of(request),
                    changes=form.changes(),
                    note=form.cleaned_data["note"],
                    effective_at=_effective_at(form.cleaned_data["effective_on"]),
                )
            except DomainError as exc:
                _form_error(form, exc, renamed={"effective_at": "effective_on"})
            else:
                messages.success(request, _("Policy version %(v)s is published.") % {"v": version.version})
                return redirect("manage:policy_detail", version=version.version)
    groups = [
        (group.title, [(form[name], rule_value_text(getattr(in_force_values, name))) for name, _label in group.rules])
        for group in RULE_GROUPS
    ]
    context = {"form": form, "groups": groups, "in_force": in_force, "diff": diff}
    return render(request, "web/manage/policy_form.html", context, status=422 if form.errors else 200)


@require_GET
@role_required(Role.ADMIN)
def policy_detail(request: HttpRequest, version: int) -> HttpResponse:
    row = selectors.policy_version_get(version)
    if row is None:
        raise Http404
    previous = selectors.policy_version_get(version - 1)
    previous_values = previous.values if previous else PolicyValues().model_dump()
    in_force, _values = selectors.policy_in_force()
    context = {
        "version": row,
        "groups": selectors.policy_rule_groups(row.values, previous_values),
        "in_force": in_force,
        "scheduled": row.version > in_force,
    }
    return render(request, "web/manage/policy_detail.html", context)


# Business calendars


@require_GET
@role_required(Role.ADMIN)
def calendar_list(request: HttpRequest) -> HttpResponse:
    return render(request, "web/manage/calendar_list.html", {"calendars": selectors.business_calendars_list()})


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def calendar_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    row = None
    if pk is not None:
        row = selectors.business_calendar_get(pk)
        if row is None:
            raise Http404
    form = BusinessCalendarForm(request.POST or None, instance=row)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.business_calendar_save(actor=actor_of(request), calendar_id=pk, values=form.values())
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The calendar is saved."))
            return redirect("manage:calendar_edit", pk=saved.pk)
    preview = selectors.business_days_next(row, after=timezone.localdate(clock.now())) if row else []
    context = {"form": form, "calendar": row, "preview": preview}
    return render(request, "web/manage/calendar_form.html", context, status=422 if form.errors else 200)


# Webhook endpoints


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def webhook_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = WebhookEndpointForm(request.POST or None)
    secret = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = services.webhook_endpoint_add(
                actor=actor, url=form.cleaned_data["url"], event_types=form.event_type_list()
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            # Shown in this answer only: the page is never redirected to with the secret in it.
            secret = endpoint.secret
            form = WebhookEndpointForm()
    if form.errors:
        status = 422
    context = {"form": form, "endpoints": webhook_endpoints_for_actor(actor), "secret": secret}
    return render(request, "web/manage/webhook_list.html", context, status=status)


def _endpoint_or_404(request: HttpRequest, pk: int) -> Any:
    try:
        return webhook_endpoint_get_for_actor(actor_of(request), pk)
    except NotFound as exc:
        raise Http404 from exc


@require_GET
@role_required(Role.ADMIN)
def webhook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint_or_404(request, pk)
    deliveries = webhook_deliveries_for_endpoint(endpoint)[:DELIVERIES_SHOWN]
    return render(request, "web/manage/webhook_detail.html", {"endpoint": endpoint, "deliveries": deliveries})


@require_POST
@role_required(Role.ADMIN)
def webhook_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        endpoint, secret = services.webhook_endpoint_rotate(actor=actor_of(request), endpoint_id=pk)
    except NotFound as exc:
        raise Http404 from exc
    deliveries = webhook_deliveries_for_endpoint(endpoint)[:DELIVERIES_SHOWN]
    return render(
        request, "web/manage/webhook_detail.html", {"endpoint": endpoint, "deliveries": deliveries, "secret": secret}
    )


@require_POST
@role_required(Role.ADMIN)
def webhook_pause(request: HttpRequest, pk: int) -> HttpResponse:
    active = request.POST.get("active") == "1"
    try:
        services.webhook_endpoint_pause(actor=actor_of(request), endpoint_id=pk, active=active)
    except NotFound as exc:
        raise Http404 from exc
    messages.success(request, _("Deliveries resumed.") if active else _("Deliveries paused."))
    return redirect("manage:webhook_detail", pk=pk)


@require_POST
@role_required(Role.ADMIN)
def webhook_retry(request: HttpRequest, pk: int, delivery_id: int) -> HttpResponse:
    try:
        services.webhook_delivery_resend(actor=actor_of(request), endpoint_id=pk, delivery_id=delivery_id)
    except NotFound as exc:
        raise Http404 from exc
    messages.success(request, _("The delivery is being sent again."))
    return redirect("manage:webhook_detail", pk=pk)


# API keys


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def api_key_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = ApiKeyForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _key, secret = services.api_key_add(actor=actor, name=form.cleaned_data["name"])
        except DomainError as exc:
            _form_error(form, exc)
        else:
            form = ApiKeyForm()
    context = {"form": form, "keys": selectors.api_keys_for_actor(actor), "secret": secret}
    return render(request, "web/manage/api_key_list.html", context, status=422 if form.errors else 200)


@require_POST
@role_required(Role.ADMIN)
def api_key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.api_key_withdraw(actor=actor_of(request), key_id=pk)
    except NotFound as exc:
        raise Http404 from exc
    messages.success(request, _("The key is revoked."))
    return redirect("manage:api_key_list")


# Users and roles


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def staff_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = OperatorInviteForm(request.POST or None)
    invite_link = None
    if request.method == "POST" and form.is_valid():
        try:
            user = services.operator_add(actor=actor, **form.cleaned_data)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            # The link that lets the new operator choose a password: handed over once, like a key.
            path = reverse(
                "web:password_reset_confirm",
                kwargs={
                    "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                    "token": default_token_generator.make_token(user),
                },
            )
            invite_link = request.build_absolute_uri(path)
            form = OperatorInviteForm()
    context = {
        "form": form,
        "people": selectors.staff_for_actor(actor),
        "invite_link": invite_link,
        "roles": [(UserRole.OPERATOR, UserRole.OPERATOR.label), (UserRole.ADMIN, UserRole.ADMIN.label)],
    }
    return render(request, "web/manage/staff_list.html", context, status=422 if form.errors else 200)


@require_POST
@role_required(Role.ADMIN, object_page=True)
def staff_role(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        user = services.staff_role_change(actor=actor_of(request), user_id=pk, role=request.POST.get("role", ""))
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request, _("%(name)s is now: %(role)s.") % {"name": user.username, "role": user.get_role_display()}
        )
    return redirect("manage:staff_list")


@require_POST
@role_required(Role.ADMIN)
def staff_active(request: HttpRequest, pk: int) -> HttpResponse:
    active = request.POST.get("active") == "1"
    try:
        services.staff_activate(actor=actor_of(request), user_id=pk, active=active)
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Reactivated.") if active else _("Deactivated; their sessions have ended."))
    return redirect("manage:staff_list")


# Carriers and their status mappings


@require_GET
@role_required(Role.ADMIN)
def carrier_list(request: HttpRequest) -> HttpResponse:
    return render(request, "web/manage/carrier_list.html", {"rows": selectors.carriers_for_actor(actor_of(request))})


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN, object_page=True)
def carrier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    carrier = selectors.carrier_get(pk)
    if carrier is None:
        raise Http404
    form = CarrierMappingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mapping, fixed = services.carrier_mapping_set(actor=actor, carrier_id=carrier.pk, **form.cleaned_data)
        except NotFound as exc:
            raise Http404 from exc
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _("%(raw)s now means “%(stage)s”: %(count)s events already received were read again.")
                % {"raw": mapping.raw_status, "stage": mapping.get_status_display(), "count": fixed},
            )
            return redirect("manage:carrier_detail", pk=carrier.pk)
    context = {
        "carrier": carrier,
        "mappings": selectors.carrier_mappings(carrier),
        "unmapped": selectors.carrier_unmapped(actor, carrier),
        "form": form,
        "stages": TrackingStatus.choices,
        "reasons": CarrierMappingForm.REASONS,
    }
    return render(request, "web/manage/carrier_detail.html", context, status=422 if form.errors else 200)
