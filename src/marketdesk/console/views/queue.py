"""The one deadline queue: open cases and returns by the deadline that matters now; claim, assign, bulk for cases."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from marketdesk.accounts.models import Language
from marketdesk.cases.models import Case, CaseType
from marketdesk.cases.states import OPEN_STATUSES, CaseStatus
from marketdesk.console.presenters import queue_rows_shown, team_shown
from marketdesk.console.selectors.queue import (
    AT_RISK_COUNT_CAP,
    QUEUE_VIEWS,
    QueueFilters,
    queue_counts,
    queue_counts_kept_for,
    queue_working_by_operator,
)
from marketdesk.console.selectors.queue_pages import QueueCursor, queue_page, queue_rows
from marketdesk.console.selectors.team import operators_at_work, saved_views_for_actor
from marketdesk.console.services import assignment as assignment_services
from marketdesk.console.services import saved_views as saved_views_services
from marketdesk.core import clock
from marketdesk.core.actors import Role
from marketdesk.core.audit import request_ip
from marketdesk.core.errors import DomainError, NotFound
from marketdesk.core.parsing import int_or_none
from marketdesk.core.proxies import client_ip
from marketdesk.risk.selectors import risk_kinds_for_page
from marketdesk.standards.selectors import measures_in_force
from marketdesk.web.permissions import actor_of, role_required

STAFF = (Role.OPERATOR, Role.ADMIN)
PAGE_SIZE = 50


def _back(request: HttpRequest) -> HttpResponse:
    """Return to the queue as it was (its filters), never to another site."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("console:queue")


@require_GET
@role_required(*STAFF)
def queue(request: HttpRequest) -> HttpResponse:
    """Every open case and return, the deadline that matters now first: whose clock, running or paused, who works on it."""
    actor = actor_of(request)
    filters = QueueFilters.from_query(request.GET)
    now = clock.now()
    kept = queue_counts_kept_for(actor)  # the tabs and the team strip add up the same few rows
    counts = queue_counts(actor, now=now, kept=kept)
    page = queue_page(
        actor,
        filters,
        after=QueueCursor.decode(request.GET.get("after")),
        before=QueueCursor.decode(request.GET.get("before")),
        size=PAGE_SIZE,
        now=now,
    )
    items = queue_rows(page.keys)
    # A seller's restriction or suspension in force, shown next to its name (one query per page).
    measures = measures_in_force(list({item.shop_id for item in items}), now=now)
    # The buyers' and sellers' risk signals, a badge each (one query per page, operators only).
    risks = risk_kinds_for_page(
        actor, buyer_ids={item.buyer_id for item in items}, shop_ids={item.shop_id for item in items}
    )
    rows = queue_rows_shown(
        items, view=filters.view, user_id=actor.user.pk if actor.user else 0, measures=measures, now=now, risks=risks
    )
    operators = operators_at_work(actor, queue_working_by_operator(kept))
    query = filters.to_query()
    capped = filters.view == "at_risk" and counts["at_risk"] >= AT_RISK_COUNT_CAP
    context: dict[str, Any] = {
        "page": page,
        "next_url": f"?{query}&after={page.after.encode()}" if page.after else "",
        "previous_url": f"?{query}&before={page.before.encode()}" if page.before else "",
        "first_url": f"?{query}" if page.before else "",
        # A capped count ("100+") is no total of the view.
        "total": None if filters.narrowed or capped else counts.get(filters.view),
        "at_risk_cap": AT_RISK_COUNT_CAP,
        "rows": rows,
        "filters": filters,
        "views": [(code, label) for code, label in QUEUE_VIEWS.items()],
        "counts": counts,
        "operators": operators,
        "team": team_shown(operators, selected=filters.assignee),
        "categories": CaseType.choices,
        "statuses": [(str(status), CaseStatus(status).label) for status in OPEN_STATUSES],
        "languages": Language.choices,
        "query": query,
        "saved_views": list(saved_views_for_actor(actor)),
        "current_query": filters.to_query(),
        "here": request.get_full_path(),
    }
    return render(request, "console/queue.html", context)


@require_GET
@role_required(*STAFF)
def queue_moved(request: HttpRequest) -> HttpResponse:
    """The queue's older address (``/console/queue/``, and ``/console/cases/``): the same view and filters."""
    query = QueueFilters.from_query(request.GET).to_query()
    return redirect(f"{reverse('console:queue')}?{query}" if query else reverse("console:queue"), permanent=True)


def _case(pk: int) -> Case:
    return Case(pk=pk)


@require_POST
@role_required(*STAFF)
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    """Claim one case; when another operator won, say who."""
    actor = actor_of(request)
    try:
        with request_ip(client_ip(request)):
            assignment_services.case_claim(actor=actor, case=_case(pk))
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return _back(request)
    messages.success(request, _("Case %(number)s is yours.") % {"number": pk})
    return _back(request)


@require_POST
@role_required(*STAFF)
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Assign one case to an operator, or release it."""
    actor = actor_of(request)
    raw = request.POST.get("assignee", "")
    try:
        with request_ip(client_ip(request)):
            assignment_services.case_assign(actor=actor, case=_case(pk), assignee_id=int_or_none(raw))
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return _back(request)
    messages.success(request, _("Case %(number)s was assigned.") % {"number": pk})
    return _back(request)


@require_POST
@role_required(*STAFF)
def bulk(request: HttpRequest) -> HttpResponse:
    """Claim or assign the selected cases; say how many moved and why the others did not."""
    actor = actor_of(request)
    ids = [pk for pk in map(int_or_none, request.POST.getlist("cases")) if pk is not None]
    raw = request.POST.get("assignee", "")
    try:
        with request_ip(client_ip(request)):
            result = assignment_services.cases_bulk(
                actor=actor,
                case_ids=ids,
                action=request.POST.get("action", ""),
                assignee_id=int_or_none(raw),
            )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return _back(request)
    if result.done:
        messages.success(request, _("%(count)d case(s) updated.") % {"count": len(result.done)})
    for case_id, reason in sorted(result.refused.items()):
        messages.warning(request, _("Case %(number)s: %(reason)s") % {"number": case_id, "reason": reason})
    return _back(request)


@require_POST
@role_required(*STAFF)
def view_save(request: HttpRequest) -> HttpResponse:
    """Save the queue's current view and filters under the operator's name for it, then open it."""
    actor = actor_of(request)
    filters = QueueFilters.from_query(request.POST)
    try:
        saved = saved_views_services.saved_view_create(actor=actor, name=request.POST.get("name", ""), filters=filters)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect(f"{reverse('console:queue')}?{filters.to_query()}")
    messages.success(request, _("Saved the view “%(name)s”.") % {"name": saved.name})
    return redirect(f"{reverse('console:queue')}?{saved.query}")


@require_POST
@role_required(*STAFF)
def view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete one of the operator's saved views (another operator's is a 404)."""
    try:
        saved_views_services.saved_view_delete(actor=actor_of(request), view_id=pk)
    except NotFound as exc:
        raise Http404 from exc
    messages.success(request, _("The saved view was deleted."))
    return redirect("console:queue")
