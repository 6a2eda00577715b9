"""Attachment statuses: stored files wait for their thumbnail or poster, made in the background."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from marketdesk.core.actors import Role
from marketdesk.core.models import Audience
from marketdesk.core.timeline import status_event
from marketdesk.core.transitions import Move, TransitionTable


class AttachmentStatus(models.TextChoices):
    PROCESSING = "processing", _("Processing")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Preview failed")


S = AttachmentStatus
WORKER = (Role.SYSTEM,)

# Operators only: how a file was processed is support's business, not the parties'.
ATTACHMENT_PROCESSED = status_event("attachment.processed", Audience.INTERNAL)
ATTACHMENT_PROCESSING_FAILED = status_event("attachment.processing_failed", Audience.INTERNAL)

ATTACHMENT_TRANSITIONS = TransitionTable(
    states=AttachmentStatus,
    moves=(
        Move(S.PROCESSING, S.READY, WORKER, ATTACHMENT_PROCESSED.name),
        Move(S.PROCESSING, S.FAILED, WORKER, ATTACHMENT_PROCESSING_FAILED.name),
    ),
)
