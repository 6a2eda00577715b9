"""Where a decision's rationale starts: an administrator's template, else the built-in text, filled in.

The operator edits the text before deciding; only what they submit is stored.
"""

from __future__ import annotations

from string import Formatter
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from marketdesk.cases.models import Case, DecisionOutcome, Payer, RationaleTemplate
from marketdesk.core.money import Money
from marketdesk.core.policies import policy_current

PLACEHOLDERS = ("buyer", "shop", "order", "amount", "payer", "policy_version")

BUILT_IN: dict[str, Promise] = {
    DecisionOutcome.BUYER_FULL_REFUND: _(
        "We reviewed order {order}, its delivery record and what both parties sent us. "
        "The buyer is protected under policy version {policy_version}: {buyer} receives a full refund of "
        "{amount}, paid by {payer}."
    ),
    DecisionOutcome.BUYER_PARTIAL_REFUND: _(
        "We reviewed order {order} and the evidence of both parties. The item is usable but not as "
        "described, so under policy version {policy_version} {buyer} receives a partial refund of {amount}, "
        "paid by {payer}, and keeps the item."
    ),
    DecisionOutcome.REPLACEMENT: _(
        "We reviewed order {order} and the evidence of both parties. Under policy version {policy_version} "
        "{shop} sends {buyer} a replacement at no cost to the buyer."
    ),
    DecisionOutcome.RETURN_FIRST: _(
        "We reviewed order {order} and the evidence of both parties. Under policy version {policy_version} "
        "{buyer} returns the item first, with return shipping paid by {shop}; the refund follows once it "
        "is received."
    ),
    DecisionOutcome.SELLER_WINS: _(
        "We reviewed order {order} and the evidence of both parties. The evidence shows that {shop} met "
        "its obligations under policy version {policy_version}, so no refund is due."
    ),
    DecisionOutcome.NO_FAULT: _(
        "We reviewed order {order} and the evidence of both parties and found no fault on either side "
        "under policy version {policy_version}. No refund is due from {shop}."
    ),
}


class _Blank(dict[str, str]):
    """Leave an unknown placeholder as it was written rather than fail."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def template_fields(body: str) -> set[str]:
    """Return the placeholders a template uses (an administrator's typo shows up here)."""
    return {name for _text, name, _spec, _conv in Formatter().parse(body) if name}


def rationale_start(*, case: Case, outcome: str, language: str, amount: Money | None, payer: str) -> str:
    """Return the editable text a decision of ``outcome`` starts from, in ``language``."""
    row = RationaleTemplate.objects.filter(outcome=outcome, language=language).first()
    with translation.override(language):
        body = row.body if row is not None else str(BUILT_IN.get(outcome, ""))
        values: dict[str, Any] = {
            "buyer": case.buyer.name,
            "shop": case.shop.name,
            "order": case.order.external_id,
            "amount": amount.format(language) if amount is not None else "",
            "payer": str(Payer(payer).label).lower() if payer in Payer.values else "",
            "policy_version": policy_current().version,
        }
        try:
            return body.format_map(_Blank(values))
        except (ValueError, IndexError):
            return body  # a stray brace in an edited template: show it unfilled
