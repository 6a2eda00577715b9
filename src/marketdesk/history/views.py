"""The history page: a buyer's or a seller's conversations, cases and decisions in one list, searchable.

One address serves the whole page and, for htmx (typing in the search box, paging), only the
results; without JavaScript the search box is a plain GET form and paging plain links.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET
from django_htmx.middleware import HtmxDetails

from marketdesk.core.actors import Role
from marketdesk.history.search import PAGE_SIZE, history_for_actor, history_search
from marketdesk.web.permissions import actor_of, role_required

MAX_QUERY_LENGTH = 200


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


@require_GET
@role_required(Role.BUYER, Role.SELLER)
def history(request: HtmxHttpRequest) -> HttpResponse:
    """Show the actor's history newest first, or what matches ``?q=``; a page older with ``?cursor=``."""
    actor = actor_of(request)
    query = request.GET.get("q", "")[:MAX_QUERY_LENGTH].strip()
    cursor = request.GET.get("cursor", "")
    if query:
        page = history_search(actor, query=query, limit=PAGE_SIZE, cursor=cursor)
    else:
        page = history_for_actor(actor, limit=PAGE_SIZE, cursor=cursor)
    context = {
        "query": query,
        "page": page,
        "role": actor.role,
        "paged": bool(cursor),
        "newest_query": urlencode({"q": query}) if query else "",
        "older_query": urlencode({"q": query, "cursor": page.next_cursor} if query else {"cursor": page.next_cursor}),
    }
    # Back and forward restore a whole page, which htmx asks for with its own header.
    partial = request.htmx and not request.htmx.history_restore_request
    template = "history/_history_results.html" if partial else "history/history.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response
