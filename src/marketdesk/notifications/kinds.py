"""The kinds of notification, each worded once for the bell and the email, in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from marketdesk.core.money import Money


@dataclass(frozen=True)
class Kind:
    code: str
    label: Promise  # for the preferences page
    text: Promise  # one line, %(name)s parameters from the notification's data


KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in (
        Kind("message.posted", _("New messages"), _("New message from %(author)s about order %(order)s")),
        Kind("case.opened", _("Cases opened"), _("A case was opened on order %(order)s")),
        Kind("case.offer_made", _("Seller's answers"), _("The seller answered case %(case)s")),
        Kind("case.offer_answered", _("Answers to offers"), _("The buyer answered your offer on case %(case)s")),
        Kind("case.evidence_added", _("New evidence"), _("The other side added evidence to case %(case)s")),
        Kind("case.escalated", _("Escalations"), _("Case %(case)s was escalated to the platform")),
        Kind("case.info_requested", _("Questions from support"), _("Support asked a question on case %(case)s")),
        Kind("case.decided", _("Decisions"), _("Case %(case)s was decided")),
        Kind("case.appealed", _("Appeals"), _("Case %(case)s was appealed")),
        Kind("case.withdrawn", _("Withdrawn cases"), _("Case %(case)s was withdrawn")),
        Kind(
            "standards.enforcement",
            _("Measures on your shop"),
            _("The platform took a measure on %(shop)s from %(effective)s: read the reason and how to appeal"),
        ),
        Kind(
            "standards.appeal_decided",
            _("Answers to your appeals"),
            _("The platform answered your appeal about %(shop)s"),
        ),
        Kind(
            "protection.restricted",
            _("Restrictions of your buyer protection"),
            _("Your buyer protection is restricted from %(effective)s: read why and how to appeal"),
        ),
        Kind(
            "protection.appeal_decided",
            _("Answers to your appeals about buyer protection"),
            _("The platform answered your appeal about your buyer protection"),
        ),
        Kind(
            "protection.lifted",
            _("Restrictions lifted"),
            _("The restriction of your buyer protection was lifted"),
        ),
        Kind("satisfaction.asked", _("Satisfaction surveys"), _("How did we do on case %(case)s? Rate it in a click")),
        Kind("return.requested", _("Return requests"), _("Return %(code)s was requested on order %(order)s")),
        Kind("return.approved", _("Approved returns"), _("Return %(code)s is approved: print the label and ship it")),
        Kind("return.refused", _("Refused returns"), _("The seller refused return %(code)s")),
        Kind("return.reminder", _("Return reminders"), _("Ship return %(code)s back by %(ship_by)s")),
        Kind("return.lapsed", _("Lapsed returns"), _("Return %(code)s lapsed: it was not shipped in time")),
        Kind("return.received", _("Returns received"), _("The seller received return %(code)s")),
        Kind("return.refunded", _("Return refunds"), _("Return %(code)s was refunded: %(amount)s")),
        Kind("return.replaced", _("Return replacements"), _("Return %(code)s: a replacement is on its way")),
        Kind(
            "return.refund_offered",
            _("Refunds instead of a replacement"),
            _("Return %(code)s: out of stock, take the refund of %(amount)s"),
        ),
        Kind("return.closed", _("Returns closed"), _("Return %(code)s was closed without a refund")),
        Kind("shipment.care", _("Delivery problems"), _("A parcel of order %(order)s needs attention: %(problem)s")),
        Kind("delivery_change.requested", _("Delivery changes asked"), _("Delivery change asked on order %(order)s")),
        Kind(
            "delivery_change.answered",
            _("Delivery change answers"),
            _("Delivery change on order %(order)s: %(answer)s"),
        ),
    )
}


def notification_text(kind: str, data: dict[str, Any]) -> str:
    """Word a notification in the active language (an unknown kind reads as its code)."""
    spec = KINDS.get(kind)
    if spec is None:
        return kind
    values = {key: str(value) for key, value in data.items()}
    if isinstance(data.get("amount_minor"), int) and data.get("currency"):
        # Money is kept as numbers and worded for the reader: "4 289,00 ₽" in Russian, "RUB 4,289.00" in English.
        values["amount"] = Money(data["amount_minor"], str(data["currency"])).format()
    try:
        return str(spec.text) % values
    except (KeyError, TypeError, ValueError):
        return str(spec.label)
