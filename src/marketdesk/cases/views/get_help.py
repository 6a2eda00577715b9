"""The buyer's Get help page: triage, self-service, eligibility, then the seller or a case.

The first page takes the reason, the item, the description and the photos or video (uploaded by
``attachments/uploader.js``, the conversation's uploader) and posts nothing. The next step says
what may happen now; only its "Send to the seller" button writes to the seller and only its
"Open a case" button opens one, each once however often the page is sent or revisited.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from marketdesk.attachments.forms import IdListField
from marketdesk.attachments.presenters import attachment_view
from marketdesk.attachments.selectors import attachment_get_for_reader
from marketdesk.cases.eligibility import Eligibility
from marketdesk.cases.help_paths import LABEL_SUB_REASON, REASON_GROUPS, SUB_REASONS, SubReason, label_fix
from marketdesk.cases.models import CaseType
from marketdesk.cases.protection import protection_notice
from marketdesk.cases.selectors import last_finished_case
from marketdesk.cases.services.opening import case_open
from marketdesk.core import clock
from marketdesk.core.actors import Role
from marketdesk.core.errors import DomainError, NotFound
from marketdesk.core.formatting import format_moment
from marketdesk.core.policies import policy_current
from marketdesk.helpcenter.models import Article, ArticleLanguage
from marketdesk.helpcenter.selectors import articles_for_reason
from marketdesk.messaging.services import order_message_post
from marketdesk.orders.models import Order, OrderLine
from marketdesk.orders.selectors import order_get_for_actor
from marketdesk.orders.situation import order_situation
from marketdesk.triage.labels import LABEL_INFO
from marketdesk.triage.suggest import MAX_TEXT_LENGTH, TriageSuggestion, triage_suggest
from marketdesk.web.permissions import actor_of, role_required

MAX_ARTICLES = 3


class GetHelpForm(forms.Form):
    description = forms.CharField(
        label=_("Describe what happened"), max_length=MAX_TEXT_LENGTH, widget=forms.Textarea, strip=True
    )
    detail = forms.ChoiceField(
        label=_("What is wrong?"),
        choices=[(code, sub.label) for code, sub in SUB_REASONS.items()],
        error_messages={"required": _("Pick what is wrong.")},
    )
    line = forms.TypedChoiceField(
        label=_("Which item is it about?"), required=False, coerce=int, empty_value=None, widget=forms.RadioSelect
    )
    # The page's one-time token: sending the same description twice sends the seller one message.
    client_token = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)
    # Photos and video uploaded by the page's script; they go with the message or become the case's evidence.
    attachment_ids = IdListField()

    def __init__(self, *args: Any, order: Order, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines = list(order.lines.all())
        field = self.fields["line"]
        assert isinstance(field, forms.TypedChoiceField)  # noqa: S101 - declared above
        field.choices = [("", _("The whole order")), *((line.pk, line.title) for line in self.lines)]
        field.initial = ""

    def chosen_line(self) -> OrderLine | None:
        """The order line the buyer picked (None: the whole order)."""
        pk = self.cleaned_data.get("line")
        return next((line for line in self.lines if line.pk == pk), None)


@dataclass(frozen=True, slots=True)
class Suggestion:
    """What the triage of the buyer's text offers: a reason (unless unsure), its fix and articles."""

    label: str
    explanation: str
    fix: str
    needs_choice: bool
    articles: list[Article]


def _order_for_buyer(request: HttpRequest, pk: int) -> Order:
    try:
        return order_get_for_actor(actor_of(request), pk=pk)
    except NotFound as exc:
        raise Http404 from exc


def _language() -> str:
    language = (translation.get_language() or "en")[:2]
    return language if language in ArticleLanguage.values else "en"


def _articles(text: str, label: str) -> list[Article]:
    """Up to three articles in the buyer's language, those of the likely reason first."""
    return articles_for_reason(query=text, reason=LABEL_INFO[label].reason, language=_language(), limit=MAX_ARTICLES)


def _suggest(text: str) -> tuple[Suggestion | None, TriageSuggestion | None]:
    if not text.strip():
        return None, None
    try:
        triage = triage_suggest(text=text)
    except DomainError:
        return None, None
    info = LABEL_INFO.get(triage.label, LABEL_INFO["other"])
    suggestion = Suggestion(
        label=info.label,
        explanation=str(info.explanation),
        fix=label_fix(info.label),
        needs_choice=triage.needs_choice,
        articles=_articles(text, info.label),
    )
    return suggestion, triage


def _protection(order: Order) -> dict[str, Any] | None:
    """The buyer's protection restriction (in force or announced) with its page, for the notice on both pages."""
    notice = protection_notice(order.buyer_id, now=clock.now())
    if notice is None:
        return None
    return {"notice": notice, "effective": format_moment(notice.effective_at)}


def _picker_context(*, selected: str, suggested: str) -> dict[str, Any]:
    return {"groups": REASON_GROUPS, "selected": selected, "suggested": suggested}


@require_http_methods(["GET", "POST"])
@role_required(Role.BUYER, object_page=True)
def get_help(request: HttpRequest, pk: int) -> HttpResponse:
    """Describe the problem and pick the reason; the next step records the seller contact and checks eligibility."""
    order = _order_for_buyer(request, pk)
    form = GetHelpForm(request.POST if request.method == "POST" else None, order=order)
    if request.method == "POST" and form.is_valid():
        return _next_step(request, order, form)  # nothing is sent yet: the next step's buttons say what they do
    return _form_page(request, order, form)


def _form_page(request: HttpRequest, order: Order, form: GetHelpForm) -> HttpResponse:
    """The first page again (blank, or with what the buyer sent and the files they uploaded)."""
    token = request.POST.get("client_token", "")[:64] or uuid.uuid4().hex
    context = {
        "order": order,
        "form": form,
        "suggestion": None,
        "client_token": token,
        "picked": _picked_files(request, form),
        "protection": _protection(order),
    }
    context |= _picker_context(selected=request.POST.get("detail", ""), suggested=request.POST.get("suggested", ""))
    return render(request, "cases/get_help.html", context, status=422 if form.is_bound else 200)


def _picked_files(request: HttpRequest, form: GetHelpForm) -> list[dict[str, Any]]:
    """The files the buyer uploaded for this request and may still read (their own), to carry to the next page."""
    ids = form.cleaned_data.get("attachment_ids", []) if form.is_bound and hasattr(form, "cleaned_data") else []
    picked = []
    for pk in ids:
        try:
            picked.append(attachment_view(attachment_get_for_reader(actor_of(request), pk=pk)))
        except NotFound:
            continue  # not theirs, or gone: the service would refuse it anyway
    return picked


def _next_step(
    request: HttpRequest, order: Order, form: GetHelpForm, *, error: str = "", status: int = 200
) -> HttpResponse:
    data = form.cleaned_data
    sub: SubReason = SUB_REASONS[data["detail"]]
    line = form.chosen_line()
    token = data["client_token"] or uuid.uuid4().hex
    situation = order_situation(order)
    contact = situation.contact
    verdict: Eligibility = situation.case_option(sub.case_type, line_id=line.pk if line else None)
    if error == verdict.reason:
        error = ""  # the refusal already reads as the verdict
    context = {
        "order": order,
        "description": data["description"],
        "line": line,
        "picked": _picked_files(request, form),
        "sub_reason": sub,
        "case_type_label": CaseType(sub.case_type).label,
        "contact": contact,
        "contacted_at": format_moment(contact.contacted_at) if contact is not None else "",
        "verdict": verdict,
        "seller_days": policy_current().seller_response_business_days,
        "closes_at": format_moment(verdict.closes_at) if verdict.allowed and verdict.closes_at else "",
        "error": error,
        "client_token": token,
        "protection": _protection(order),
    }
    return render(request, "cases/next_step.html", context, status=status)


@require_POST
@role_required(Role.BUYER, object_page=True)
def get_help_suggest(request: HttpRequest, pk: int) -> HttpResponse:
    """The htmx partial: the likely reason preselected (unless unsure), its fix and articles."""
    _order_for_buyer(request, pk)
    text = request.POST.get("description", "")[:MAX_TEXT_LENGTH]
    suggestion, _triage = _suggest(text)
    selected = request.POST.get("detail", "")
    suggested = request.POST.get("suggested", "")
    # The buyer's own pick always wins: only a reason we preselected (or none) follows the text.
    if suggestion is not None and not suggestion.needs_choice and selected in ("", suggested):
        suggested = LABEL_SUB_REASON[suggestion.label]
        selected = suggested
    context = {"suggestion": suggestion, "oob": True} | _picker_context(selected=selected, suggested=suggested)
    return render(request, "cases/_suggestion.html", context)


# What each button of the next step does with what the buyer wrote: one service call; the page it then goes to.
Submit = Callable[[HttpRequest, Order, GetHelpForm], HttpResponse]


def _submitted(request: HttpRequest, pk: int, act: Submit) -> HttpResponse:
    """Run a next-step button: the form again if it does not hold, the next step with the refusal, or ``act``'s page."""
    order = _order_for_buyer(request, pk)
    form = GetHelpForm(request.POST, order=order)
    if not form.is_valid():
        return _form_page(request, order, form)
    try:
        return act(request, order, form)
    except DomainError as exc:
        return _next_step(request, order, form, error=str(exc.message), status=exc.status)


def _send(request: HttpRequest, order: Order, form: GetHelpForm) -> HttpResponse:
    data = form.cleaned_data
    order_message_post(
        actor=actor_of(request),
        order=order,
        body=data["description"],
        client_token=data["client_token"],
        attachment_ids=data["attachment_ids"],
    )
    messages.success(request, _("Your message was sent to the seller."))
    # Post/redirect/get: reloading the conversation sends nothing again.
    return redirect("messaging:conversation", pk=order.pk)


def _open(request: HttpRequest, order: Order, form: GetHelpForm) -> HttpResponse:
    data = form.cleaned_data
    sub = SUB_REASONS[data["detail"]]
    actor = actor_of(request)
    case = case_open(
        actor=actor,
        order=order,
        case_type=sub.case_type,
        description=data["description"],
        line=form.chosen_line(),
        reason_detail=sub.code,
        referenced_case=last_finished_case(actor, order=order, case_type=sub.case_type),
        attachment_ids=data["attachment_ids"],
    )
    return redirect("cases:case_detail", pk=case.pk)


@require_POST
@role_required(Role.BUYER, object_page=True)
def get_help_send(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the description and files to the seller (the button says so); the same page's token sends once."""
    return _submitted(request, pk, _send)


@require_POST
@role_required(Role.BUYER, object_page=True)
def get_help_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open the case the eligibility allowed, the files as its evidence; a refusal shows on the next step, never a 500."""
    return _submitted(request, pk, _open)
