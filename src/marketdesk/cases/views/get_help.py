"""The buyer's Get help page: triage, self-service, seller contact, eligibility, then opening a case."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from marketdesk.cases.eligibility import Eligibility, format_moment
from marketdesk.cases.help_paths import LABEL_SUB_REASON, REASON_GROUPS, SUB_REASONS, SubReason, label_fix
from marketdesk.cases.models import CaseType, SellerContact
from marketdesk.cases.selectors import last_finished_case
from marketdesk.cases.services import case_open, order_message_post
from marketdesk.core.actors import Role
from marketdesk.core.errors import DomainError, NotFound
from marketdesk.core.policies import policy_current
from marketdesk.helpcenter.models import Article, ArticleLanguage, HelpCategory
from marketdesk.helpcenter.selectors import articles_in_category, articles_search
from marketdesk.hints.triage.labels import LABEL_INFO
from marketdesk.hints.triage.suggest import MAX_TEXT_LENGTH, TriageSuggestion, triage_suggest
from marketdesk.orders.models import Order
from marketdesk.orders.selectors import order_get_for_actor
from marketdesk.orders.situation import order_situation
from marketdesk.web.permissions import actor_of, role_required

MAX_ARTICLES = 3
SEARCH_DEPTH = 10


class GetHelpForm(forms.Form):
    description = forms.CharField(
        label=_("Describe what happened"), max_length=MAX_TEXT_LENGTH, widget=forms.Textarea, strip=True
    )
    detail = forms.ChoiceField(
        label=_("What is wrong?"),
        choices=[(code, sub.label) for code, sub in SUB_REASONS.items()],
        error_messages={"required": _("Pick what is wrong.")},
    )
    # The page's one-time token: submitting the same description twice sends the seller one message.
    client_token = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)


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
    """Up to three articles in the buyer's language: found by their words, those of the likely reason first.

    When the search finds nothing of the reason's help category, its top articles lead the list.
    """
    language = _language()
    reason = LABEL_INFO[label].reason
    found = articles_search(query=text, language=language, limit=SEARCH_DEPTH)
    of_reason = [article for article in found if article.category.slug == reason]
    if not of_reason:
        category = HelpCategory.objects.filter(slug=reason).first()
        if category is not None:
            of_reason = list(articles_in_category(category=category, language=language)[: 1 if found else MAX_ARTICLES])
    chosen: list[Article] = []
    for article in [*of_reason, *found]:
        if article not in chosen:
            chosen.append(article)
    return chosen[:MAX_ARTICLES]


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


def _picker_context(*, selected: str, suggested: str) -> dict[str, Any]:
    return {"groups": REASON_GROUPS, "selected": selected, "suggested": suggested}


@require_http_methods(["GET", "POST"])
@role_required(Role.BUYER, object_page=True)
def get_help(request: HttpRequest, pk: int) -> HttpResponse:
    """Describe the problem and pick the reason; the next step records the seller contact and checks eligibility."""
    order = _order_for_buyer(request, pk)
    form = GetHelpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        return _next_step(request, order, data["description"], SUB_REASONS[data["detail"]], token=data["client_token"])
    token = request.POST.get("client_token", "")[:64] or uuid.uuid4().hex
    context = {"order": order, "form": form, "suggestion": None, "client_token": token}
    context |= _picker_context(selected=request.POST.get("detail", ""), suggested=request.POST.get("suggested", ""))
    return render(request, "cases/get_help.html", context, status=422 if form.is_bound else 200)


def _next_step(
    request: HttpRequest,
    order: Order,
    description: str,
    sub: SubReason,
    *,
    token: str = "",
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    actor = actor_of(request)
    contact: SellerContact | None = None
    token = token or uuid.uuid4().hex
    try:
        # The description goes to the seller as the buyer's message: that is the contact before any case.
        order_message_post(actor=actor, order=order, body=description, client_token=token)
    except DomainError as exc:
        error = error or str(exc.message)
    # Read after the message went out: it may be the contact that starts the clock of a case.
    situation = order_situation(order)
    contact = situation.contact
    verdict: Eligibility = situation.case_option(sub.case_type)
    if error == verdict.reason:
        error = ""  # the refusal already reads as the verdict
    context = {
        "order": order,
        "description": description,
        "sub_reason": sub,
        "case_type_label": CaseType(sub.case_type).label,
        "contact": contact,
        "contacted_at": format_moment(contact.contacted_at) if contact is not None else "",
        "verdict": verdict,
        "seller_days": policy_current().seller_response_business_days,
        "closes_at": format_moment(verdict.closes_at) if verdict.allowed and verdict.closes_at else "",
        "error": error,
        "client_token": token,
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


@require_POST
@role_required(Role.BUYER, object_page=True)
def get_help_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open the case the eligibility allowed; a refusal shows on the next-step page, never a 500."""
    order = _order_for_buyer(request, pk)
    form = GetHelpForm(request.POST)
    if not form.is_valid():
        token = request.POST.get("client_token", "")[:64] or uuid.uuid4().hex
        context = {"order": order, "form": form, "suggestion": None, "client_token": token}
        context |= _picker_context(selected=request.POST.get("detail", ""), suggested="")
        return render(request, "cases/get_help.html", context, status=422)
    sub = SUB_REASONS[form.cleaned_data["detail"]]
    description = form.cleaned_data["description"]
    try:
        case = case_open(
            actor=actor_of(request),
            order=order,
            case_type=sub.case_type,
            description=description,
            reason_detail=sub.code,
            referenced_case=last_finished_case(actor_of(request), order=order, case_type=sub.case_type),
        )
    except DomainError as exc:
        token = form.cleaned_data["client_token"]
        return _next_step(request, order, description, sub, token=token, error=str(exc.message), status=exc.status)
    return redirect("cases:case_detail", pk=case.pk)
