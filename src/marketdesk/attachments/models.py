"""Files that people upload: checked, cleaned, stored privately, and attached to one owner (a message)."""

from __future__ import annotations

from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketdesk.attachments.states import ATTACHMENT_TRANSITIONS, AttachmentStatus
from marketdesk.attachments.storage import attachment_storage
from marketdesk.core import clock
from marketdesk.core.transitions import StatefulModel


class AttachmentKind(models.TextChoices):
    IMAGE = "image", _("Photo")
    VIDEO = "video", _("Video")
    PDF = "pdf", _("PDF document")


class Attachment(StatefulModel):
    """One uploaded file as stored: its type from its content, never from its name.

    Until ``attachments_claim`` links it to an owner (``owner_type`` is the owner model's
    ``app_label.model_name``), only the uploader may read it.
    """

    TRANSITIONS = ATTACHMENT_TRANSITIONS

    uploader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=AttachmentKind.choices)
    # The type of the stored bytes (a HEIC photo is stored as JPEG): what the file is served as.
    mime = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(help_text=_("Bytes stored."))
    sha256 = models.CharField(max_length=64, help_text=_("SHA-256 of the bytes stored."))
    # For display only (control and direction characters removed); never a path or a type.
    original_name = models.CharField(_("file name"), max_length=255)
    file = models.FileField(storage=attachment_storage, max_length=255)
    thumbnail = models.FileField(storage=attachment_storage, max_length=255, blank=True)
    poster = models.FileField(storage=attachment_storage, max_length=255, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=AttachmentStatus.choices, default=AttachmentStatus.PROCESSING)
    owner_type = models.CharField(max_length=100, blank=True, default="")
    owner_id = models.PositiveBigIntegerField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=AttachmentStatus.values), name="attachment_status_valid"
            ),
            models.CheckConstraint(condition=models.Q(kind__in=AttachmentKind.values), name="attachment_kind_valid"),
            models.CheckConstraint(
                condition=(
                    models.Q(owner_type="", owner_id__isnull=True, claimed_at__isnull=True)
                    | (~models.Q(owner_type="") & models.Q(owner_id__isnull=False, claimed_at__isnull=False))
                ),
                name="attachment_owner_whole",
            ),
        ]
        indexes = [
            models.Index(fields=["owner_type", "owner_id"], name="attachment_owner_idx"),
            models.Index(fields=["uploader", "-created_at"], name="attachment_uploader_idx"),
        ]

    def __str__(self) -> str:
        return f"attachment {self.pk} ({self.kind})"

    @property
    def download_name(self) -> str:
        """The name a download is saved under: the uploaded name with the stored type's extension."""
        stem = PurePosixPath(self.original_name).stem or "attachment"
        return stem + PurePosixPath(self.file.name or "").suffix
