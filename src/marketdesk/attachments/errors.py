"""Why an upload or an attachment is refused: each a DomainValidationError with its own ``code``.

Every refusal names the field ``file`` (uploads) or ``attachments`` (claims), so a form shows it
next to the input and an API client reads it from ``errors``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from marketdesk.core.errors import DomainValidationError

ACCEPTED = _("Upload a photo (JPEG, PNG, WebP, HEIC or GIF), a video (MP4, MOV or WebM) or a PDF.")


class _FileRefused(DomainValidationError):
    def __init__(self, message: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("field", "file")
        super().__init__(message, **kwargs)


class FileMissing(_FileRefused):
    code = "file_missing"
    default_message = _("Choose a file to upload.")


class FileEmpty(_FileRefused):
    code = "file_empty"
    default_message = _("The file is empty.")


class FileTooLarge(_FileRefused):
    code = "file_too_large"

    def __init__(self, *, max_mb: int) -> None:
        super().__init__(_("The file is larger than %(max)s MB.") % {"max": max_mb})


class TooManyFiles(_FileRefused):
    """More files in one request than its route takes: the rest were never read into memory or onto disk."""

    status = 413
    code = "too_many_files"
    title = _("The request is too large.")

    def __init__(self, *, limit: int) -> None:
        super().__init__(
            ngettext("Send at most %(max)s file at once.", "Send at most %(max)s files at once.", limit)
            % {"max": limit}
        )


class FileTypeRefused(_FileRefused):
    code = "file_type_not_accepted"

    def __init__(self) -> None:
        super().__init__(_("This kind of file is not accepted. %(accepted)s") % {"accepted": ACCEPTED})


class ImageDamaged(_FileRefused):
    code = "file_damaged"
    default_message = _("The image cannot be read: it is damaged or incomplete.")


class ImageTooManyPixels(_FileRefused):
    code = "image_too_large"

    def __init__(self, *, max_megapixels: int) -> None:
        super().__init__(_("The image has too many pixels: at most %(max)s megapixels.") % {"max": max_megapixels})


class VideoDamaged(_FileRefused):
    code = "file_damaged"
    default_message = _("The video cannot be read: it is damaged, or not an MP4, MOV or WebM video.")


class PdfDamaged(_FileRefused):
    code = "file_damaged"
    default_message = _("The PDF is damaged or incomplete.")


class TooManyAttachments(DomainValidationError):
    code = "too_many_attachments"

    def __init__(self, *, limit: int) -> None:
        super().__init__(_("A message can have at most %(max)s attachments.") % {"max": limit}, field="attachments")


class AttachmentUnavailable(DomainValidationError):
    """An id that is not the actor's own unattached upload; whose it is, or whether it exists, is not said."""

    code = "attachment_unavailable"

    def __init__(self) -> None:
        super().__init__(_("One of the files was not found among your uploads."), field="attachments")


class AttachmentAlreadyAttached(DomainValidationError):
    code = "attachment_already_attached"

    def __init__(self) -> None:
        super().__init__(_("One of the files is attached to another message already."), field="attachments")
