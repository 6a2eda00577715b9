"""What the buyer can pick on the Get help page, and the self-service fix offered for each triage label.

The reasons are the help reasons of the triage (``triage.labels.HelpReason``); each has a
few sub-reasons, and each sub-reason leads to one case type.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from marketdesk.cases.models import CaseType
from marketdesk.triage.labels import HelpReason


@dataclass(frozen=True, slots=True)
class SubReason:
    code: str
    label: Promise
    case_type: str


@dataclass(frozen=True, slots=True)
class ReasonGroup:
    reason: HelpReason
    sub_reasons: tuple[SubReason, ...]


REASON_GROUPS: tuple[ReasonGroup, ...] = (
    ReasonGroup(
        HelpReason.DELIVERY,
        (
            SubReason("not_arrived", _("My order has not arrived"), CaseType.ITEM_NOT_RECEIVED),
            SubReason("delivery_stuck", _("The parcel is late or stuck"), CaseType.ITEM_NOT_RECEIVED),
        ),
    ),
    ReasonGroup(
        HelpReason.ITEM,
        (
            SubReason("damaged", _("It arrived damaged"), CaseType.NOT_AS_DESCRIBED),
            SubReason("not_as_described", _("It is not as described"), CaseType.NOT_AS_DESCRIBED),
            SubReason("wrong_item", _("I received the wrong item"), CaseType.NOT_AS_DESCRIBED),
            SubReason("missing_parts", _("Parts are missing"), CaseType.NOT_AS_DESCRIBED),
        ),
    ),
    ReasonGroup(
        HelpReason.SELLER,
        (
            SubReason("seller_silent", _("The seller does not reply"), CaseType.SELLER_UNRESPONSIVE),
            SubReason("seller_other", _("Another problem with the seller"), CaseType.OTHER),
        ),
    ),
    ReasonGroup(
        HelpReason.REFUND,
        (
            SubReason("refund_missing", _("My refund has not arrived"), CaseType.REFUND_NOT_RECEIVED),
            SubReason("refund_wanted", _("I want my money back"), CaseType.OTHER),
        ),
    ),
    ReasonGroup(
        HelpReason.PAYMENT,
        (
            SubReason("charged_twice", _("I was charged twice or too much"), CaseType.OTHER),
            SubReason("payment_failed", _("The payment failed"), CaseType.OTHER),
        ),
    ),
    ReasonGroup(
        HelpReason.OTHER,
        (SubReason("something_else", _("Something else"), CaseType.OTHER),),
    ),
)

SUB_REASONS: dict[str, SubReason] = {sub.code: sub for group in REASON_GROUPS for sub in group.sub_reasons}

#: The sub-reason preselected for each triage label.
LABEL_SUB_REASON: dict[str, str] = {
    "order_status": "not_arrived",
    "change_delivery": "delivery_stuck",
    "cancel_order": "seller_other",
    "change_order": "seller_other",
    "item_problem": "damaged",
    "return_request": "refund_wanted",
    "refund_request": "refund_wanted",
    "refund_status": "refund_missing",
    "policy_question": "something_else",
    "payment_problem": "charged_twice",
    "seller_issue": "seller_silent",
    "complaint": "something_else",
    "human_agent": "something_else",
    "other": "something_else",
}

#: The self-service fix shown for each triage label, before anything reaches a person.
#: Policy numbers are placeholders filled by ``label_fix()`` from the policy in force.
LABEL_FIXES: dict[str, Promise] = {
    "order_status": _(
        "Check the tracking on this page first: most parcels arrive within a few days of the estimate. "
        "If it is past the latest estimated delivery date, write to the seller."
    ),
    "change_delivery": _(
        "Before the parcel is handed to the carrier, the seller can change the address. "
        "Once it is in transit, only some carriers can redirect it."
    ),
    "cancel_order": _(
        "Ask the seller to cancel: an order that has not shipped yet can usually be cancelled and refunded in full."
    ),
    "change_order": _("Ask the seller quickly: an order can usually be changed only before it ships."),
    "item_problem": _(
        "Take photos of the item and the packaging, and keep them both. Write to the seller: "
        "most sellers offer a replacement or a refund for a damaged item. "
        "If the seller does not help, you can open a case."
    ),
    "return_request": _(
        "You can send an item back within %(return_days)s days of delivery. Ask the seller for a return, "
        "and keep the item in its packaging until then."
    ),
    "refund_request": _(
        "Tell the seller what is wrong and ask for a refund. If the seller refuses or does not reply, "
        "you can open a case."
    ),
    "refund_status": _(
        "A refund usually reaches your card within 5 to 10 days of being issued. "
        "If it is later than that, ask the seller for the refund date."
    ),
    "policy_question": _("Our help center explains the rules for deliveries, returns and refunds."),
    "payment_problem": _(
        "Check your bank statement first: a pending charge often disappears by itself within a few days. "
        "If you were charged twice, tell the seller."
    ),
    "seller_issue": _(
        "If the seller has not replied for %(silence_hours)s hours since you wrote, you can open a case and we will step in."
    ),
    "complaint": _("Tell us what happened: describe it below and pick the reason that fits best."),
    "human_agent": _(
        "Describe your problem below: we first ask the seller, and our support team steps in if it is not solved."
    ),
    "other": _("Describe your problem in a few more words, or pick the reason yourself."),
}


def label_fix(label: str) -> str:
    """Return the self-service fix for a triage label with the numbers of the policy in force."""
    from marketdesk.core.policies import policy_current

    policy = policy_current()
    return str(LABEL_FIXES[label]) % {
        "return_days": policy.return_window_days,
        "silence_hours": policy.seller_silence_hours,
    }
