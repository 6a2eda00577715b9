"""The risk panel of a case's workspace: the buyer's and the seller's signals with the orders behind them,
and the buyer's protection restriction (or the form to restrict it).

Registered with ``cases.workspace_panels`` in ``RiskConfig.ready()``; the workspace is the operators'.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from marketdesk.cases.models import Case
from marketdesk.core.actors import Actor
from marketdesk.orders.models import Order
from marketdesk.risk.forms import RestrictForm
from marketdesk.risk.selectors import STAFF, buyer_restrictions_for_actor, risk_signals_for_party
from marketdesk.risk.states import BINDING_STATUSES


def case_risk_panel(request: HttpRequest, actor: Actor, case: Case) -> SafeString | str:
    """Draw the signals of the case's buyer and shop, each with its orders, cases and returns, for operators."""
    signals = [
        *risk_signals_for_party(actor, buyer_id=case.buyer_id),
        *risk_signals_for_party(actor, shop_id=case.shop_id),
    ]
    if actor.role not in STAFF:
        return ""
    order_ids = {pk for signal in signals for pk in signal.order_ids}
    numbers = dict(Order.objects.filter(pk__in=order_ids).values_list("pk", "external_id"))
    rows = [
        {
            "signal": signal,
            "party": "buyer" if signal.buyer_id else "seller",
            "orders": [(pk, numbers[pk]) for pk in signal.order_ids if pk in numbers],
        }
        for signal in signals
    ]
    # The buyer's binding restriction, or the form to restrict them (one at a time).
    restriction = (
        buyer_restrictions_for_actor(actor).filter(buyer_id=case.buyer_id, status__in=BINDING_STATUSES).first()
    )
    context = {"rows": rows, "case_id": case.pk, "restriction": restriction, "form": RestrictForm()}
    return render_to_string("risk/_case_panel.html", context, request=request)
