"""Macros: the list with usage counts, the administrators' editor, and insertion into a case's reply or rationale."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from marketdesk.cases.models import Case
from marketdesk.console import services
from marketdesk.console.audit import request_ip
from marketdesk.console.models import MACRO_PLACEHOLDERS, Macro, MacroUse
from marketdesk.console.selectors import macro_get_for_actor, macros_for_actor
from marketdesk.core.actors import Role
from marketdesk.core.errors import DomainError, NotFound
from marketdesk.core.proxies import client_ip
from marketdesk.web.permissions import actor_of, role_required

STAFF = (Role.OPERATOR, Role.ADMIN)


class MacroForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120, widget=forms.TextInput(attrs={"class": "input"}))
    language = forms.ChoiceField(
        label=_("Language"), choices=settings.LANGUAGES, widget=forms.Select(attrs={"class": "input"})
    )
    use = forms.ChoiceField(label=_("Used in"), choices=MacroUse.choices, widget=forms.Select(attrs={"class": "input"}))
    body = forms.CharField(
        label=_("Text"),
        max_length=5000,
        widget=forms.Textarea(attrs={"class": "input", "rows": 7}),
        help_text=_("Placeholders: {buyer_name}, {order}, {deadline}, {amount}. Write {{ or }} for a brace."),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


@require_GET
@role_required(*STAFF)
def macro_list(request: HttpRequest) -> HttpResponse:
    """Every macro an operator may insert, with how often each was used."""
    actor = actor_of(request)
    context = {
        "macros": macros_for_actor(actor),
        "can_edit": actor.role == Role.ADMIN,
        "placeholders": MACRO_PLACEHOLDERS,
    }
    return render(request, "console/macro_list.html", context)


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def macro_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Write a macro or change one (administrators); an unknown placeholder is refused with the reason."""
    actor = actor_of(request)
    macro: Macro | None = None
    if pk is not None:
        macro = macro_get_for_actor(actor, pk)
        if macro is None:
            raise Http404
    initial = (
        {"title": macro.title, "language": macro.language, "use": macro.use, "body": macro.body, "active": macro.active}
        if macro
        else {"active": True, "use": MacroUse.BOTH}
    )
    form = MacroForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                with request_ip(client_ip(request)):
                    services.macro_save(actor=actor, macro=macro, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
                status = exc.status
            else:
                messages.success(request, _("The macro was saved."))
                return redirect("console:macros")
    return render(request, "console/macro_form.html", {"form": form, "macro": macro}, status=status)


@require_POST
@role_required(*STAFF, object_page=True)
def macro_insert(request: HttpRequest, pk: int, case_pk: int) -> JsonResponse:
    """Return a macro's text filled in for a case (and count the use), for the workspace to insert."""
    actor = actor_of(request)
    macro = macro_get_for_actor(actor, pk)
    if macro is None:
        raise Http404
    try:
        with request_ip(client_ip(request)):
            text = services.macro_use(actor=actor, macro=macro, case=Case(pk=case_pk))
        notice = services.macro_notice(actor=actor, case=Case(pk=case_pk))
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        return JsonResponse({"detail": str(exc.message)}, status=exc.status)
    return JsonResponse({"text": text, "notice": notice})
