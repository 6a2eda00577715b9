"""Macros: the list with each text's translations, the operators' editor with a live preview, and insertion.

Operators and administrators write, translate, archive and delete macros here; each change leaves
an audit row. The editor lists the allowed placeholders as one types and fills the text from a real
case the operator picks (htmx asks ``macro_check``; without scripts the Preview button does the same).
"""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from marketdesk.cases.models import Case
from marketdesk.console.models import MACRO_PLACEHOLDERS, Macro, MacroUse
from marketdesk.console.selectors.macros import (
    macro_families_for_actor,
    macro_get_for_actor,
    macro_preview_cases,
    macros_for_actor,
)
from marketdesk.console.services import macros as macros_services
from marketdesk.core.actors import Actor, Role
from marketdesk.core.audit import request_ip
from marketdesk.core.errors import DomainError, NotFound
from marketdesk.core.proxies import client_ip
from marketdesk.web.permissions import actor_of, role_required

STAFF = (Role.OPERATOR, Role.ADMIN)
BODY_MAX = 5000
# A brace opened and not (yet) closed: the placeholder being typed.
TYPING = re.compile(r"\{(\w*)(?![\w}])")
PLACEHOLDER_HINTS = {
    "buyer_name": _("the buyer's name"),
    "order": _("the order number"),
    "deadline": _("the case's next deadline"),
    "amount": _("the order's amount"),
}


class MacroForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120, widget=forms.TextInput(attrs={"class": "input"}))
    language = forms.ChoiceField(
        label=_("Language"), choices=settings.LANGUAGES, widget=forms.Select(attrs={"class": "input"})
    )
    use = forms.ChoiceField(label=_("Used in"), choices=MacroUse.choices, widget=forms.Select(attrs={"class": "input"}))
    body = forms.CharField(
        label=_("Text"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"class": "input", "rows": 7}),
        help_text=_("Placeholders: {buyer_name}, {order}, {deadline}, {amount}. Write {{ or }} for a brace."),
    )
    active = forms.BooleanField(label=_("Offered in the workspace"), required=False, initial=True)
    case = forms.TypedChoiceField(
        label=_("Preview on the case"), coerce=int, required=False, widget=forms.Select(attrs={"class": "input"})
    )

    def __init__(self, *args: Any, cases: list[Case], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        picker = cast("forms.TypedChoiceField", self.fields["case"])
        picker.choices = [("", _("Choose a case"))] + [
            (case.pk, f"#{case.pk} · {case.order.external_id} · {case.buyer.name}") for case in cases
        ]

    def saved_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ("title", "language", "use", "body", "active")}


def _macro_or_404(actor: Actor, pk: int) -> Macro:
    macro = macro_get_for_actor(actor, pk)
    if macro is None:
        raise Http404
    return macro


@require_GET
@role_required(*STAFF)
def macro_list(request: HttpRequest) -> HttpResponse:
    """Every macro an operator may insert, its translations beside it, with how often each was used."""
    context = {
        "families": macro_families_for_actor(actor_of(request), language=request.LANGUAGE_CODE),
        "languages": settings.LANGUAGES,
        "placeholders": MACRO_PLACEHOLDERS,
    }
    return render(request, "console/macro_list.html", context)


def _check(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """What the editor shows under the text: the placeholders, the one being typed, the error, the preview."""
    body = str(data.get("body") or "")[:BODY_MAX]
    typing = TYPING.search(body)
    used = set(re.findall(r"\{(\w+)\}", body))
    placeholders = [
        {
            "name": name,
            "hint": PLACEHOLDER_HINTS[name],
            "used": name in used,
            "suggested": typing is not None and name.startswith(typing.group(1)),
        }
        for name in MACRO_PLACEHOLDERS
    ]
    result: dict[str, Any] = {"placeholders": placeholders, "typing": typing.group(0) if typing else ""}
    case_id = str(data.get("case") or "")
    if not body.strip() or typing:
        return result
    try:
        if case_id.isdigit():
            result["preview"] = macros_services.macro_preview(
                actor=actor, body=body, language=str(data.get("language") or ""), case_id=int(case_id)
            )
        else:
            macros_services.macro_text_check(body)
    except NotFound:
        result["error"] = _("That case is not one of yours; choose another.")
    except DomainError as exc:
        result["error"] = exc.message
    return result


def _macro_editor(request: HttpRequest, pk: int | None = None, translate: int | None = None) -> HttpResponse:
    """Write a macro, change one or translate one; Preview fills it from a case without saving."""
    actor = actor_of(request)
    macro = _macro_or_404(actor, pk) if pk is not None else None
    original = _macro_or_404(actor, translate) if translate is not None else None
    if original is not None:
        original = original.translation_of or original
    if macro is not None:
        initial: dict[str, Any] = {
            "title": macro.title,
            "language": macro.language,
            "use": macro.use,
            "body": macro.body,
            "active": macro.active,
        }
    elif original is not None:
        other = next(code for code, _name in settings.LANGUAGES if code != original.language)
        initial = {"title": original.title, "language": other, "use": original.use, "active": True}
    else:
        initial = {"active": True, "use": MacroUse.BOTH, "language": request.LANGUAGE_CODE}
    form = MacroForm(request.POST or None, initial=initial, cases=macro_preview_cases(actor))
    status = 200
    check = _check(actor, initial)
    if request.method == "POST":
        status = 422
        check = _check(actor, request.POST)
        if "preview" in request.POST:
            status = 422 if check.get("error") else 200
        elif form.is_valid():
            try:
                with request_ip(client_ip(request)):
                    saved = macros_services.macro_save(
                        actor=actor, macro=macro, translation_of=original, **form.saved_fields()
                    )
            except NotFound as exc:
                raise Http404 from exc
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
                status = exc.status if exc.status != 400 else 422
            else:
                messages.success(request, _("The macro “%(title)s” was saved.") % {"title": saved.title})
                return redirect("console:macros")
    source = original or (macro.translation_of if macro else None)
    translations = list(macro.translations.all()) if macro else []
    context = {"form": form, "macro": macro, "original": source, "translations": translations, **check}
    return render(request, "console/macro_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@role_required(*STAFF)
def macro_new(request: HttpRequest) -> HttpResponse:
    """Write a new macro."""
    return _macro_editor(request)


@require_http_methods(["GET", "POST"])
@role_required(*STAFF, object_page=True)
def macro_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a macro (another marketplace's is not found)."""
    return _macro_editor(request, pk=pk)


@require_http_methods(["GET", "POST"])
@role_required(*STAFF, object_page=True)
def macro_translate(request: HttpRequest, pk: int) -> HttpResponse:
    """Write a macro's text in the other language, beside the original."""
    return _macro_editor(request, translate=pk)


@require_POST
@role_required(*STAFF)
def macro_check(request: HttpRequest) -> HttpResponse:
    """The editor's live panel: the allowed placeholders as one types, and the text filled from a case."""
    return render(request, "console/_macro_check.html", _check(actor_of(request), request.POST))


@require_POST
@role_required(*STAFF, object_page=True)
def macro_archive(request: HttpRequest, pk: int) -> HttpResponse:
    """Archive a macro (no longer offered in the workspace) or bring it back."""
    active = request.POST.get("active") == "1"
    try:
        with request_ip(client_ip(request)):
            macro = macros_services.macro_archive(actor=actor_of(request), macro_id=pk, active=active)
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        done = _("“%(title)s” is offered again.") if active else _("“%(title)s” is archived.")
        messages.success(request, done % {"title": macro.title})
    return redirect("console:macros")


@require_POST
@role_required(*STAFF, object_page=True)
def macro_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a macro for good (the audit trail keeps its text)."""
    try:
        with request_ip(client_ip(request)):
            macros_services.macro_delete(actor=actor_of(request), macro_id=pk)
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The macro was deleted."))
    return redirect("console:macros")


@require_POST
@role_required(*STAFF, object_page=True)
def macro_insert(request: HttpRequest, pk: int, case_pk: int) -> JsonResponse:
    """Return a macro's text filled in for a case (and count the use), for the workspace to insert."""
    actor = actor_of(request)
    macro = macros_for_actor(actor).filter(pk=pk).first()
    if macro is None:
        raise Http404
    try:
        with request_ip(client_ip(request)):
            text = macros_services.macro_use(actor=actor, macro=macro, case=Case(pk=case_pk))
        notice = macros_services.macro_notice(actor=actor, case=Case(pk=case_pk))
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        return JsonResponse({"detail": str(exc.message)}, status=exc.status)
    return JsonResponse({"text": text, "notice": notice})
