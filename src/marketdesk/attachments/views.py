"""The web side of attachments: an upload endpoint for the pages' scripts, and the file links.

``POST /attachments/`` takes one file (field ``file``) and answers JSON: the attachment as
``presenters.attachment_view`` shows it (201), or a problem document (401, 403 for CSRF, 422).
``GET /attachments/f/<token>/`` serves a file through a signed link from ``access.attachment_url``:
the signature must hold and be fresh, and the signed-in person must be allowed to read the
attachment at this moment; anything else is a 404. Once allowed, the bytes come by the cheapest
way the deployment has, never held whole in the web process:

- storage on S3: a redirect to a presigned URL of the bucket, valid for
  ``ATTACHMENT_PRESIGNED_URL_MAX_AGE`` seconds (the bucket sends the bytes);
- ``MARKETDESK_ACCEL_REDIRECT`` set (nginx in front): an empty answer whose ``X-Accel-Redirect``
  names the file under that internal location (nginx sends the bytes);
- otherwise streamed from disk, a batch at a time (under ASGI through an async iterator:
  ``core.streaming``).
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import Storage
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
)
from django.utils.http import content_disposition_header
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST, require_safe

from marketdesk.api.errors import problem_response
from marketdesk.attachments.access import attachment_token_read
from marketdesk.attachments.errors import FileTooLarge
from marketdesk.attachments.presenters import ServedFile, attachment_view, served_file
from marketdesk.attachments.selectors import attachment_get_for_reader
from marketdesk.attachments.services import MB, attachment_ingest, attachment_max_bytes
from marketdesk.attachments.storage import attachment_storage
from marketdesk.attachments.uploads import SizeLimitHandler, files_refused
from marketdesk.core.actors import Actor
from marketdesk.core.errors import DomainError, NotAuthenticated, NotFound
from marketdesk.core.streaming import file_response_streamed

# What a multipart body may carry beyond the file itself: boundaries, headers, the CSRF field.
MULTIPART_OVERHEAD = 64 * 1024

SERVE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # Even if a browser were talked into rendering a file as a page, it could run nothing and load nothing.
    "Content-Security-Policy": "sandbox; default-src 'none'",
    # Every fetch is authorized anew: nothing kept in shared caches, nor in the browser's.
    "Cache-Control": "private, no-store",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Referrer-Policy": "no-referrer",
}


@csrf_exempt  # checked in _upload, once the size limit is in place (the CSRF check reads the body)
@require_POST
def attachment_upload(request: HttpRequest) -> HttpResponse:
    """Take one uploaded file and answer with the stored attachment as JSON."""
    if not request.user.is_authenticated:
        return problem_response(NotAuthenticated().problem())
    limit = attachment_max_bytes()
    if int(request.META.get("CONTENT_LENGTH") or 0) > limit + MULTIPART_OVERHEAD:
        return problem_response(FileTooLarge(max_mb=limit // MB).problem())  # refused unread
    handler = SizeLimitHandler(request, limit=limit)
    request.upload_handlers.insert(0, handler)
    return _upload(request, handler)


@csrf_protect
def _upload(request: HttpRequest, handler: SizeLimitHandler) -> HttpResponse:
    files = request.FILES  # the body is read here (or already was, by the CSRF check), through the limit
    try:
        if (refused := files_refused(request)) is not None:
            raise refused
        if handler.exceeded:
            raise FileTooLarge(max_mb=handler.limit // MB)
        attachment = attachment_ingest(actor=Actor.for_user(request.user), upload=files.get("file"))
    except DomainError as exc:
        return problem_response(exc.problem())
    attachment.refresh_from_db()  # previews may be made already (immediate task backend)
    return JsonResponse(attachment_view(attachment), status=201)


@require_safe
def attachment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Answer one attachment as JSON with fresh links (a page polls it until the preview is ready)."""
    if not request.user.is_authenticated:
        return problem_response(NotAuthenticated().problem())
    try:
        attachment = attachment_get_for_reader(Actor.for_user(request.user), pk=pk)
    except NotFound as exc:
        return problem_response(exc.problem())
    return JsonResponse(attachment_view(attachment))


@require_safe
def attachment_serve(request: HttpRequest, token: str) -> HttpResponseBase:
    """Serve a file through its signed link, if the signed-in person may read it now."""
    found = attachment_token_read(token)
    if found is None or not request.user.is_authenticated:
        raise Http404
    pk, variant = found
    try:
        attachment = attachment_get_for_reader(Actor.for_user(request.user), pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    served = served_file(attachment, variant)
    if served is None:
        raise Http404
    storage = attachment_storage()
    if getattr(storage, "querystring_auth", False):  # S3Storage signs its URLs: the bucket serves the bytes
        response: HttpResponseBase = _presigned_redirect(storage, served)
    elif settings.ATTACHMENT_ACCEL_REDIRECT:
        response = _accel_redirect(served)
    else:
        response = file_response_streamed(
            request,
            FileResponse(
                storage.open(served.name, "rb"),
                as_attachment=not served.inline,
                filename=served.filename,
                content_type=served.content_type,
            ),
        )
    for name, value in SERVE_HEADERS.items():
        response[name] = value
    return response


def _presigned_redirect(storage: Storage, served: ServedFile) -> HttpResponseRedirect:
    parameters = {
        "ResponseContentType": served.content_type,
        "ResponseContentDisposition": content_disposition_header(not served.inline, served.filename),
        "ResponseCacheControl": SERVE_HEADERS["Cache-Control"],
    }
    url = storage.url(served.name, parameters=parameters, expire=settings.ATTACHMENT_PRESIGNED_URL_MAX_AGE)  # type: ignore[call-arg]
    return HttpResponseRedirect(url)


def _accel_redirect(served: ServedFile) -> HttpResponse:
    # nginx answers with the file under its internal location; it keeps Content-Type and
    # Content-Disposition from here (the security headers: add them in that location too).
    response = HttpResponse(content_type=served.content_type)
    response["X-Accel-Redirect"] = settings.ATTACHMENT_ACCEL_REDIRECT.rstrip("/") + "/" + quote(served.name)
    if disposition := content_disposition_header(not served.inline, served.filename):
        response["Content-Disposition"] = disposition
    return response
