"""Writes of attachments: take an upload in, attach uploads to an owner, make previews, purge leftovers.

``attachment_ingest`` is all-or-nothing: a refused or failed upload leaves no row and no file in
storage. It commits on its own — call it on its own, not inside a transaction that may still roll
back (the stored file would outlive the row). ``attachments_claim`` is the opposite: call it inside
the transaction that creates the owner (a message), so both stand or fall together.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import tempfile
import unicodedata
import uuid
from collections.abc import Iterable
from functools import partial
from pathlib import Path, PurePosixPath

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from marketdesk.attachments import media
from marketdesk.attachments.access import owner_label
from marketdesk.attachments.errors import (
    AttachmentAlreadyAttached,
    AttachmentUnavailable,
    FileEmpty,
    FileMissing,
    FileTooLarge,
    TooManyAttachments,
)
from marketdesk.attachments.models import Attachment, AttachmentKind
from marketdesk.attachments.states import AttachmentStatus
from marketdesk.attachments.storage import attachment_storage, local_copy
from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.core.errors import PermissionDenied
from marketdesk.core.policies import policy_current
from marketdesk.core.transitions import transition

log = logging.getLogger(__name__)

MB = 1024 * 1024
CHUNK = 256 * 1024
NAME_MAX = 120
#: An upload nobody attached within this time is deleted by ``attachments_purge_unclaimed``.
UNCLAIMED_TTL = dt.timedelta(hours=24)


def attachment_max_bytes() -> int:
    """Return the largest file the policy in force accepts, in bytes."""
    return int(policy_current().attachment_max_mb) * MB


def display_name(raw: str | None) -> str:
    """Return an uploaded file name fit for display: no path, no control or direction characters."""
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    # Category C: control, format (right-to-left overrides that disguise "gpj.exe"), unassigned.
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C")).strip(" .")
    if len(name) > NAME_MAX:
        suffix = PurePosixPath(name).suffix[:16]
        name = name[: NAME_MAX - len(suffix)].rstrip(" .") + suffix
    return name or "attachment"


def _uploader(actor: Actor) -> int:
    if actor.user is None:
        raise PermissionDenied(_("Only a signed-in person can upload or attach files."))
    return int(actor.user.pk)


def _spool(upload: UploadedFile, target: Path, *, limit: int) -> int:
    """Copy the upload to a local file a chunk at a time; return its size, refusing one over ``limit``."""
    size = 0
    with target.open("wb") as out:
        for chunk in upload.chunks(CHUNK):
            size += len(chunk)
            if size > limit:
                raise FileTooLarge(max_mb=limit // MB)
            out.write(chunk)
    return size


def _sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _stored_name(ext: str) -> str:
    """A name that says nothing of the upload: the uploader's name is never a path."""
    return f"attachments/{clock.now():%Y/%m}/{uuid.uuid4().hex}{ext}"


def _enqueue_processing(attachment_id: int) -> None:
    from marketdesk.attachments.tasks import process_attachment

    try:
        process_attachment.enqueue(attachment_id)
    except Exception:  # the upload is stored and usable; only its preview waits
        log.exception("could not enqueue processing of attachment %s", attachment_id)


def attachment_ingest(*, actor: Actor, upload: UploadedFile | None) -> Attachment:
    """Check an uploaded file, store a clean copy and return its attachment (previews follow in the background)."""
    uploader_id = _uploader(actor)
    if upload is None:
        raise FileMissing
    limit = attachment_max_bytes()
    if upload.size is not None and upload.size > limit:
        raise FileTooLarge(max_mb=limit // MB)  # before reading a byte of it
    with tempfile.TemporaryDirectory(prefix="marketdesk-upload-") as workdir:
        source = Path(workdir) / "upload"
        if _spool(upload, source, limit=limit) == 0:
            raise FileEmpty
        prepared = media.prepare(source, media.sniff(source), Path(workdir))
        return _store(uploader_id=uploader_id, name=display_name(upload.name), prepared=prepared)


def _store(*, uploader_id: int, name: str, prepared: media.Prepared) -> Attachment:
    """Save the clean copy, then its row: if the row cannot be written, the file is deleted again."""
    sha256, size = _sha256(prepared.path)
    has_preview = prepared.type.kind in (AttachmentKind.IMAGE, AttachmentKind.VIDEO)
    storage = attachment_storage()
    # Outside the transaction: copying 50 MB (or sending it to a bucket) must not hold a database lock.
    with prepared.path.open("rb") as fh:
        saved = storage.save(_stored_name(prepared.type.ext), File(fh))
    try:
        with transaction.atomic():
            attachment = Attachment.objects.create(
                uploader_id=uploader_id,
                kind=prepared.type.kind,
                mime=prepared.type.mime,
                size=size,
                sha256=sha256,
                original_name=name,
                file=saved,
                width=prepared.width,
                height=prepared.height,
                duration_ms=prepared.duration_ms,
                status=AttachmentStatus.PROCESSING if has_preview else AttachmentStatus.READY,
            )
            if has_preview:
                transaction.on_commit(partial(_enqueue_processing, attachment.pk))
    except BaseException:
        storage.delete(saved)
        raise
    return attachment


def attachments_claim(*, actor: Actor, ids: Iterable[int], owner: models.Model) -> list[Attachment]:
    """Attach the actor's own unattached uploads to ``owner`` (e.g. a message), within the policy's count."""
    uploader_id = _uploader(actor)
    wanted = list(dict.fromkeys(int(i) for i in ids))
    if not wanted:
        return []
    limit = int(policy_current().attachments_per_message)
    label = owner_label(owner)
    with transaction.atomic():
        rows = {a.pk: a for a in Attachment.objects.select_for_update().filter(pk__in=wanted).order_by("pk")}
        present = Attachment.objects.filter(owner_type=label, owner_id=owner.pk).exclude(pk__in=wanted).count()
        if present + len(wanted) > limit:
            raise TooManyAttachments(limit=limit)
        if any(pk not in rows or rows[pk].uploader_id != uploader_id for pk in wanted):
            raise AttachmentUnavailable
        if any(rows[pk].owner_type and (rows[pk].owner_type, rows[pk].owner_id) != (label, owner.pk) for pk in wanted):
            raise AttachmentAlreadyAttached
        now = clock.now()
        Attachment.objects.filter(pk__in=wanted, owner_type="").update(
            owner_type=label, owner_id=owner.pk, claimed_at=now
        )
    claimed = {a.pk: a for a in Attachment.objects.filter(pk__in=wanted)}
    return [claimed[pk] for pk in wanted]


def attachment_process(*, actor: Actor, attachment_id: int) -> bool:
    """Make the thumbnail (photos) or poster and thumbnail (videos); return whether it is ready now."""
    attachment = Attachment.objects.filter(pk=attachment_id, status=AttachmentStatus.PROCESSING).first()
    if attachment is None:
        return False  # done already, or deleted: a repeated task is harmless
    storage = attachment_storage()
    made: dict[str, str] = {}
    try:
        if attachment.kind == AttachmentKind.VIDEO:
            with tempfile.TemporaryDirectory(prefix="marketdesk-poster-") as workdir:
                poster = Path(workdir) / "poster.jpg"
                with local_copy(storage, str(attachment.file.name)) as path:
                    media.video_poster(path, media.TYPES[attachment.mime], poster)
                with poster.open("rb") as fh:
                    made["poster"] = storage.save(_variant_name(attachment, "poster.jpg"), File(fh))
                with poster.open("rb") as fh:
                    thumb = media.image_thumbnail(fh, "image/jpeg")
        else:
            with storage.open(str(attachment.file.name), "rb") as fh:
                thumb = media.image_thumbnail(fh, attachment.mime)
        made["thumbnail"] = storage.save(_variant_name(attachment, "thumb.webp"), ContentFile(thumb))
    except Exception as exc:  # noqa: BLE001 - the file itself is fine and stays servable; only its preview failed
        log.warning("attachment %s: no preview: %s", attachment.pk, exc)
        _finish(attachment.pk, actor=actor, made=made, to=AttachmentStatus.FAILED, error=type(exc).__name__)
        return False
    return _finish(attachment.pk, actor=actor, made=made, to=AttachmentStatus.READY)


def _finish(pk: int, *, actor: Actor, made: dict[str, str], to: str, error: str = "") -> bool:
    """Record the previews and the new status, unless another worker finished first (then drop ours)."""
    storage = attachment_storage()
    with transaction.atomic():
        locked = Attachment.objects.select_for_update().filter(pk=pk, status=AttachmentStatus.PROCESSING).first()
        if locked is None or to == AttachmentStatus.FAILED:
            for name in made.values():
                storage.delete(name)
        if locked is None:
            return False
        if made and to == AttachmentStatus.READY:
            locked.thumbnail.name = made["thumbnail"]
            locked.poster.name = made.get("poster", "")
            locked.save(update_fields=["thumbnail", "poster"])
        transition(locked, to=to, actor=actor, payload={"error": error} if error else None)
    return to == AttachmentStatus.READY


def _variant_name(attachment: Attachment, suffix: str) -> str:
    stem = PurePosixPath(str(attachment.file.name)).with_suffix("")
    return f"{stem}.{suffix}"


def attachments_purge_unclaimed(*, actor: Actor, older_than: dt.timedelta = UNCLAIMED_TTL) -> int:
    """Delete uploads never attached to anything within ``older_than``, files first; return how many."""
    storage = attachment_storage()
    stale = Attachment.objects.filter(owner_type="", created_at__lt=clock.now() - older_than)
    purged = 0
    for attachment in stale.order_by("pk")[:500]:
        with transaction.atomic():
            locked = Attachment.objects.select_for_update().filter(pk=attachment.pk, owner_type="").first()
            if locked is None:
                continue  # claimed a moment ago
            names = [str(f.name) for f in (locked.file, locked.thumbnail, locked.poster) if f.name]
            locked.delete()
        # Files after the row: a failure here leaves a stray file, never a row pointing at nothing.
        for name in names:
            storage.delete(name)
        purged += 1
    log.info("purged %s unclaimed attachment(s) for %s", purged, actor.label)
    return purged
