"""The operators' risk actions: recompute a case's buyer and seller now (the periodic job does it daily)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from marketdesk.cases.selectors import case_get_for_actor
from marketdesk.core.actors import Role
from marketdesk.core.errors import NotFound
from marketdesk.risk.services import risk_recompute
from marketdesk.web.permissions import actor_of, role_required

STAFF = (Role.OPERATOR, Role.ADMIN)


@require_POST
@role_required(*STAFF, object_page=True)
def case_risk_recompute(request: HttpRequest, pk: int) -> HttpResponse:
    """Recompute the signals of the case's buyer and shop, then show the workspace again."""
    actor = actor_of(request)
    try:
        case = case_get_for_actor(actor, pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    risk_recompute(actor=actor, buyer_id=case.buyer_id)
    risk_recompute(actor=actor, shop_id=case.shop_id)
    return redirect("cases:workspace", pk)
