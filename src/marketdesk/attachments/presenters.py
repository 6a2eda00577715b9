"""An attachment as the pages and the API show it: name, kind, size and fresh signed links."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from marketdesk.attachments.access import attachment_url
from marketdesk.attachments.models import Attachment, AttachmentKind


def attachment_view(attachment: Attachment) -> dict[str, Any]:
    """Return what a reader of the attachment is shown; links are signed now and expire soon."""
    return {
        "id": attachment.pk,
        "name": attachment.original_name,
        "kind": attachment.kind,
        "mime": attachment.mime,
        "size": attachment.size,
        "width": attachment.width,
        "height": attachment.height,
        "status": attachment.status,
        "url": attachment_url(attachment),
        "thumbnail_url": attachment_url(attachment, "thumbnail") if attachment.thumbnail else None,
        "poster_url": attachment_url(attachment, "poster") if attachment.poster else None,
    }


@dataclass(frozen=True)
class ServedFile:
    """How one variant of an attachment goes out: which stored file, as what, shown or downloaded."""

    name: str
    content_type: str
    filename: str
    inline: bool


def served_file(attachment: Attachment, variant: str) -> ServedFile | None:
    """Return how to serve a variant, or None if the attachment has none (no preview yet)."""
    stem = PurePosixPath(attachment.download_name).stem
    if variant == "thumbnail":
        field, content_type, filename = attachment.thumbnail, "image/webp", f"{stem}-thumbnail.webp"
    elif variant == "poster":
        field, content_type, filename = attachment.poster, "image/jpeg", f"{stem}-poster.jpg"
    else:
        field, content_type, filename = attachment.file, attachment.mime, attachment.download_name
    if not field:
        return None
    # Only images we encoded ourselves are shown in the page; a video or a PDF is always a download.
    inline = variant != "file" or attachment.kind == AttachmentKind.IMAGE
    return ServedFile(name=str(field.name), content_type=content_type, filename=filename, inline=inline)
