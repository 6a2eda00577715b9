"""Records of the API itself: the first response to each Idempotency-Key."""

from __future__ import annotations

from django.db import models

from marketdesk.core import clock


class IdempotencyRecord(models.Model):
    """A write request under an ``Idempotency-Key`` and, once it finished, the response to replay."""

    # "marketplace:<id>" or "user:<id>": two callers never share a key space.
    scope = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    # Null while the first request is still being answered.
    status_code = models.PositiveIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    response_body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=clock.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key", "method", "path"], name="idempotency_key_unique")
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_idx")]

    def __str__(self) -> str:
        return f"{self.scope} {self.method} {self.path} [{self.key}]"
