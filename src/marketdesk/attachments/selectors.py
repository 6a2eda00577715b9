"""Reads of attachments, scoped to who may read them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import models

from marketdesk.attachments.access import attachment_readable, owner_label
from marketdesk.attachments.models import Attachment
from marketdesk.core.actors import Actor
from marketdesk.core.errors import NotFound


def attachment_get_for_reader(actor: Actor, *, pk: int) -> Attachment:
    """Return the attachment if ``actor`` may read it now; otherwise NotFound, whether it exists or not."""
    attachment = Attachment.objects.filter(pk=pk).first()
    if attachment is None or not attachment_readable(actor, attachment):
        raise NotFound
    return attachment


def attachments_of(owner: models.Model) -> list[Attachment]:
    """Return the attachments of one owner, in upload order (the owner's own selector decided who sees it)."""
    return list(Attachment.objects.filter(owner_type=owner_label(owner), owner_id=owner.pk))


def attachments_of_many(owners: Iterable[models.Model]) -> dict[int, list[Attachment]]:
    """Return {owner id: attachments} for owners of one model in one query (for a page of messages)."""
    owners = list(owners)
    found: dict[int, list[Attachment]] = defaultdict(list)
    if not owners:
        return {}
    rows = Attachment.objects.filter(owner_type=owner_label(owners[0]), owner_id__in=[o.pk for o in owners])
    for attachment in rows:
        found[int(attachment.owner_id or 0)].append(attachment)
    return {o.pk: found.get(o.pk, []) for o in owners}
