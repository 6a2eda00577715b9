"""REST endpoint of seller standards: a shop's standing, for the marketplace to act on (limits, payouts).

Tenancy: a marketplace's key reads its own shops, a seller's session its own shops, operators their
marketplace's; any other shop is a 404.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from marketdesk.api.auth import READ_AUTH, request_actor
from marketdesk.api.errors import ProblemOut
from marketdesk.core.errors import NotFound
from marketdesk.standards.models import Enforcement
from marketdesk.standards.schemas import StandingOut
from marketdesk.standards.selectors import enforcements_for, measures_in_force, shops_for_actor, standing_for

router = Router(tags=["standards"])

ERRORS: dict[int, Any] = {401: ProblemOut, 404: ProblemOut}


def _measure_out(measure: Enforcement) -> dict[str, Any]:
    return {
        "id": measure.pk,
        "kind": measure.kind,
        "status": measure.status,
        "reason": measure.reason,
        "effective_at": measure.effective_at,
        "applied_at": measure.applied_at,
        "appealed_at": measure.appealed_at,
        "ended_at": measure.ended_at,
    }


@router.get(
    "/shops/{external_id}/standing",
    response={200: StandingOut, **ERRORS},
    auth=READ_AUTH,
    summary="Read a shop's standing",
)
def shop_standing(request: HttpRequest, external_id: str) -> Any:
    """The shop's level and each metric against its threshold over the latest rolling 90 days, the measure in
    force now and every measure applied (proposals waiting for an operator are not shown)."""
    actor = request_actor(request)
    shops = list(shops_for_actor(actor).filter(external_id=external_id)[:2])
    if len(shops) != 1:
        raise NotFound()
    shop = shops[0]
    standing = standing_for(actor, shop)
    applied = enforcements_for(actor, shop, applied_only=True)
    in_force = measures_in_force([shop.pk]).get(shop.pk)
    snapshot = standing.snapshot
    return {
        "shop": shop.external_id,
        "name": shop.name,
        "level": snapshot.level if snapshot else None,
        "day": snapshot.day if snapshot else None,
        "policy_version": standing.policy.version,
        "metrics": [
            {
                "code": r.metric.code,
                "label": str(r.metric.label),
                "numerator": r.numerator,
                "denominator": r.denominator,
                "rate_bp": r.rate_bp,
                "threshold_bp": r.threshold_bp,
                "at_most": r.metric.at_most,
                "passed": r.passed,
            }
            for r in standing.results
        ],
        "in_force": _measure_out(in_force) if in_force else None,
        "measures": [_measure_out(m) for m in applied],
    }
