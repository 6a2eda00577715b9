"""The recent live events, one row per recipient: what a reconnecting page resumes from."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from marketdesk.core import clock


class LiveEvent(models.Model):
    """One event for one user's open pages: ids and kinds only, never private text.

    The primary key is the event id a page sees (``id:`` in the stream, ``Last-Event-ID`` on
    reconnect). Rows are written one publisher at a time (see ``services._append``), so a committed
    id is never overtaken by a smaller one committing later and a reader may keep a high-water mark.
    """

    # No single-column index: (user, id) below serves both the foreign key and the resume query.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    event = models.CharField(max_length=64)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=clock.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["user", "id"], name="live_event_user_id_idx")]

    def __str__(self) -> str:
        return f"{self.event} #{self.pk} → user {self.user_id}"
