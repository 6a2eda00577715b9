"""Support's review of flagged messages: a list (keyset pages, newest first), one flag, release and block.

Thin: each view reads through a selector or runs one service. Only operators and administrators
come in; anyone else, and support of another marketplace, gets a 404.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from marketdesk.core.actors import Role
from marketdesk.core.errors import DomainError, NotFound
from marketdesk.safety.selectors import OPEN, flag_get_for_actor, flags_page
from marketdesk.safety.services import message_flag_block, message_flag_release
from marketdesk.safety.states import FlagStatus
from marketdesk.web.permissions import actor_of, role_required

STAFF = (Role.OPERATOR, Role.ADMIN)
SHOWS = {"open": OPEN, "released": (FlagStatus.RELEASED,), "blocked": (FlagStatus.BLOCKED,)}


def _cursor(value: str) -> tuple[dt.datetime, int] | None:
    at, _sep, pk = value.rpartition("_")
    try:
        moment = dt.datetime.fromisoformat(at)
        return (moment, int(pk)) if moment.tzinfo is not None else None
    except ValueError:
        return None


@require_GET
@role_required(*STAFF, object_page=True)
def flag_list(request: HttpRequest) -> HttpResponse:
    """Flagged messages of the operator's marketplace, newest first: those awaiting review by default."""
    show = request.GET.get("show", "open")
    if show not in SHOWS:
        show = "open"
    flags, after = flags_page(actor_of(request), statuses=SHOWS[show], before=_cursor(request.GET.get("before", "")))
    cursor = f"{after[0].isoformat()}_{after[1]}" if after else ""
    return render(request, "safety/flag_list.html", {"flags": flags, "show": show, "next_cursor": cursor})


@require_GET
@role_required(*STAFF, object_page=True)
def flag_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One flagged message with what was found, its order, and the release and block buttons."""
    try:
        flag = flag_get_for_actor(actor_of(request), pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    return render(request, "safety/flag_detail.html", {"flag": flag})


def _back(request: HttpRequest, pk: int) -> HttpResponse:
    """Go back to the page the buttons were on (the case workspace's thread), else to the flag's page."""
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}):
        return redirect(wanted)
    return redirect("safety:flag", pk=pk)


def _decide(request: HttpRequest, pk: int, service: object) -> HttpResponse:
    try:
        flag = service(actor=actor_of(request), flag_id=pk)  # type: ignore[operator]
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return _back(request, pk)
    messages.success(request, str(FlagStatus(flag.status).label))
    return _back(request, pk)


@require_POST
@role_required(*STAFF, object_page=True)
def flag_release(request: HttpRequest, pk: int) -> HttpResponse:
    """Release the message: a held one is delivered now."""
    return _decide(request, pk, message_flag_release)


@require_POST
@role_required(*STAFF, object_page=True)
def flag_block(request: HttpRequest, pk: int) -> HttpResponse:
    """Block the message: the other party never sees it."""
    return _decide(request, pk, message_flag_block)
