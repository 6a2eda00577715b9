"""Satisfaction surveys: the one put to a person, and the results by operator."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from marketdesk.accounts.models import User
from marketdesk.console.models import SatisfactionSurvey
from marketdesk.console.services.access import STAFF
from marketdesk.core.actors import Actor
from marketdesk.orders.selectors import scope_to_actor


def survey_for_actor(actor: Actor, pk: int) -> SatisfactionSurvey | None:
    """Return the survey put to this person (nobody else's)."""
    if actor.user is None:
        return None
    return SatisfactionSurvey.objects.filter(pk=pk, user=actor.user).select_related("case__order", "case__shop").first()


def surveys_for_actor(actor: Actor) -> QuerySet[SatisfactionSurvey]:
    """Return the satisfaction surveys of the actor's marketplace (staff only)."""
    if actor.role not in STAFF:
        return SatisfactionSurvey.objects.none()
    return scope_to_actor(SatisfactionSurvey.objects.all(), actor, order_path="case__order__")


@dataclass(frozen=True)
class SatisfactionRow:
    label: str
    asked: int
    answered: int
    average: float | None


def satisfaction_results(actor: Actor, *, since: dt.datetime, until: dt.datetime) -> dict[str, list[SatisfactionRow]]:
    """Return ratings per operator, per reason and per seller over a period (three queries)."""
    from marketdesk.cases.models import CaseType

    qs = surveys_for_actor(actor).filter(asked_at__gte=since, asked_at__lt=until)

    def rows(key: str, label: Any) -> list[SatisfactionRow]:
        found = (
            qs.values(key)
            .annotate(asked=Count("id"), answered=Count("id", filter=Q(score__isnull=False)), average=Avg("score"))
            .order_by(key)
        )
        return [SatisfactionRow(label(r[key]), r["asked"], r["answered"], r["average"]) for r in found]

    names = dict(User.objects.filter(role__in=STAFF).values_list("pk", "display_name"))
    return {
        "operator": rows(
            "operator_id", lambda pk: names.get(pk) or (str(_("Settled without support")) if pk is None else f"#{pk}")
        ),
        "reason": rows("case__case_type", lambda code: str(CaseType(code).label) if code in CaseType.values else code),
        "seller": rows("case__shop__name", str),
    }
