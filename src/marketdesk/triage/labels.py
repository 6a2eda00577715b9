"""The triage labels and, for each, the help reason it leads to and a plain-words explanation.

The Get help page preselects the reason and shows the explanation; the buyer
can always pick another reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class HelpReason(models.TextChoices):
    DELIVERY = "delivery", _("Delivery")
    ITEM = "item", _("The item")
    SELLER = "seller", _("The seller")
    REFUND = "refund", _("Refund or return")
    PAYMENT = "payment", _("Payment")
    OTHER = "other", _("Something else")


@dataclass(frozen=True, slots=True)
class LabelInfo:
    label: str
    reason: HelpReason
    explanation: Promise


_INFO = [
    LabelInfo("order_status", HelpReason.DELIVERY, _("It looks like you want to know where your order is.")),
    LabelInfo("change_delivery", HelpReason.DELIVERY, _("It looks like you want to change the delivery address.")),
    LabelInfo("cancel_order", HelpReason.SELLER, _("It looks like you want to cancel your order.")),
    LabelInfo("change_order", HelpReason.SELLER, _("It looks like you want to change what you ordered.")),
    LabelInfo("item_problem", HelpReason.ITEM, _("It looks like your parcel arrived damaged or not as described.")),
    LabelInfo("return_request", HelpReason.REFUND, _("It looks like you want to send the item back.")),
    LabelInfo("refund_request", HelpReason.REFUND, _("It looks like you want your money back.")),
    LabelInfo("refund_status", HelpReason.REFUND, _("It looks like you are waiting for a refund.")),
    LabelInfo("policy_question", HelpReason.OTHER, _("It looks like you have a question about our rules.")),
    LabelInfo("payment_problem", HelpReason.PAYMENT, _("It looks like something went wrong with a payment.")),
    LabelInfo("seller_issue", HelpReason.SELLER, _("It looks like the seller is not helping you.")),
    LabelInfo("complaint", HelpReason.OTHER, _("It looks like you want to make a complaint.")),
    LabelInfo("human_agent", HelpReason.OTHER, _("It looks like you want to talk to a person.")),
    LabelInfo("other", HelpReason.OTHER, _("Tell us a little more, or pick the reason yourself.")),
]

#: Every label, in the order of PRODUCT.md.
LABELS: tuple[str, ...] = tuple(info.label for info in _INFO)
LABEL_INFO: dict[str, LabelInfo] = {info.label: info for info in _INFO}
