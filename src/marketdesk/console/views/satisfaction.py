"""Satisfaction: a party's one-question survey after a case closed, and the results for support."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from marketdesk.console.dashboard import PERIODS
from marketdesk.console.selectors.satisfaction import satisfaction_results, survey_for_actor
from marketdesk.console.services import satisfaction as satisfaction_services
from marketdesk.core import clock
from marketdesk.core.actors import Role
from marketdesk.core.errors import DomainError
from marketdesk.web.permissions import actor_of, role_required

STAFF = (Role.OPERATOR, Role.ADMIN)
SCORES = [(str(n), str(n)) for n in range(1, 6)]


class SurveyForm(forms.Form):
    score = forms.ChoiceField(label=_("Your rating"), choices=SCORES, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Anything to add? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"class": "input", "rows": 4}),
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.BUYER, Role.SELLER, object_page=True)
def survey(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask one party how the case went: 1 to 5 and a comment, answered once."""
    actor = actor_of(request)
    found = survey_for_actor(actor, pk)
    if found is None:
        raise Http404
    form = SurveyForm(request.POST or None)
    status = 200
    if request.method == "POST" and found.answered_at is None:
        status = 422
        if form.is_valid():
            try:
                satisfaction_services.survey_answer(
                    actor=actor, survey=found, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"]
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
                status = exc.status
            else:
                messages.success(request, _("Thank you: your rating was recorded."))
                return redirect("console:survey", pk=found.pk)
    return render(request, "console/survey.html", {"survey": found, "form": form}, status=status)


@require_GET
@role_required(*STAFF)
def results(request: HttpRequest) -> HttpResponse:
    """Ratings per operator, per reason and per seller over a period."""
    days = PERIODS.get(request.GET.get("period", "90"), 90)
    until = clock.now()
    found = satisfaction_results(
        actor_of(request), since=until - dt.timedelta(days=days), until=until + dt.timedelta(seconds=1)
    )
    return render(
        request, "console/satisfaction.html", {"results": found, "days": days, "periods": list(PERIODS.values())}
    )
