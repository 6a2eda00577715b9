"""The notification pages: the list under the bell, opening one, marking all read, and preferences."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from marketdesk.core.actors import Role
from marketdesk.notifications.inbox import (
    notification_preferences_for_actor,
    notification_preferences_save,
    notifications_for_actor,
    notifications_mark_read,
    notifications_unread_count,
)
from marketdesk.notifications.kinds import KINDS
from marketdesk.notifications.models import EmailMode
from marketdesk.web.permissions import actor_of, role_required

PEOPLE = (Role.BUYER, Role.SELLER, Role.OPERATOR, Role.ADMIN)


@require_GET
@role_required(*PEOPLE)
def notification_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    page = Paginator(notifications_for_actor(actor), 30).get_page(request.GET.get("page"))
    return render(
        request, "notifications/notification_list.html", {"page": page, "unread": notifications_unread_count(actor)}
    )


@require_POST
@role_required(*PEOPLE)
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and go where it points (only within this site)."""
    actor = actor_of(request)
    note = notifications_for_actor(actor).filter(pk=pk).first()
    if note is None:
        raise Http404
    notifications_mark_read(actor=actor, notification_id=note.pk)
    if note.url and url_has_allowed_host_and_scheme(note.url, allowed_hosts={request.get_host()}):
        return redirect(note.url)
    return redirect("notifications:list")


@require_POST
@role_required(*PEOPLE)
def notification_read_all(request: HttpRequest) -> HttpResponse:
    notifications_mark_read(actor=actor_of(request))
    return redirect("notifications:list")


@require_http_methods(["GET", "POST"])
@role_required(*PEOPLE)
def notification_preferences(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    if request.method == "POST":
        choices = {
            code: (request.POST.get(f"in_app:{code}") == "on", request.POST.get(f"email:{code}", EmailMode.INSTANT))
            for code in KINDS
        }
        notification_preferences_save(actor=actor, choices=choices)
        messages.success(request, str(_("Your notification settings are saved.")))
        return redirect("notifications:preferences")
    prefs = notification_preferences_for_actor(actor)
    rows = [(code, kind.label, prefs[code]) for code, kind in KINDS.items()]
    return render(request, "notifications/preferences.html", {"rows": rows, "modes": EmailMode.choices})
