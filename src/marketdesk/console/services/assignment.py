"""Claiming and assigning cases, one at a time or in bulk, and the round-robin within teams.

A case is locked after its order (CONTRIBUTING's fixed order), so two operators claiming one case queue
on the row and the second is told who won.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, F
from django.utils.translation import gettext as _

from marketdesk.accounts.models import User
from marketdesk.cases.models import Case
from marketdesk.cases.selectors import case_visible_to
from marketdesk.cases.states import OPEN_STATUSES
from marketdesk.console import events
from marketdesk.console.deadlines import PLATFORM_STATUSES
from marketdesk.console.models import OperatorProfile, Team
from marketdesk.console.services.access import STAFF, case_locked, staff_require
from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.core.audit import audit_record
from marketdesk.core.errors import Conflict, DomainValidationError, NotFound
from marketdesk.core.formatting import format_moment


class AlreadyClaimed(Conflict):
    """Another operator holds the case; the message names them."""

    code = "already_claimed"


def _held_by(case: Case) -> AlreadyClaimed:
    holder = User.objects.get(pk=int(case.assignee_id or 0))
    since = format_moment(case.assigned_at) if case.assigned_at else ""
    return AlreadyClaimed(
        _("%(name)s is already working on this case (since %(when)s).") % {"name": holder.name, "when": since},
        assignee=holder.name,
        assignee_id=holder.pk,
    )


def _set_assignee(*, actor: Actor, case: Case, assignee: User | None, how: str) -> Case:
    previous = case.assignee_id
    case.assignee = assignee
    case.assigned_at = clock.now() if assignee is not None else None
    case.save(update_fields=["assignee", "assigned_at"])
    events.case_assigned(
        case=case, actor=actor, assignee_id=assignee.pk if assignee else None, previous_id=previous, how=how
    )
    audit_record(
        actor=actor,
        action=f"case.{how}",
        obj=case,
        before={"assignee_id": previous},
        after={"assignee_id": assignee.pk if assignee else None},
    )
    return case


def case_claim(*, actor: Actor, case: Case) -> Case:
    """Take an open case for yourself; if another operator holds it, say who (a repeat is harmless)."""
    user = staff_require(actor)
    if not case_visible_to(actor, case.pk):
        raise NotFound()
    with transaction.atomic():
        case = case_locked(case.pk)
        if case.status not in OPEN_STATUSES:
            raise Conflict(_("This case is finished; there is nothing to claim."))
        if case.assignee_id == user.pk:
            return case
        if case.assignee_id is not None:
            raise _held_by(case)
        return _set_assignee(actor=actor, case=case, assignee=user, how="claim")


def _assignable(actor: Actor, assignee_id: int | None) -> User | None:
    if assignee_id is None:
        return None
    qs = User.objects.filter(pk=assignee_id, role__in=STAFF, is_active=True)
    if actor.marketplace_id is not None:
        qs = qs.filter(marketplace_id=actor.marketplace_id)
    user = qs.first()
    if user is None:
        raise DomainValidationError(_("Choose an operator of your marketplace."), field="assignee")
    return user


def case_assign(*, actor: Actor, case: Case, assignee_id: int | None) -> Case:
    """Assign an open case to an operator, reassign it, or (with None) release it."""
    staff_require(actor)
    if not case_visible_to(actor, case.pk):
        raise NotFound()
    assignee = _assignable(actor, assignee_id)
    with transaction.atomic():
        case = case_locked(case.pk)
        if case.status not in OPEN_STATUSES:
            raise Conflict(_("This case is finished; it is not assigned any more."))
        if case.assignee_id == (assignee.pk if assignee else None):
            return case
        return _set_assignee(actor=actor, case=case, assignee=assignee, how="assign" if assignee else "release")


@dataclass
class BulkResult:
    """What a bulk action did: the cases changed, and why each other one was refused."""

    done: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)


def cases_bulk(*, actor: Actor, case_ids: Iterable[int], action: str, assignee_id: int | None = None) -> BulkResult:
    """Claim or assign several cases, each in its own transaction (one refusal stops no other)."""
    staff_require(actor)
    if action not in ("claim", "assign"):
        raise DomainValidationError(_("Choose what to do with the selected cases."), field="action")
    ids = sorted({int(i) for i in case_ids})
    if not ids:
        raise DomainValidationError(_("Select at least one case."), field="cases")
    if len(ids) > 200:
        raise DomainValidationError(_("Select at most 200 cases at once."), field="cases")
    result = BulkResult()
    for case_id in ids:
        case = Case(pk=case_id)
        try:
            if action == "claim":
                case_claim(actor=actor, case=case)
            else:
                case_assign(actor=actor, case=case, assignee_id=assignee_id)
        except NotFound:
            result.refused[case_id] = _("Not found.")
        except (Conflict, DomainValidationError) as exc:
            if exc.field == "assignee":
                raise
            result.refused[case_id] = str(exc.message)
        else:
            result.done.append(case_id)
    return result


# Round-robin


def _loads(user_ids: list[int]) -> dict[int, int]:
    rows = (
        Case.objects.filter(assignee_id__in=user_ids, status__in=PLATFORM_STATUSES)
        .values("assignee_id")
        .annotate(n=Count("id"))
    )
    return {row["assignee_id"]: row["n"] for row in rows}


def cases_auto_assign(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Give unassigned escalated cases to team members, round-robin, by skill and under each one's cap."""
    now = now or clock.now()
    assigned = 0
    for team in Team.objects.filter(auto_assign=True).order_by("id"):
        profiles = list(
            OperatorProfile.objects.filter(team=team, available=True, user__is_active=True).select_related("user")
        )
        if not profiles:
            continue
        loads = _loads([p.user_id for p in profiles])
        waiting = (
            Case.objects.filter(
                order__marketplace_id=team.marketplace_id, assignee__isnull=True, status__in=PLATFORM_STATUSES
            )
            .select_related("buyer")
            .order_by(F("decision_due_at").asc(nulls_last=True), "id")[:limit]
        )
        for case in waiting:
            fits = [
                p
                for p in profiles
                if loads.get(p.user_id, 0) < p.cap and p.handles(language=case.buyer.language, category=case.case_type)
            ]
            if not fits:
                continue
            # Round-robin: whoever was given a case longest ago (never first), then the lightest load.
            fits.sort(
                key=lambda p: (
                    p.last_assigned_at or dt.datetime.min.replace(tzinfo=dt.UTC),
                    loads.get(p.user_id, 0),
                    p.user_id,
                )
            )
            chosen = fits[0]
            with transaction.atomic():
                locked = case_locked(case.pk)
                if locked.assignee_id is not None or locked.status not in PLATFORM_STATUSES:
                    continue  # claimed meanwhile
                _set_assignee(actor=Actor.system(), case=locked, assignee=chosen.user, how="round_robin")
                chosen.last_assigned_at = clock.now()
                chosen.save(update_fields=["last_assigned_at"])
            loads[chosen.user_id] = loads.get(chosen.user_id, 0) + 1
            assigned += 1
    return assigned
