"""The operator's console home."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from marketdesk.core.actors import Role
from marketdesk.web.permissions import actor_of, role_required
from marketdesk.web.selectors import operator_dashboard_for_actor


@require_GET
@role_required(Role.OPERATOR, Role.ADMIN)
def operator_home(request: HttpRequest) -> HttpResponse:
    dashboard = operator_dashboard_for_actor(actor_of(request))
    return render(request, "web/console_home.html", {"dashboard": dashboard})
