"""Template helpers of the console."""

from __future__ import annotations

from typing import Any

from django import template
from django.apps import apps
from django.db.models import TextChoices
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from marketdesk.cases.models import CaseType, DecisionOutcome, Party, Payer
from marketdesk.cases.states import CaseStatus
from marketdesk.console.models import MacroUse
from marketdesk.core.actors import Role
from marketdesk.returns.states import ReturnStatus
from marketdesk.shipping.states import ExceptionReason, TrackingStatus
from marketdesk.web.presenters import event_title

register = template.Library()

# The words of the keys an audit entry's before and after hold; a key not listed is shown as words.
AUDIT_FIELDS: dict[str, Promise] = {
    "status": _("status"),
    "outcome": _("outcome"),
    "payer": _("who pays"),
    "amount": _("amount in minor units"),
    "appeal": _("on appeal"),
    "party": _("asked"),
    "question": _("question"),
    "body": _("text"),
    "note_id": _("note"),
    "decision_id": _("decision"),
    "assignee": _("assignee"),
    "reason": _("reason"),
    "title": _("title"),
    "language": _("language"),
    "use": _("used in"),
    "active": _("offered in the workspace"),
    "translation_of": _("translation of"),
    "raw_status": _("carrier's status"),
    "exception_reason": _("problem"),
    "events": _("events read again"),
}
# Models whose Meta has no translated name of its own.
AUDIT_OBJECTS: dict[str, Promise] = {
    "cases.case": _("Case"),
    "returns.return": _("Return"),
    "orders.order": _("Order"),
    "orders.shop": _("Shop"),
    "accounts.user": _("User"),
}
# Codes that a value may be, looked up in this order.
AUDIT_CHOICES: tuple[type[TextChoices], ...] = (
    CaseStatus,
    ReturnStatus,
    DecisionOutcome,
    Payer,
    Party,
    CaseType,
    Role,
    MacroUse,
    TrackingStatus,
    ExceptionReason,
)


# Audit actions that are not also timeline events (whose titles ``event_title`` knows): named with their object,
# since "Created" or "Apply" alone does not say what was done.
AUDIT_ACTIONS: dict[str, Promise] = {
    "buyer_restriction.apply": _("Buyer's protection restricted"),
    "buyer_restriction.appeal_decide": _("Restriction appeal decided"),
    "buyer_restriction.lift": _("Buyer's restriction lifted"),
    "message_flag.released": _("Held message released"),
    "message_flag.blocked": _("Held message blocked"),
    "admin.added": _("Added in the admin site"),
    "admin.changed": _("Changed in the admin site"),
    "admin.deleted": _("Deleted in the admin site"),
    "case.claim": _("Case claimed"),
    "case.assign": _("Case assigned"),
    "case.release": _("Case released to the queue"),
    "case.round_robin": _("Case assigned in turn"),
    "policy.published": _("Policy published"),
    "calendar.created": _("Business calendar created"),
    "calendar.changed": _("Business calendar changed"),
    "webhook.created": _("Webhook endpoint added"),
    "webhook.secret_rotated": _("Webhook secret rotated"),
    "webhook.resumed": _("Webhook endpoint resumed"),
    "webhook.paused": _("Webhook endpoint paused"),
    "webhook.delivery_retried": _("Webhook delivery retried"),
    "api_key.created": _("API key created"),
    "api_key.revoked": _("API key revoked"),
}


@register.filter
def action_words(action: str) -> str:
    """Return an audit action in words (``case.review_started`` → "Review started")."""
    known = AUDIT_ACTIONS.get(action)
    return str(known) if known is not None else event_title(action)


def _audit_value(value: Any) -> str:
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, str) and value:
        for choices in AUDIT_CHOICES:
            if value in choices.values:
                return str(choices(value).label)
    return str(value)


@register.filter
def audit_change(values: Any) -> list[tuple[str, str]]:
    """Return an audit entry's before or after as (words, value) pairs, never a Python dict."""
    if not isinstance(values, dict):
        return [] if values is None else [("", str(values))]
    return [(str(AUDIT_FIELDS.get(key, key.replace("_", " "))), _audit_value(value)) for key, value in values.items()]


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    """Return ``mapping[key]`` (a dict keyed by a loop variable)."""
    return mapping.get(key, "")


@register.filter
def role_words(role: str) -> str:
    """Return a role code in words ("operator" → "Operator", "Оператор")."""
    return str(Role(role).label) if role in Role.values else role


@register.filter
def audit_object(object_type: str, object_id: str) -> str:
    """Name an audited object by its model's translated name and id ("Case #9"), never "cases.case"."""
    known = AUDIT_OBJECTS.get(object_type)
    if known is not None:
        return f"{known} #{object_id}"
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return f"{object_type} #{object_id}"
    return f"{str(model._meta.verbose_name).capitalize()} #{object_id}"
