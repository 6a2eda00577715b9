"""The case a page's action runs on: the one the signed-in user may see (actions run through ``web.actions``)."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from marketdesk.cases.models import Case
from marketdesk.cases.selectors import case_get_for_actor
from marketdesk.core.errors import NotFound
from marketdesk.web.permissions import actor_of


def case_for(request: HttpRequest, pk: int) -> Case:
    """Return the case the signed-in user may see, or 404."""
    try:
        return case_get_for_actor(actor_of(request), pk=pk)
    except NotFound as exc:
        raise Http404 from exc
