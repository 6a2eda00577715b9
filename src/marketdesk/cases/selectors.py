"""Reads of cases, always scoped to the actor who asks."""

from __future__ import annotations

import datetime as dt

from django.db.models import DateTimeField, QuerySet, Value
from django.db.models.functions import Coalesce, Least

from marketdesk.cases.models import Case
from marketdesk.cases.states import CaseStatus
from marketdesk.core.actors import Actor, Role
from marketdesk.core.errors import NotFound
from marketdesk.orders.selectors import scope_to_actor

QUEUE_STATUSES = (CaseStatus.ESCALATED, CaseStatus.UNDER_REVIEW, CaseStatus.AWAITING_INFO, CaseStatus.APPEALED)
# Stands in for "no deadline" so that a case without one sorts last on every database.
_NO_DEADLINE = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)


def cases_for_actor(actor: Actor) -> QuerySet[Case]:
    """Return the cases this actor may see, newest first."""
    qs = Case.objects.select_related("order", "shop", "buyer", "line")
    return scope_to_actor(qs, actor, order_path="order__").order_by("-opened_at", "-id")


def case_visible_to(actor: Actor, case_id: int) -> bool:
    """Return whether the actor may see the case (without loading it)."""
    return cases_for_actor(actor).filter(pk=case_id).exists()


def case_get_for_actor(actor: Actor, *, pk: int) -> Case:
    """Return one case the actor may see, or raise NotFound (never a hint that it exists)."""
    case = cases_for_actor(actor).filter(pk=pk).first()
    if case is None:
        raise NotFound()
    return case


def operator_queue(actor: Actor) -> QuerySet[Case]:
    """Return the cases waiting for the platform, the nearest deadline first."""
    if actor.role not in (Role.OPERATOR, Role.ADMIN):
        return Case.objects.none()
    far = Value(_NO_DEADLINE, output_field=DateTimeField())
    return (
        cases_for_actor(actor)
        .filter(status__in=QUEUE_STATUSES)
        .annotate(deadline=Least(Coalesce("decision_due_at", far), Coalesce("info_due_at", far)))
        .order_by("deadline", "opened_at", "id")
    )
