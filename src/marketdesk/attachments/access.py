"""Who may read an attachment, and the short-lived signed links it is fetched through.

The uploader may always read their own upload. Anyone else may read it only once it is attached
to an owner and the owner's app says so: that app registers a reader for its model once, in its
``AppConfig.ready()``::

    from marketdesk.attachments.access import register_reader

    def _may_read(actor: Actor, attachment: Attachment) -> bool:
        return messages_for_actor(actor).filter(pk=attachment.owner_id).exists()

    register_reader(Message, _may_read)

A link (``attachment_url``) carries the attachment and the variant, signed with a timestamp; it
works for ``ATTACHMENT_URL_MAX_AGE`` seconds, and every fetch asks ``attachment_readable`` again,
so a link passed on, or kept after access was lost, shows nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.db import models
from django.urls import reverse

from marketdesk.core import clock
from marketdesk.core.actors import Actor

if TYPE_CHECKING:
    from marketdesk.attachments.models import Attachment

Reader = Callable[[Actor, "Attachment"], bool]
_READERS: dict[str, Reader] = {}

VARIANTS = ("file", "thumbnail", "poster")
_SALT = "marketdesk.attachments.url"


def owner_label(owner: models.Model | type[models.Model]) -> str:
    """Return the ``app_label.model_name`` an owner is recorded and looked up by."""
    return owner._meta.label_lower


def register_reader(owner: type[models.Model] | str, reader: Reader) -> Reader:
    """Register who may read attachments owned by ``owner`` (a model, or its ``app_label.model_name``)."""
    label = owner if isinstance(owner, str) else owner_label(owner)
    if _READERS.get(label, reader) is not reader:
        raise ValueError(f"a reader for {label} is registered already")
    _READERS[label] = reader
    return reader


def attachment_readable(actor: Actor, attachment: Attachment) -> bool:
    """Return whether ``actor`` may read ``attachment`` now."""
    if actor.user is not None and attachment.uploader_id == actor.user.pk:
        return True
    reader = _READERS.get(attachment.owner_type) if attachment.owner_type else None
    # No registered reader: nobody but the uploader (closed by default).
    return reader is not None and bool(reader(actor, attachment))


def _signer() -> signing.Signer:
    return signing.Signer(salt=_SALT)


def attachment_url(attachment: Attachment, variant: str = "file") -> str:
    """Return a signed, short-lived link to one variant of the attachment (file, thumbnail or poster)."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}")
    # The issue time comes from the one clock (TimestampSigner would read time.time()).
    token = _signer().sign_object([attachment.pk, VARIANTS.index(variant), int(clock.now().timestamp())])
    return reverse("attachments:serve", kwargs={"token": token})


def attachment_token_read(token: str) -> tuple[int, str] | None:
    """Return (attachment id, variant) from a link's token if its signature holds and it has not expired."""
    try:
        pk, index, issued = _signer().unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not all(isinstance(v, int) for v in (pk, index, issued)) or not 0 <= index < len(VARIANTS):
        return None
    # A minute of grace before "issued" allows for servers whose clocks differ slightly.
    if not -60 <= clock.now().timestamp() - issued <= settings.ATTACHMENT_URL_MAX_AGE:
        return None
    return pk, VARIANTS[index]
