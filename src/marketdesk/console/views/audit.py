"""The audit trail: searchable, filterable, exported as CSV; there is nothing to edit."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from marketdesk.console.selectors.audit import audit_actions, audit_for_actor
from marketdesk.console.selectors.team import operators_for_actor
from marketdesk.core.actors import Role
from marketdesk.core.parsing import int_or_none
from marketdesk.core.spreadsheet import SafeCsvWriter
from marketdesk.core.streaming import stream_for
from marketdesk.web.permissions import actor_of, role_required

STAFF = (Role.OPERATOR, Role.ADMIN)
PAGE_SIZE = 50
CSV_COLUMNS = ["occurred_at", "actor", "role", "action", "object_type", "object_id", "object", "before", "after", "ip"]


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _filters(request: HttpRequest) -> dict[str, Any]:
    params = request.GET
    who = params.get("who", "")
    return {
        "q": params.get("q", "").strip()[:100],
        "who": int_or_none(who),
        "action": params.get("action", "")[:64],
        "object_type": params.get("object_type", "")[:64],
        "object_id": params.get("object_id", "")[:64],
        "since": _date(params.get("since", "")),
        "until": _date(params.get("until", "")),
    }


@require_GET
@role_required(*STAFF)
def audit(request: HttpRequest) -> HttpResponse:
    """Every operator's and administrator's action, newest first, filtered by who, what, which object and when."""
    actor = actor_of(request)
    filters = _filters(request)
    page = Paginator(audit_for_actor(actor, **filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "entries": page.object_list,
        "filters": filters,
        "actions": audit_actions(actor),
        "people": operators_for_actor(actor),
        "query": query.urlencode(),
    }
    return render(request, "console/audit.html", context)


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_GET
@role_required(*STAFF)
def audit_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered audit trail as CSV, streamed (a year of entries never sits in memory)."""
    entries = audit_for_actor(actor_of(request), **_filters(request)).iterator(chunk_size=2000)
    writer = SafeCsvWriter(_Echo())

    def rows() -> Any:
        yield writer.writerow(CSV_COLUMNS)
        for e in entries:
            yield writer.writerow(
                [
                    e.occurred_at.isoformat(), e.actor_label, e.actor_role, e.action, e.object_type, e.object_id,
                    e.object_label, json.dumps(e.before, ensure_ascii=False) if e.before is not None else "",
                    json.dumps(e.after, ensure_ascii=False) if e.after is not None else "", e.ip or "",
                ]
            )  # fmt: skip

    # Under ASGI an async iterator: a synchronous one would be read whole into memory before sending.
    response = StreamingHttpResponse(stream_for(request, rows()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
    return response
