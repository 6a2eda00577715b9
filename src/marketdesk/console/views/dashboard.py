"""The dashboard: charts drawn by the server, filters by period, team and category, and a CSV."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from marketdesk.cases.models import CaseType
from marketdesk.console.dashboard import PERIODS, DashboardFilters, dashboard_for_actor, teams_for_actor
from marketdesk.core.actors import Role
from marketdesk.core.spreadsheet import SafeCsvWriter
from marketdesk.web.permissions import actor_of, role_required

STAFF = (Role.OPERATOR, Role.ADMIN)


@require_GET
@role_required(*STAFF)
def dashboard(request: HttpRequest) -> HttpResponse:
    """Cases opened and decided, response times, SLA, backlog, refunds, satisfaction and top sellers."""
    actor = actor_of(request)
    filters = DashboardFilters.from_query(request.GET)
    context = {
        "board": dashboard_for_actor(actor, filters),
        "filters": filters,
        "periods": list(PERIODS.values()),
        "teams": teams_for_actor(actor),
        "categories": CaseType.choices,
        "query": request.GET.urlencode(),
    }
    return render(request, "console/dashboard.html", context)


@require_GET
@role_required(*STAFF)
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    """The dashboard's figures as CSV rows: metric, key, value."""
    board = dashboard_for_actor(actor_of(request), DashboardFilters.from_query(request.GET))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="dashboard.csv"'
    writer = SafeCsvWriter(response)
    writer.writerow(["metric", "key", "value"])
    writer.writerows(board.csv_rows())
    return response
