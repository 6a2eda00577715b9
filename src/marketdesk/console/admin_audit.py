"""Mirror the Django admin's own change log into the audit trail.

Administrators change policies, macros, calendars and users in the admin site, whose
views are Django's, not ours: its ``LogEntry`` row (written in the same request and
transaction as the change) is the one hook every admin change passes through. This
is the single signal the project uses, and it only copies a record.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.db.models.signals import post_save

from marketdesk.core.actors import Actor
from marketdesk.core.audit import audit_record

_ACTIONS = {ADDITION: "admin.added", CHANGE: "admin.changed", DELETION: "admin.deleted"}


def _mirror(sender: type[LogEntry], instance: LogEntry, created: bool, **kwargs: Any) -> None:
    from marketdesk.console.models import AuditEntry

    if not created or (instance.content_type and instance.content_type.model_class() is AuditEntry):
        return
    user = instance.user
    audit_record(
        actor=Actor.for_user(user),
        action=_ACTIONS.get(instance.action_flag, "admin.changed"),
        object_type=f"{instance.content_type.app_label}.{instance.content_type.model}" if instance.content_type else "",
        object_id=str(instance.object_id or "")[:64],  # an int when the admin logs it straight from a pk
        object_label=instance.object_repr,
        after={"change": instance.get_change_message()},
    )


def connect() -> None:
    post_save.connect(_mirror, sender=LogEntry, dispatch_uid="console_admin_audit")
