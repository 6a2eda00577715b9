"""REST endpoint of attachments: a signed-in person uploads a file to attach to a message next.

Thin by design: ninja parses the multipart body, ``attachment_ingest`` checks and stores the
file, ``attachment_view`` shapes the answer; refusals leave as problem documents (422 with the
field ``file`` and a specific ``code``). Files come from people, who are their uploaders: a
marketplace's key uploads for the buyer or the shop member it names (form field ``buyer`` or
``seller``, as in headless mode, ``marketdesk.api.acting``), who may then attach the file to a
message, a case's evidence or a return; a key that names nobody is refused with 422.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router
from ninja.files import UploadedFile
from ninja.responses import Status

from marketdesk.api.acting import AsPersonIn, acting_actor
from marketdesk.api.auth import api_key_auth, request_actor, session_auth
from marketdesk.api.errors import ProblemOut
from marketdesk.attachments.presenters import attachment_view
from marketdesk.attachments.schemas import AttachmentOut
from marketdesk.attachments.services import attachment_ingest
from marketdesk.attachments.uploads import files_refused
from marketdesk.core.actors import Actor, Role
from marketdesk.core.errors import DomainValidationError

router = Router(tags=["attachments"])


def _uploader(request: HttpRequest, *, buyer: str | None, seller: str | None) -> Actor:
    actor = request_actor(request)
    if actor.role == Role.MARKETPLACE:
        return acting_actor(request, AsPersonIn.model_construct(buyer=buyer, seller=seller))
    if buyer is not None or seller is not None:
        field = "buyer" if buyer is not None else "seller"
        raise DomainValidationError(_("Only the marketplace's key names the person it uploads for."), field=field)
    return actor


@router.post(
    "/attachments",
    response={201: AttachmentOut, 401: ProblemOut, 403: ProblemOut, 413: ProblemOut, 422: ProblemOut},
    auth=[api_key_auth, session_auth],
    summary="Upload a file to attach to a message, evidence or a return",
)
def attachment_upload(
    request: HttpRequest,
    file: File[UploadedFile],
    buyer: str | None = Form(
        None, min_length=1, max_length=100, description="With the marketplace's key: the buyer it uploads for."
    ),
    seller: str | None = Form(
        None, min_length=1, max_length=100, description="With the marketplace's key: the shop member it uploads for."
    ),
) -> Status[dict[str, Any]]:
    """Upload one photo (JPEG, PNG, WebP, HEIC, GIF), video (MP4, MOV, WebM) or PDF as multipart field `file`.

    The type is read from the content, never the name. Photos are stored re-encoded without their
    metadata (HEIC as JPEG); previews are made in the background (`status` "processing" until then).
    Until it is attached to a message, a case's evidence or a return, only the uploader can read the
    file. The size and the count per message are limited by policy. With the marketplace's key, name
    the person the file is from (`buyer` or `seller`, their external id): only that person can attach it.
    A body larger than the file size limit, or with more than one file, is refused with 413.
    """
    if (refused := files_refused(request)) is not None:
        raise refused
    attachment = attachment_ingest(actor=_uploader(request, buyer=buyer, seller=seller), upload=file)
    attachment.refresh_from_db()  # previews may be made already (immediate task backend)
    return Status(201, attachment_view(attachment))
