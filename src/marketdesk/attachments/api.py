"""REST endpoint of attachments: a signed-in person uploads a file to attach to a message next.

Thin by design: ninja parses the multipart body, ``attachment_ingest`` checks and stores the
file, ``attachment_view`` shapes the answer; refusals leave as problem documents (422 with the
field ``file`` and a specific ``code``). A marketplace key is refused with 403: files come from
people, who are their uploaders.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import File, Router
from ninja.files import UploadedFile
from ninja.responses import Status

from marketdesk.api.auth import api_key_auth, request_actor, session_auth
from marketdesk.api.errors import ProblemOut
from marketdesk.attachments.presenters import attachment_view
from marketdesk.attachments.schemas import AttachmentOut
from marketdesk.attachments.services import attachment_ingest

router = Router(tags=["attachments"])


@router.post(
    "/attachments",
    response={201: AttachmentOut, 401: ProblemOut, 403: ProblemOut, 422: ProblemOut},
    auth=[api_key_auth, session_auth],
    summary="Upload a file to attach to a message",
)
def attachment_upload(request: HttpRequest, file: File[UploadedFile]) -> Status[dict[str, Any]]:
    """Upload one photo (JPEG, PNG, WebP, HEIC, GIF), video (MP4, MOV, WebM) or PDF as multipart field `file`.

    The type is read from the content, never the name. Photos are stored re-encoded without their
    metadata (HEIC as JPEG); previews are made in the background (`status` "processing" until then).
    Until it is attached to a message, only the uploader can read the file. The size and the count
    per message are limited by policy.
    """
    attachment = attachment_ingest(actor=request_actor(request), upload=file)
    attachment.refresh_from_db()  # previews may be made already (immediate task backend)
    return Status(201, attachment_view(attachment))
