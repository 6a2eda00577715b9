"""Writes of the console: claim and assign cases, round-robin within teams, macros, satisfaction surveys.

Each service is one transaction; a case is locked after its order (CONTRIBUTING's fixed
order), so two operators claiming one case queue on the row and the second is told
who won. Every operator and administrator action appends an audit entry in the same
transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from marketdesk.accounts.models import User
from marketdesk.cases.models import Case, Decision
from marketdesk.cases.selectors import case_visible_to
from marketdesk.cases.states import OPEN_STATUSES, CaseStatus
from marketdesk.console import events
from marketdesk.console.deadlines import PLATFORM_STATUSES, Calendars, Clock, case_clocks
from marketdesk.console.models import (
    MACRO_PLACEHOLDERS,
    Macro,
    MacroUse,
    OperatorProfile,
    SatisfactionSurvey,
    SavedQueueView,
    Team,
    macro_placeholders_check,
)
from marketdesk.console.selectors import QueueFilters
from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.audit import audit_record
from marketdesk.core.errors import Conflict, DomainValidationError, NotFound, PermissionDenied
from marketdesk.core.formatting import format_moment
from marketdesk.core.money import Money
from marketdesk.notifications.inbox import notify
from marketdesk.orders.models import Order
from marketdesk.orders.selectors import shop_member_ids

STAFF = (Role.OPERATOR, Role.ADMIN)


class AlreadyClaimed(Conflict):
    """Another operator holds the case; the message names them."""

    code = "already_claimed"


def _require_staff(actor: Actor) -> User:
    if actor.role not in STAFF or actor.user is None:
        raise PermissionDenied()
    return actor.user


def _locked_case(case_id: int) -> Case:
    """Lock the case's order, then the case; return the case fresh, with its assignee."""
    order_id = Case.objects.filter(pk=case_id).values_list("order_id", flat=True).first()
    if order_id is None:
        raise NotFound()
    Order.objects.select_for_update().get(pk=order_id)
    return Case.objects.select_for_update().get(pk=case_id)


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
    user = _require_staff(actor)
    if not case_visible_to(actor, case.pk):
        raise NotFound()
    with transaction.atomic():
        case = _locked_case(case.pk)
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
    _require_staff(actor)
    if not case_visible_to(actor, case.pk):
        raise NotFound()
    assignee = _assignable(actor, assignee_id)
    with transaction.atomic():
        case = _locked_case(case.pk)
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
    _require_staff(actor)
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
                locked = _locked_case(case.pk)
                if locked.assignee_id is not None or locked.status not in PLATFORM_STATUSES:
                    continue  # claimed meanwhile
                _set_assignee(actor=Actor.system(), case=locked, assignee=chosen.user, how="round_robin")
                chosen.last_assigned_at = clock.now()
                chosen.save(update_fields=["last_assigned_at"])
            loads[chosen.user_id] = loads.get(chosen.user_id, 0) + 1
            assigned += 1
    return assigned


# Macros


def macro_text_check(body: str) -> str:
    """Return a macro's text trimmed; refuse an empty one, a stray brace or an unknown placeholder."""
    body = (body or "").strip()
    if not body:
        raise DomainValidationError(_("Write the text of the macro."), field="body")
    try:
        macro_placeholders_check(body)
    except ValidationError as exc:
        raise DomainValidationError(" ".join(exc.messages), field="body") from exc
    return body


def _macro_snapshot(macro: Macro) -> dict[str, Any]:
    snapshot: dict[str, Any] = {
        "title": macro.title,
        "language": macro.language,
        "use": macro.use,
        "body": macro.body,
        "active": macro.active,
    }
    if macro.translation_of_id is not None:
        snapshot["translation_of"] = macro.translation_of_id
    return snapshot


def _macro_locked(actor: Actor, macro_id: int) -> Macro:
    """Lock a macro the actor may change: their marketplace's (an installation-wide one only without one)."""
    macro = Macro.objects.select_for_update().filter(pk=macro_id).first()
    if macro is None or (actor.marketplace_id is not None and macro.marketplace_id not in (None, actor.marketplace_id)):
        raise NotFound()
    if actor.marketplace_id is not None and macro.marketplace_id is None:
        raise PermissionDenied(_("This macro belongs to the whole installation; its administrators change it."))
    return macro


def _macro_original(actor: Actor, original: Macro | None, language: str) -> Macro | None:
    """Return the macro a translation belongs to (the first text, never a translation of a translation)."""
    if original is None:
        return None
    mine = Q(marketplace_id=actor.marketplace_id) if actor.marketplace_id is not None else Q(marketplace__isnull=True)
    found = Macro.objects.filter(mine, pk=original.pk).first()
    if found is None:
        raise NotFound()
    found = found.translation_of or found
    if found.language == language:
        raise DomainValidationError(_("A translation is written in another language than the macro."), field="language")
    return found


def macro_save(
    *,
    actor: Actor,
    macro: Macro | None = None,
    title: str,
    language: str,
    body: str,
    use: str = MacroUse.BOTH,
    active: bool = True,
    translation_of: Macro | None = None,
) -> Macro:
    """Create or change a macro, or add its translation (operators and administrators); placeholders are checked."""
    _require_staff(actor)
    title = (title or "").strip()
    if not title:
        raise DomainValidationError(_("Give the macro a title."), field="title")
    if language not in dict(settings.LANGUAGES):
        raise DomainValidationError(_("Choose a language."), field="language")
    if use not in MacroUse.values:
        raise DomainValidationError(_("Choose where the macro is used."), field="use")
    body = macro_text_check(body)
    with transaction.atomic():
        before = None
        if macro is not None:
            macro = _macro_locked(actor, macro.pk)
            before = _macro_snapshot(macro)
            if macro.translation_of is not None and macro.translation_of.language == language:
                raise DomainValidationError(
                    _("A translation is written in another language than the macro."), field="language"
                )
        else:
            macro = Macro(
                marketplace_id=actor.marketplace_id,
                created_by=actor.user,
                translation_of=_macro_original(actor, translation_of, language),
            )
        macro.title, macro.language, macro.body, macro.use, macro.active = title, language, body, use, active
        macro.updated_at = clock.now()
        try:
            with transaction.atomic():
                macro.save()
        except IntegrityError as exc:
            taken = macro.translation_of_id is not None and (
                Macro.objects.filter(translation_of_id=macro.translation_of_id, language=language)
                .exclude(pk=macro.pk)
                .exists()
            )
            if taken:
                raise DomainValidationError(
                    _("This macro already has a translation in this language."), field="language"
                ) from exc
            raise DomainValidationError(
                _("A macro with this title already exists in this language."), field="title"
            ) from exc
        action = "macro.changed" if before else ("macro.translated" if macro.translation_of_id else "macro.created")
        audit_record(actor=actor, action=action, obj=macro, before=before, after=_macro_snapshot(macro))
        return macro


def macro_archive(*, actor: Actor, macro_id: int, active: bool) -> Macro:
    """Archive a macro (kept, no longer offered in the workspace) or bring it back."""
    _require_staff(actor)
    with transaction.atomic():
        macro = _macro_locked(actor, macro_id)
        if macro.active == active:
            return macro
        macro.active = active
        macro.updated_at = clock.now()
        macro.save(update_fields=["active", "updated_at"])
        audit_record(
            actor=actor,
            action="macro.restored" if active else "macro.archived",
            obj=macro,
            before={"active": not active},
            after={"active": active},
        )
        return macro


def macro_delete(*, actor: Actor, macro_id: int) -> None:
    """Delete a macro for good (its translations stay, each on its own); the audit keeps its text."""
    _require_staff(actor)
    with transaction.atomic():
        macro = _macro_locked(actor, macro_id)
        snapshot = _macro_snapshot(macro)
        label, pk = str(macro), str(macro.pk)
        macro.delete()
        audit_record(
            actor=actor,
            action="macro.deleted",
            object_type=Macro._meta.label_lower,
            object_id=pk,
            object_label=label,
            before=snapshot,
        )


class _Missing(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def macro_values(case: Case, language: str) -> dict[str, str]:
    """Return what each placeholder stands for on this case, worded in ``language``."""
    with translation.override(language):
        clocks = case_clocks(case, Calendars())
        # A deadline that has passed is never written into a reply: the placeholder stays for the operator
        # to word what happens now, and ``macro_notice()`` says why.
        deadline = "" if not clocks else "{deadline}" if _passed(clocks[0]) else format_moment(clocks[0].due_at)
        return {
            "buyer_name": case.buyer.name,
            "order": case.order.external_id,
            "deadline": deadline,
            "amount": Money(case.order.total_minor, case.order.currency).format(language),
        }


def _macro_case(actor: Actor, case_id: int) -> Case:
    _require_staff(actor)
    if not case_visible_to(actor, case_id):
        raise NotFound()
    return (
        Case.objects.select_related("buyer", "order__marketplace")
        .prefetch_related("info_requests", "decisions")
        .get(pk=case_id)
    )


def _macro_fill(body: str, case: Case, language: str) -> str:
    values = macro_values(case, language)
    assert set(values) == set(MACRO_PLACEHOLDERS)  # noqa: S101 - a new placeholder needs its value here
    return body.format_map(_Missing(values))


def macro_preview(*, actor: Actor, body: str, language: str, case_id: int) -> str:
    """Fill a macro's text (saved or not) for a case the actor may see, counting nothing."""
    case = _macro_case(actor, case_id)
    if language not in dict(settings.LANGUAGES):
        raise DomainValidationError(_("Choose a language."), field="language")
    return _macro_fill(macro_text_check(body), case, language)


def _passed(found: Clock) -> bool:
    return not found.paused and found.due_at <= clock.now()


def macro_notice(*, actor: Actor, case: Case) -> str:
    """Return what the operator should know before sending a macro on this case ("" when nothing)."""
    clocks = case_clocks(_macro_case(actor, case.pk), Calendars())
    if not clocks or not _passed(clocks[0]):
        return ""
    return str(
        _("The deadline passed on %(moment)s, so {deadline} was left in the text: write what happens now.")
        % {"moment": format_moment(clocks[0].due_at)}
    )


def macro_use(*, actor: Actor, macro: Macro, case: Case) -> str:
    """Fill a macro's placeholders for a case, count the use and return the text to insert."""
    case = _macro_case(actor, case.pk)
    if not macro.active or (
        actor.marketplace_id is not None and macro.marketplace_id not in (None, actor.marketplace_id)
    ):
        raise NotFound()
    text = _macro_fill(macro.body, case, macro.language)
    with transaction.atomic():
        Macro.objects.filter(pk=macro.pk).update(usage_count=F("usage_count") + 1)
        audit_record(actor=actor, action="macro.used", obj=macro, after={"case_id": case.pk})
    return text


# Satisfaction


# Saved views of the queue

SAVED_VIEWS_MAX = 20
SAVED_VIEW_NAME_MAX = 60  # SavedQueueView.name's max_length


def saved_view_create(*, actor: Actor, name: str, filters: QueueFilters) -> SavedQueueView:
    """Save the queue's current view and filters under a name of the operator's (theirs alone)."""
    user = _require_staff(actor)
    name = " ".join((name or "").split())
    if not name:
        raise DomainValidationError(_("Name the view."), field="name")
    if len(name) > SAVED_VIEW_NAME_MAX:
        raise DomainValidationError(_("Keep the name under 60 characters."), field="name")
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)  # one operator's saves, one at a time
        mine = SavedQueueView.objects.filter(owner=user)
        # Compared here, not with name__iexact: SQLite folds only ASCII letters, and names are often Russian.
        if name.casefold() in {taken.casefold() for taken in mine.values_list("name", flat=True)}:
            raise Conflict(_("You already have a view called “%(name)s”.") % {"name": name}, field="name")
        if mine.count() >= SAVED_VIEWS_MAX:
            raise Conflict(
                _("You have %(count)s saved views, the most there can be; delete one first.")
                % {"count": SAVED_VIEWS_MAX}
            )
        return SavedQueueView.objects.create(owner=user, name=name, query=filters.to_query())


def saved_view_delete(*, actor: Actor, view_id: int) -> None:
    """Delete one of the operator's saved views (another's answers as missing)."""
    user = _require_staff(actor)
    deleted, _rows = SavedQueueView.objects.filter(pk=view_id, owner=user).delete()
    if not deleted:
        raise NotFound()


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
            locked = _locked_case(case.pk)
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
