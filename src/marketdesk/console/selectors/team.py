"""The operator's own saved views and the team of operators with what each works on now."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from marketdesk.accounts.models import User
from marketdesk.cases.states import OPEN_STATUSES
from marketdesk.console.models import QueueCount, SavedQueueView
from marketdesk.console.selectors.queue import CASE
from marketdesk.console.services.access import STAFF
from marketdesk.core.actors import Actor

#: What the queue draws of an operator: a name and an id.
NAME_COLUMNS = ("id", "display_name", "first_name", "last_name", "username")


def saved_views_for_actor(actor: Actor) -> QuerySet[SavedQueueView]:
    """Return the operator's own saved views of the queue, by name (nobody else's)."""
    if actor.role not in STAFF or actor.user is None:
        return SavedQueueView.objects.none()
    return SavedQueueView.objects.filter(owner=actor.user).order_by("name", "id")


def _staff_of(actor: Actor) -> QuerySet[User]:
    if actor.role not in STAFF:
        return User.objects.none()
    qs = User.objects.filter(role__in=STAFF, is_active=True)
    if actor.marketplace_id is not None:
        qs = qs.filter(marketplace_id=actor.marketplace_id)
    return qs


def operators_at_work(actor: Actor, working: dict[int, int]) -> list[User]:
    """Return the operators (and administrators) of the actor's marketplace, each with ``working``: the open
    cases they hold, from the kept counts the queue read already (``queue_working_by_operator``); busiest first.
    """
    people = list(_staff_of(actor).only(*NAME_COLUMNS).order_by("display_name", "id"))
    for person in people:
        person.working = working.get(person.pk, 0)  # type: ignore[attr-defined]
    # A stable sort keeps the database's order of names among operators who hold as many cases.
    return sorted(people, key=lambda person: -person.working)  # type: ignore[attr-defined]


def operators_for_actor(actor: Actor) -> QuerySet[User]:
    """Return the operators (and administrators) of the actor's marketplace, with what each works on now."""
    qs = _staff_of(actor)
    if actor.role not in STAFF:
        return qs
    # Every open case they hold, as their "Mine" tab counts it: a sum of the kept ``QueueCount`` rows (a few per
    # operator), never a count of their cases, which grows with the queue.
    kept = QueueCount.objects.filter(kind=CASE, status__in=OPEN_STATUSES, assignee_id=OuterRef("pk"))
    if actor.marketplace_id is not None:
        kept = kept.filter(marketplace_id=actor.marketplace_id)
    working = kept.order_by().values("assignee_id").annotate(total=Sum("n")).values("total")
    return qs.annotate(working=Coalesce(Subquery(working), 0)).order_by("-working", "display_name", "id")
