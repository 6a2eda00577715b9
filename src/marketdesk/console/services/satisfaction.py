"""Satisfaction surveys: asked of the parties of a closed case, answered once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from marketdesk.cases.models import Case, Decision
from marketdesk.cases.states import CaseStatus
from marketdesk.console.models import SatisfactionSurvey
from marketdesk.console.services.access import case_locked
from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.errors import Conflict, DomainValidationError, NotFound
from marketdesk.notifications.inbox import notify
from marketdesk.orders.selectors import shop_member_ids


def _decider_id(case: Case) -> int | None:
    decision = Decision.objects.filter(case=case).order_by("-is_appeal", "-decided_at").first()
    return decision.decided_by_id if decision else case.assignee_id


#: A case closed longer ago than this is not surveyed: a rating asked weeks later says little, and a
#: marketplace's imported history (or the demo's simulated past) must not mail everyone at once.
SURVEY_ASK_WITHIN = dt.timedelta(days=7)


def surveys_ask_closed(*, limit: int = 500, case_ids: Iterable[int] | None = None) -> int:
    """Ask each party of a newly closed case (of ``case_ids`` if given) for a rating (in app and by email);
    return how many were asked."""
    closed = Case.objects.filter(
        status=CaseStatus.CLOSED, surveys__isnull=True, updated_at__gte=clock.now() - SURVEY_ASK_WITHIN
    )
    if case_ids is not None:
        closed = closed.filter(pk__in=list(case_ids))
    closed = closed.select_related("order").order_by("id")[:limit]
    asked = 0
    for case in closed:
        with transaction.atomic():
            locked = case_locked(case.pk)
            if SatisfactionSurvey.objects.filter(case=locked).exists():
                continue
            operator_id = _decider_id(locked)
            people = [(locked.buyer_id, Role.BUYER)] + [(uid, Role.SELLER) for uid in shop_member_ids(locked.shop_id)]
            for user_id, party in people:
                survey = SatisfactionSurvey.objects.create(
                    case=locked, user_id=user_id, party=party, operator_id=operator_id, asked_at=clock.now()
                )
                notify(
                    user_ids=[user_id],
                    kind="satisfaction.asked",
                    data={"case": locked.pk, "order": case.order.external_id},
                    url=reverse("console:survey", args=[survey.pk]),
                )
                asked += 1
    return asked


def survey_answer(*, actor: Actor, survey: SatisfactionSurvey, score: Any, comment: str = "") -> SatisfactionSurvey:
    """Record a party's rating (1–5) and comment, once."""
    if actor.user is None or survey.user_id != actor.user.pk:
        raise NotFound()
    try:
        value = int(score)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5:
        raise DomainValidationError(_("Choose a rating from 1 to 5."), field="score")
    comment = (comment or "").strip()
    if "\x00" in comment:
        raise DomainValidationError(_("The text contains a NUL character; remove it."), field="comment")
    if len(comment) > 2000:
        raise DomainValidationError(_("Keep the comment under 2,000 characters."), field="comment")
    with transaction.atomic():
        survey = SatisfactionSurvey.objects.select_for_update().get(pk=survey.pk)
        if survey.answered_at is not None:
            raise Conflict(_("You already answered; thank you."))
        survey.score, survey.comment, survey.answered_at = value, comment, clock.now()
        survey.save(update_fields=["score", "comment", "answered_at"])
        return survey
