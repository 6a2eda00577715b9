"""Background work on attachments (Django's tasks API, database-backed worker)."""

from __future__ import annotations

import datetime as dt

from django.tasks import task

from marketdesk.attachments.services import attachment_process, attachments_purge_unclaimed
from marketdesk.core.actors import Actor
from marketdesk.core.periodic import periodic


@task(queue_name="ingest")
def process_attachment(attachment_id: int) -> bool:
    """Make the previews of one upload: a photo's thumbnail, a video's poster frame and thumbnail."""
    return attachment_process(actor=Actor.system(), attachment_id=attachment_id)


@periodic(every=dt.timedelta(hours=1))
@task(queue_name="default")
def purge_unclaimed_attachments() -> int:
    """Delete uploads that were never attached to anything within a day, with their files."""
    return attachments_purge_unclaimed(actor=Actor.system())
